//! The live checks (latency SLA, failure modes, quota headroom, session hygiene, environment
//! parity), run after static validation while the flows' locks are held.

use crate::engine::ReviewConfig;
use crate::failure_modes::{self, FaultPolicy};
use crate::finding::{Check, CheckRun, CheckStatus, Finding, Severity};
use crate::drills::LiveCalls;
use crate::{drills, hygiene, integrations, latency, quota};
use crate::static_checks::LoadedFlow;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
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
    /// How long session hygiene observes the integrations' sessions, at least, ms.
    pub hygiene_window_ms: u64,
    /// The emulator's control surface when the target is one: fault drills then run on live calls.
    pub live_calls: Option<LiveCalls>,
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
            hygiene_window_ms: 3_000,
            live_calls: None,
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
            .field("live_calls", &self.live_calls.is_some())
            .finish_non_exhaustive()
    }
}

pub async fn run<P: Platform + ?Sized>(platform: &P, config: &ReviewConfig, flows: &[LoadedFlow]) -> (Vec<CheckRun>, Vec<Finding>) {
    let mut runs = Vec::new();
    let mut findings = Vec::new();
    let wanted = |check: &Check| config.checks.contains(check);
    let policy = &config.live;
    let window_started = Instant::now();

    // The integrations the flows call, as the org knows them.
    let drills_live = policy.live_calls.is_some() && wanted(&Check::FailureModes);
    let needs_targets = drills_live || [Check::LatencySla, Check::SessionHygiene, Check::EnvironmentParity].iter().any(wanted);
    let targets = if needs_targets { integrations::targets(platform, flows).await.map_err(|error| error.to_string()) } else { Ok(Vec::new()) };
    let hygiene_before = match (&targets, wanted(&Check::SessionHygiene)) {
        (Ok(targets), true) if !targets.is_empty() => Some(hygiene::snapshot(platform, targets).await),
        _ => None,
    };

    // Latency through the platform and directly; the platform path's p95 feeds parity.
    let started = Instant::now();
    let mut platform_p95: BTreeMap<String, u64> = BTreeMap::new();
    // The endpoint URL the platform's test call resolved, per data-action reference (live drills
    // put their fault rules on its path).
    let mut endpoints: BTreeMap<String, String> = BTreeMap::new();
    match (&targets, wanted(&Check::LatencySla)) {
        (_, false) => runs.push(skipped(Check::LatencySla, "not requested")),
        (Err(error), true) => runs.push(could_not_run(Check::LatencySla, format!("reading data actions: {error}"), started)),
        (Ok(targets), true) if targets.is_empty() => runs.push(skipped(Check::LatencySla, "the flows call no integration the org has")),
        (Ok(targets), true) => {
            for target in targets {
                let sla = policy.integration_sla_ms.get(&target.reference).or_else(|| policy.integration_sla_ms.get(&target.integration_name)).copied().unwrap_or(policy.sla_ms);
                let (through_platform, endpoint) = latency::probe_platform(platform, target, policy.probes).await;
                findings.extend(latency::judge(target, &through_platform, sla, policy.expected_status));
                if let Some(p95) = through_platform.p95_ms() {
                    platform_p95.insert(target.reference.clone(), p95);
                }
                if let Some((method, url)) = endpoint {
                    endpoints.insert(target.reference.clone(), url.clone());
                    let direct = latency::probe_direct(&method, &url, &target.inputs, policy.probes, sla).await;
                    findings.extend(latency::judge(target, &direct, sla, policy.expected_status));
                }
            }
            runs.push(CheckRun { check: Check::LatencySla, status: CheckStatus::Ran, subjects: targets.iter().map(integrations::subject).collect(), duration_ms: elapsed(started) });
        }
    }

    // Fault drills: on live emulator calls where the target is an emulator (the virtual-time run
    // is their pre-check), in virtual time elsewhere.
    let started = Instant::now();
    if wanted(&Check::FailureModes) {
        let fault_policy = FaultPolicy { sla_ms: policy.sla_ms, budget_ms: policy.budget_ms };
        let (subjects, found) = match (&policy.live_calls, &targets) {
            (Some(live), Ok(targets)) => {
                for target in targets {
                    if endpoints.contains_key(&target.reference) {
                        continue;
                    }
                    if let (_, Some((_, url))) = latency::probe_platform(platform, target, 1).await {
                        endpoints.insert(target.reference.clone(), url);
                    }
                }
                drills::run(platform, live, flows, targets, &endpoints, fault_policy).await
            }
            _ => failure_modes::run(flows, fault_policy),
        };
        let status = if subjects.is_empty() { CheckStatus::Skipped("no flow has data actions".into()) } else { CheckStatus::Ran };
        runs.push(CheckRun { check: Check::FailureModes, status, subjects, duration_ms: elapsed(started) });
        findings.extend(found);
    } else {
        runs.push(skipped(Check::FailureModes, "not requested"));
    }

    // Parity: the same integrations' platform-path p95 in the other environment.
    let started = Instant::now();
    match (&policy.parity_with, wanted(&Check::EnvironmentParity)) {
        (_, false) => runs.push(skipped(Check::EnvironmentParity, "not requested")),
        (None, true) => runs.push(skipped(Check::EnvironmentParity, "no --parity-env to compare with")),
        (Some(other), true) => match integrations::targets(other.as_ref(), flows).await {
            Err(error) => runs.push(could_not_run(Check::EnvironmentParity, format!("reading data actions of {}: {error}", other.label()), started)),
            Ok(other_targets) => {
                let mut subjects = Vec::new();
                for target in &other_targets {
                    let here = match platform_p95.get(&target.reference) {
                        Some(p95) => *p95,
                        None => match latency::probe_platform(platform, target, policy.probes).await.0.p95_ms() {
                            Some(p95) => p95,
                            None => continue,
                        },
                    };
                    let Some(there) = latency::probe_platform(other.as_ref(), target, policy.probes).await.0.p95_ms() else { continue };
                    subjects.push(integrations::subject(target));
                    let gap = here.abs_diff(there);
                    if gap > policy.parity_gap_ms {
                        findings.push(Finding {
                            check: Check::EnvironmentParity,
                            code: "latency-parity-gap".into(),
                            severity: Severity::Warning,
                            subject: integrations::subject(target),
                            message: format!(
                                "p95 {here} ms in {} and {there} ms in {}: a {gap} ms gap (over {} ms) means the sandbox does not see production's network",
                                config.environment,
                                other.label(),
                                policy.parity_gap_ms
                            ),
                            evidence: vec![format!("{}: p95 {here} ms", config.environment), format!("{}: p95 {there} ms", other.label())],
                        });
                    }
                }
                runs.push(CheckRun { check: Check::EnvironmentParity, status: CheckStatus::Ran, subjects, duration_ms: elapsed(started) });
            }
        },
    }

    let started = Instant::now();
    if wanted(&Check::QuotaHeadroom) {
        match quota::run(platform, policy.min_headroom_percent, &policy.projected_peak, config.own_client_id.as_deref()).await {
            Ok(outcome) => {
                findings.extend(outcome.findings);
                let mut subjects = outcome.subjects;
                if !outcome.notes.is_empty() {
                    subjects.push("quota".into());
                }
                runs.push(CheckRun { check: Check::QuotaHeadroom, status: CheckStatus::Ran, subjects, duration_ms: elapsed(started) });
                for note in outcome.notes {
                    findings.push(Finding {
                        check: Check::QuotaHeadroom,
                        code: "quota-not-readable".into(),
                        severity: Severity::Warning,
                        subject: "quota".into(),
                        message: note,
                        evidence: Vec::new(),
                    });
                }
            }
            Err(error) => runs.push(could_not_run(Check::QuotaHeadroom, format!("reading licences and limits: {error}"), started)),
        }
    } else {
        runs.push(skipped(Check::QuotaHeadroom, "not requested"));
    }

    // Hygiene last: the window covers everything above, and at least `hygiene_window_ms`.
    let started = Instant::now();
    match (&targets, hygiene_before) {
        _ if !wanted(&Check::SessionHygiene) => runs.push(skipped(Check::SessionHygiene, "not requested")),
        (Err(error), _) => runs.push(could_not_run(Check::SessionHygiene, format!("reading data actions: {error}"), started)),
        (Ok(_), None) => runs.push(skipped(Check::SessionHygiene, "the flows call no integration the org has")),
        (Ok(_), Some(Err(error))) => runs.push(could_not_run(Check::SessionHygiene, format!("reading session counts: {error}"), started)),
        (Ok(_), Some(Ok(None))) => runs.push(CheckRun {
            check: Check::SessionHygiene,
            status: CheckStatus::NotApplicable("the platform has no integration session API (a real org); sessions cannot be counted".into()),
            subjects: Vec::new(),
            duration_ms: elapsed(started),
        }),
        (Ok(targets), Some(Ok(Some(before)))) => {
            let remaining = Duration::from_millis(policy.hygiene_window_ms).saturating_sub(window_started.elapsed());
            tokio::time::sleep(remaining).await;
            match hygiene::snapshot(platform, targets).await {
                Ok(Some(after)) => {
                    findings.extend(hygiene::judge(targets, &before, &after));
                    runs.push(CheckRun { check: Check::SessionHygiene, status: CheckStatus::Ran, subjects: targets.iter().map(integrations::subject).collect(), duration_ms: elapsed(started) });
                }
                Ok(None) => runs.push(could_not_run(Check::SessionHygiene, "the session API went away during the review".into(), started)),
                Err(error) => runs.push(could_not_run(Check::SessionHygiene, format!("reading session counts: {error}"), started)),
            }
        }
    }
    (runs, findings)
}

fn could_not_run(check: Check, reason: String, since: Instant) -> CheckRun {
    CheckRun { check, status: CheckStatus::CouldNotRun(reason), subjects: Vec::new(), duration_ms: elapsed(since) }
}

fn elapsed(since: Instant) -> u64 {
    since.elapsed().as_millis() as u64
}

fn skipped(check: Check, reason: &str) -> CheckRun {
    CheckRun { check, status: CheckStatus::Skipped(reason.to_string()), subjects: Vec::new(), duration_ms: 0 }
}
