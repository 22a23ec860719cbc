//! The org canary (issue 8 §6, seed 002 §4): apply a plan to a share of each group's orgs first,
//! observe calls there for a window, judge them against the same orgs before the change and
//! against the untouched orgs, then expand to the rest or roll the canary orgs back from their
//! snapshots and stop. Uses the apply engine through `ApplyOptions::orgs` and the existing
//! rollback; the choice and the verdict are recorded in the journal (events `canary`/ENV).

pub mod metrics;
pub mod select;
pub mod settings;
pub mod verdict;

pub use metrics::{CallMetrics, GenesysMetrics};
pub use select::choose_canary;
pub use settings::{CanarySettings, SettingsError, parse_percent, parse_window};
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
/// window then lasts `window / speed_up` of real time and measured waits are scaled back up to
/// modelled seconds before the speed-of-answer threshold applies. A real org uses 1.
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

    fn modelled(&self, mut totals: GroupTotals) -> GroupTotals {
        totals.answer_wait_ms *= self.speed_up.max(1.0);
        totals
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

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CanaryReport {
    pub environment: String,
    pub percent: u32,
    pub window_seconds: f64,
    pub canary_orgs: Vec<String>,
    pub other_orgs: Vec<String>,
    /// The canary's own deployment (its orgs only).
    pub canary: ApplyReport,
    /// None when the canary apply failed (its orgs were restored by apply) before any judgement.
    pub verdict: Option<Verdict>,
    /// What happened next: `expanded`, `rolled_back`, `held` (inconclusive) or `canary_failed`.
    pub decision: String,
    pub expansion: Option<ApplyReport>,
    pub rollback: Option<RollbackReport>,
}

fn sum(totals: impl IntoIterator<Item = GroupTotals>) -> GroupTotals {
    totals.into_iter().fold(GroupTotals::default(), |mut sum, item| {
        sum.add(&item);
        sum
    })
}

async fn measure(metrics: &dyn CallMetrics, orgs: &[String], start_ms: i64, end_ms: i64, clock: &CanaryClock) -> Result<GroupTotals, CanaryError> {
    let mut all = Vec::new();
    for org in orgs {
        all.push(clock.modelled(metrics.window(org, start_ms, end_ms).await.map_err(CanaryError::Metrics)?));
    }
    Ok(sum(all))
}

/// Applies `plan` canary first. `options.orgs`, when set, narrows the plan as for a plain apply.
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
    let canary_orgs = choose_canary(&scoped, settings.percent);
    let other_orgs: Vec<String> = scoped.orgs.iter().map(|org| org.org.clone()).filter(|org| !canary_orgs.contains(org)).collect();
    let window = clock.real(settings.window);
    let window_ms = i64::try_from(window.as_millis()).unwrap_or(i64::MAX);
    let say = |line: String| options.progress.message(&line);
    journal
        .append_event(EVENT_NAMESPACE, &plan.environment, &serde_json::json!({"phase": "chosen", "percent": settings.percent, "canary_orgs": canary_orgs, "other_orgs": other_orgs}))
        .await?;
    say(format!("canary: {} of {} org(s) first: {}", canary_orgs.len(), scoped.orgs.len(), canary_orgs.join(", ")));

    let before_end = clock.now_ms();
    let canary_before = measure(metrics, &canary_orgs, before_end - window_ms, before_end, &clock).await?;
    let canary = apply(plan, providers, journal, &ApplyOptions { orgs: canary_orgs.clone(), ..options.clone() }).await?;
    let mut report = CanaryReport {
        environment: plan.environment.clone(),
        percent: settings.percent,
        window_seconds: settings.window.as_secs_f64(),
        canary_orgs: canary_orgs.clone(),
        other_orgs: other_orgs.clone(),
        canary,
        verdict: None,
        decision: "canary_failed".into(),
        expansion: None,
        rollback: None,
    };
    if report.canary.failed() > 0 {
        journal.append_event(EVENT_NAMESPACE, &plan.environment, &serde_json::json!({"phase": "canary_failed", "deployment": report.canary.deployment})).await?;
        return Ok(report);
    }

    say(format!("canary: watching calls for {} (real {:.1} s)", settings.window.as_secs_f64(), window.as_secs_f64()));
    let after_start = clock.now_ms();
    tokio::time::sleep(window).await;
    let after_end = clock.now_ms();
    let canary_after = measure(metrics, &canary_orgs, after_start, after_end, &clock).await?;
    let control_after = if other_orgs.is_empty() { None } else { Some(measure(metrics, &other_orgs, after_start, after_end, &clock).await?) };
    let verdict = judge(&canary_before, &canary_after, control_after.as_ref(), settings);
    for comparison in &verdict.comparisons {
        say(format!("canary: {}: {:?} {}", comparison.name, comparison.outcome, comparison.reasons.join("; ")));
    }
    report.decision = match verdict.outcome {
        Outcome::Pass => "expanded",
        Outcome::Regressed => "rolled_back",
        Outcome::Inconclusive => "held",
    }
    .into();
    journal
        .append_event(EVENT_NAMESPACE, &plan.environment, &serde_json::json!({"phase": "verdict", "deployment": report.canary.deployment, "decision": report.decision, "verdict": verdict}))
        .await?;
    match verdict.outcome {
        Outcome::Pass if !other_orgs.is_empty() => {
            say(format!("canary: passed; expanding to {} org(s)", other_orgs.len()));
            report.expansion = Some(apply(plan, providers, journal, &ApplyOptions { orgs: other_orgs.clone(), ..options.clone() }).await?);
        }
        Outcome::Regressed => {
            say(format!("canary: regressed; rolling {} back from their snapshots", canary_orgs.join(", ")));
            report.rollback = Some(rollback(&report.canary.deployment, providers, journal, &options.holder).await?);
        }
        _ => {}
    }
    report.verdict = Some(verdict);
    Ok(report)
}
