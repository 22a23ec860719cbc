//! The live checks (latency SLA, failure modes, quota headroom, session hygiene, environment
//! parity), run after static validation while the flows' locks are held.

use crate::engine::ReviewConfig;
use crate::failure_modes::{self, FaultPolicy};
use crate::finding::{Check, CheckRun, CheckStatus, Finding};
use crate::static_checks::LoadedFlow;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;
use switchboard_platform::Platform;

/// The live checks' settings; `Default` is seed 001's policy.
#[derive(Clone)]
pub struct LivePolicy {
    /// p95 latency SLA per integration, ms.
    pub sla_ms: u64,
    /// Per-integration SLA overrides (by integration or data action name).
    pub integration_sla_ms: BTreeMap<String, u64>,
    /// Probes per integration and path.
    pub probes: usize,
    /// The status a healthy integration answers with.
    pub expected_status: u16,
    /// Fail below this percentage available.
    pub min_headroom_percent: f64,
    /// Projected peak use per licence or limit name.
    pub projected_peak: BTreeMap<String, u64>,
    /// The other environment for the parity check.
    pub parity_with: Option<Arc<dyn Platform>>,
    /// A latency gap over this is a parity warning, ms.
    pub parity_gap_ms: u64,
    /// Longest a call may spend in its flows in a fault drill before it reaches a queue,
    /// voicemail or disconnect, ms.
    pub budget_ms: u64,
}

impl Default for LivePolicy {
    fn default() -> LivePolicy {
        LivePolicy {
            sla_ms: 4_000,
            integration_sla_ms: BTreeMap::new(),
            probes: 5,
            expected_status: 200,
            min_headroom_percent: 10.0,
            projected_peak: BTreeMap::new(),
            parity_with: None,
            parity_gap_ms: 200,
            budget_ms: 60_000,
        }
    }
}

impl std::fmt::Debug for LivePolicy {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("LivePolicy")
            .field("sla_ms", &self.sla_ms)
            .field("probes", &self.probes)
            .field("parity_with", &self.parity_with.as_ref().map(|platform| platform.label().to_string()))
            .finish_non_exhaustive()
    }
}

pub async fn run<P: Platform + ?Sized>(_platform: &P, config: &ReviewConfig, flows: &[LoadedFlow]) -> (Vec<CheckRun>, Vec<Finding>) {
    let mut runs = Vec::new();
    let mut findings = Vec::new();
    let wanted = |check: &Check| config.checks.contains(check);

    let started = Instant::now();
    if wanted(&Check::FailureModes) {
        let policy = FaultPolicy { sla_ms: config.live.sla_ms, budget_ms: config.live.budget_ms };
        let (subjects, found) = failure_modes::run(flows, policy);
        let status = if subjects.is_empty() { CheckStatus::Skipped("no flow has data actions".into()) } else { CheckStatus::Ran };
        runs.push(CheckRun { check: Check::FailureModes, status, subjects, duration_ms: elapsed(started) });
        findings.extend(found);
    } else {
        runs.push(skipped(Check::FailureModes, "not requested"));
    }

    for check in [Check::LatencySla, Check::QuotaHeadroom, Check::SessionHygiene, Check::EnvironmentParity] {
        runs.push(skipped(check, if wanted(&check) { "not built yet" } else { "not requested" }));
    }
    (runs, findings)
}

fn elapsed(since: Instant) -> u64 {
    since.elapsed().as_millis() as u64
}

fn skipped(check: Check, reason: &str) -> CheckRun {
    CheckRun { check, status: CheckStatus::Skipped(reason.to_string()), subjects: Vec::new(), duration_ms: 0 }
}
