//! The org canary (issue 8 §6, seed 002 §4): apply a plan to a share of each group's orgs first,
//! observe calls there for a window, judge them against the same orgs before the change and
//! against the untouched orgs, then expand step by step (each step's newly changed orgs judged
//! the same way) or roll back everything changed so far from its snapshots and stop. Uses the
//! apply engine through `ApplyOptions::orgs` and the existing rollback; every step's choice and
//! verdict are recorded in the journal (events `canary`/ENV).

pub mod metrics;
pub mod select;
pub mod settings;
pub mod verdict;

pub use metrics::{CallMetrics, GenesysMetrics};
pub use select::choose_canary;
pub use settings::{CanarySettings, SettingsError, later_steps, parse_percent, parse_window};
pub use verdict::{Comparison, Outcome, Verdict, judge};

use std::time::Duration;

use serde::Serialize;
use switchboard_journal::Journal;
use switchboard_platform::GroupTotals;

use crate::apply::{ApplyError, ApplyOptions, ApplyReport, apply};
use crate::plan::{Plan, Providers};
use crate::rollback::{RollbackError, RollbackReport, rollback};

/// The journal namespace of canary events (key: the environment).
pub const EVENT_NAMESPACE: &str = "canary";

/// How the canary tells time. `speed_up` > 1 only against the emulator's sped-up calls: the
/// window then lasts `window / speed_up` of real time. Waits need no scaling: the emulator's
/// analytics already report sped-up calls' timers in modelled time. A real org uses 1.
#[derive(Debug, Clone, Copy)]
pub struct CanaryClock {
    pub speed_up: f64,
}

impl Default for CanaryClock {
    fn default() -> Self {
        Self { speed_up: 1.0 }
    }
}

impl CanaryClock {
    fn now_ms(&self) -> i64 {
        chrono::Utc::now().timestamp_millis()
    }

