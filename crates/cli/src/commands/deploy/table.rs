//! Readable tables for plans and apply reports.

use switchboard_deploy::apply::ApplyReport;
use switchboard_deploy::canary::CanaryReport;
use switchboard_deploy::plan::{Action, Plan};

pub fn print_plan(plan: &Plan) {
    print!("{}", plan_text(plan, false));
}

/// The plan as a person reads it: per org its changes, then its unchanged resources — a count
/// (`= 8 unchanged`) or, with `show_unchanged`, one line each, so a managed resource in sync is visible.
pub fn plan_text(plan: &Plan, show_unchanged: bool) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for org in &plan.orgs {
        let (changed, unchanged): (Vec<_>, Vec<_>) = org.changes.iter().partition(|change| change.action != Action::Unchanged || change.conflicts().next().is_some());
        let _ = writeln!(out, "org {} (group {}, stage {}): {} change(s)", org.org, org.group, org.stage + 1, changed.iter().filter(|change| change.action.writes()).count());
        for change in changed {
            let fields: Vec<String> = change
                .fields
                .iter()
                .map(|field| if field.is_conflict() { format!("{} (changed by hand: kept)", field.field) } else { field.field.clone() })
                .collect();
            let approval = if change.approval.is_empty() { String::new() } else { format!("  [needs approval: {}]", change.approval.join("; ")) };
            let _ = writeln!(out, "  {:<9} {:<45} {}{approval}", change.action.as_str(), change.key.to_string(), fields.join(", "));
        }
        if unchanged.is_empty() {
            continue;
        }
        if show_unchanged {
            for change in &unchanged {
                let _ = writeln!(out, "  {:<9} {}", "=", change.key);
            }
        } else {
            let _ = writeln!(out, "  = {} unchanged (--show-unchanged lists them)", unchanged.len());
        }
    }
    for problem in &plan.problems {
        let _ = writeln!(out, "error: {problem}");
    }
    let summary = plan.summary();
    let _ = writeln!(
        out,
        "Plan: {} to create, {} to update, {} to delete, {} unchanged, {} with hand edits kept{}",
        summary.create,
        summary.update,
        summary.delete,
        summary.unchanged,
        summary.conflict,
        if summary.needs_approval > 0 { format!(", {} need --approve", summary.needs_approval) } else { String::new() }
    );
    out
}

pub fn print_report(report: &ApplyReport) {
    println!("deployment {} ({})", report.deployment, report.environment);
    for org in &report.orgs {
        println!("  {:<16} {:<12} {} written, {} unchanged{}", org.org, org.status, org.written, org.unchanged, org.error.as_ref().map(|error| format!(": {error}")).unwrap_or_default());
        for conflict in &org.conflicts {
            println!("    kept a hand edit: {} {} (live {}, config {})", conflict.resource, conflict.field, show(&conflict.live), show(&conflict.desired));
        }
    }
    println!("{} org(s) failed, {} write(s)", report.failed(), report.written());
}

pub fn print_canary(report: &CanaryReport) {
    let steps: Vec<String> = report.steps_percent.iter().map(|step| format!("{step}%")).collect();
    println!("canary {}, window {:.0} s: {} first; decision: {}", steps.join(" → "), report.window_seconds, report.canary_orgs.join(", "), report.decision);
    for (number, step) in report.steps.iter().enumerate() {
        println!("step {} ({}%): {}{}", number + 1, step.percent, step.orgs.join(", "), if step.untouched.is_empty() { String::new() } else { format!(" (untouched: {})", step.untouched.join(", ")) });
        print_report(&step.apply);
        for comparison in step.verdict.iter().flat_map(|verdict| &verdict.comparisons) {
            println!("  {}", comparison_line(comparison));
        }
    }
    for rollback in &report.rollbacks {
        for org in &rollback.orgs {
            println!("  rolled back {} ({}): {} restored{}", org.org, rollback.deployment, org.restored, if org.mismatches.is_empty() && org.error.is_none() { ", proven" } else { ", NOT proven" });
        }
    }
}

/// One comparison of a canary verdict with its evidence, in one line.
pub fn comparison_line(comparison: &switchboard_deploy::canary::Comparison) -> String {
    format!(
        "{}: {:?}; abandoned {}/{} → {}/{}, p = {}; ASA {} → {} s{}",
        comparison.name,
        comparison.outcome,
        comparison.baseline_abandoned,
        comparison.baseline_offered,
        comparison.sample_abandoned,
        comparison.sample_offered,
        comparison.abandon_p_value.map(|p| format!("{p:.4}")).unwrap_or_else(|| "-".into()),
        comparison.baseline_asa_seconds.map(|s| format!("{s:.1}")).unwrap_or_else(|| "-".into()),
        comparison.sample_asa_seconds.map(|s| format!("{s:.1}")).unwrap_or_else(|| "-".into()),
        if comparison.reasons.is_empty() { String::new() } else { format!(" ({})", comparison.reasons.join("; ")) }
    )
}

fn show(value: &Option<serde_json::Value>) -> String {
    value.as_ref().map(ToString::to_string).unwrap_or_else(|| "none".into()).chars().take(60).collect()
}

#[cfg(test)]
mod tests;