    fn real(&self, window: Duration) -> Duration {
        window.div_f64(self.speed_up.max(1.0))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CanaryError {
    #[error("apply: {0}")]
    Apply(#[from] ApplyError),
    #[error("rollback: {0}")]
    Rollback(#[from] RollbackError),
    #[error("journal: {0}")]
    Journal(#[from] switchboard_journal::JournalError),
    #[error("measuring calls: {0}")]
    Metrics(String),
}

/// One step: the orgs it changed, the orgs still untouched while it was judged, its deployment
/// and its verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CanaryStep {
    /// Cumulative share of each group's orgs changed once this step is applied.
    pub percent: u32,
    /// The orgs this step changed (not those of earlier steps).
    pub orgs: Vec<String>,
    /// Orgs not yet changed during this step's window: the control group (empty at 100 %).
    pub untouched: Vec<String>,
    pub apply: ApplyReport,
    /// None when the step's apply failed (its orgs were restored by apply) before any judgement.
    pub verdict: Option<Verdict>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CanaryReport {
    pub environment: String,
    /// The first share (the canary proper).
    pub percent: u32,
    /// Every share in order, ending at 100.
    pub steps_percent: Vec<u32>,
    pub window_seconds: f64,
    /// The first step's orgs.
    pub canary_orgs: Vec<String>,
    /// Every other org of the plan.
    pub other_orgs: Vec<String>,
    /// Steps that ran (a step that would change no new org is skipped).
    pub steps: Vec<CanaryStep>,
    /// `expanded` (every step passed), `rolled_back` (a step regressed: every step undone),
    /// `held` (a step was inconclusive: what was changed stays, nothing more), or
    /// `canary_failed` (an org failed in a step's apply and was restored; nothing more applied).
    pub decision: String,
    /// One per rolled-back step, newest first.
    pub rollbacks: Vec<RollbackReport>,
}

impl CanaryReport {
    /// The orgs that kept the change.
    pub fn changed_orgs(&self) -> Vec<String> {
        if self.decision == "rolled_back" {
            return Vec::new();
        }
        self.steps.iter().flat_map(|step| step.apply.orgs.iter().filter(|org| org.status != switchboard_journal::Status::Failed.as_str()).map(|org| org.org.clone())).collect()
    }

    /// The step that decided (the last one that ran).
    pub fn last_step(&self) -> Option<&CanaryStep> {
        self.steps.last()
    }
}

fn sum(totals: impl IntoIterator<Item = GroupTotals>) -> GroupTotals {
    totals.into_iter().fold(GroupTotals::default(), |mut sum, item| {
        sum.add(&item);
        sum
    })
}

async fn measure(metrics: &dyn CallMetrics, orgs: &[String], start_ms: i64, end_ms: i64) -> Result<GroupTotals, CanaryError> {
    let mut all = Vec::new();
    for org in orgs {
        all.push(metrics.window(org, start_ms, end_ms).await.map_err(CanaryError::Metrics)?);
    }
    Ok(sum(all))
}

/// Applies `plan` canary first, then step by step. `options.orgs`, when set, narrows the plan
/// as for a plain apply.
pub async fn apply_with_canary(
    plan: &Plan,
    providers: &Providers,
    journal: &Journal,
    options: &ApplyOptions,
    settings: &CanarySettings,
    metrics: &dyn CallMetrics,
    clock: CanaryClock,
) -> Result<CanaryReport, CanaryError> {
    let mut scoped = plan.clone();
    if !options.orgs.is_empty() {
        scoped.orgs.retain(|org| options.orgs.contains(&org.org));
    }
    let all_orgs: Vec<String> = scoped.orgs.iter().map(|org| org.org.clone()).collect();
    let canary_orgs = choose_canary(&scoped, settings.percent);
    let window = clock.real(settings.window);
    let window_ms = i64::try_from(window.as_millis()).unwrap_or(i64::MAX);
    let say = |line: String| options.progress.message(&line);
    let mut report = CanaryReport {
        environment: plan.environment.clone(),
        percent: settings.percent,
        steps_percent: settings.all_steps(),
        window_seconds: settings.window.as_secs_f64(),
        canary_orgs: canary_orgs.clone(),
        other_orgs: all_orgs.iter().filter(|org| !canary_orgs.contains(org)).cloned().collect(),
        steps: Vec::new(),
        decision: "expanded".into(),
        rollbacks: Vec::new(),
    };
    let mut changed: Vec<String> = Vec::new();
    for percent in settings.all_steps() {
        let target = if percent >= 100 { all_orgs.clone() } else { choose_canary(&scoped, percent) };
        let orgs: Vec<String> = target.iter().filter(|org| !changed.contains(org)).cloned().collect();
        if orgs.is_empty() {
            continue;
        }
        let untouched: Vec<String> = all_orgs.iter().filter(|org| !target.contains(org)).cloned().collect();
        let number = report.steps.len() + 1;
        journal
            .append_event(EVENT_NAMESPACE, &plan.environment, &serde_json::json!({"phase": "chosen", "step": number, "percent": percent, "orgs": orgs, "untouched": untouched}))
            .await?;
        say(format!("canary step {number} ({percent}%): {} org(s): {}", orgs.len(), orgs.join(", ")));

        let before_end = clock.now_ms();
        let before = measure(metrics, &orgs, before_end - window_ms, before_end).await?;
        let applied = apply(plan, providers, journal, &ApplyOptions { orgs: orgs.clone(), ..options.clone() }).await?;
        let failed = applied.failed() > 0;
        report.steps.push(CanaryStep { percent, orgs: orgs.clone(), untouched: untouched.clone(), apply: applied, verdict: None });
        if failed {
            let deployment = report.steps.last().map(|step| step.apply.deployment.clone()).unwrap_or_default();
            journal.append_event(EVENT_NAMESPACE, &plan.environment, &serde_json::json!({"phase": "canary_failed", "step": number, "deployment": deployment})).await?;
            report.decision = "canary_failed".into();
            return Ok(report);
        }
        changed.extend(orgs.iter().cloned());

        say(format!("canary step {number}: watching calls for {:.0} s (real {:.1} s)", settings.window.as_secs_f64(), window.as_secs_f64()));
        let after_start = clock.now_ms();
        tokio::time::sleep(window).await;
        let after_end = clock.now_ms();
        let after = measure(metrics, &orgs, after_start, after_end).await?;
        let control = if untouched.is_empty() { None } else { Some(measure(metrics, &untouched, after_start, after_end).await?) };
        let verdict = judge(&before, &after, control.as_ref(), settings);
        for comparison in &verdict.comparisons {
            say(format!("canary step {number}: {}: {:?} {}", comparison.name, comparison.outcome, comparison.reasons.join("; ")));
        }
        let outcome = verdict.outcome;
        let deployment = report.steps.last().map(|step| step.apply.deployment.clone()).unwrap_or_default();
        journal
            .append_event(EVENT_NAMESPACE, &plan.environment, &serde_json::json!({"phase": "verdict", "step": number, "deployment": deployment, "verdict": verdict}))
            .await?;
        if let Some(step) = report.steps.last_mut() {
            step.verdict = Some(verdict);
        }
        match outcome {
            Outcome::Pass => {}
            Outcome::Regressed => {
                report.decision = "rolled_back".into();
                say(format!("canary step {number}: regressed; rolling back {} from their snapshots", changed.join(", ")));
                let deployments: Vec<String> = report.steps.iter().rev().map(|step| step.apply.deployment.clone()).collect();
                for deployment in deployments {
                    report.rollbacks.push(rollback(&deployment, providers, journal, &options.holder).await?);
                }
                break;
            }
            Outcome::Inconclusive => {
                report.decision = "held".into();
                break;
            }
        }
    }
    journal.append_event(EVENT_NAMESPACE, &plan.environment, &serde_json::json!({"phase": "decision", "decision": report.decision, "changed": report.changed_orgs()})).await?;
    Ok(report)
}
