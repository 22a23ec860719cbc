//! Fault drills on live emulator calls. For each reviewed flow with data actions that the org has
//! published, and each scenario of `failure_modes::SCENARIOS`: fault rules on the paths of the
//! flow's integration endpoints (`POST /_emulator/faults`: 503, 429 with `Retry-After`, a hang, a
//! latency just under or just over the SLA), one sped-up call on the flow (`POST /_emulator/calls`
//! with `flow`), the rules read back for the requests they saw and removed, and the call's record
//! (its path, attempts and flow time) judged like a virtual-time drill. The virtual run of the
//! same scenario is the pre-check, and each live finding says whether it agreed.
//!
//! The emulator's `/_emulator/*` is a test-only surface: the review uses it only when the target
//! answers there (an emulator); against a real org, which has no API to place a call, the drills
//! run in virtual time. Prompts and waits are sped up; data-action latency and backoff are not (the
//! emulator runs them on the wall clock), so `Retry-After` and timeouts are honoured for real.

use crate::failure_modes::{self, Attempt, AttemptResult, DrillPath, Fault, FaultPolicy, VirtualDrills};
use crate::finding::{Finding, Severity};
use crate::integrations::{ProbeTarget, SAMPLE_ANI, SAMPLE_DNIS};
use crate::static_checks::{LoadedFlow, flow_subject};
use futures_util::TryStreamExt;
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};
use switchboard_model::flow::{Block, FlowDefinition};
use std::sync::Arc;
use switchboard_platform::api::emulator::FaultRule;
use switchboard_platform::api::traffic::{PlaceCallRequest, PlacedCall};
use switchboard_platform::{Platform, PlatformExt};

/// Prompts and waits of a drill call run this many times faster than real time.
const SPEED_UP: f64 = 100.0;

/// Drill rules are named `review-drill-<pid>-<n>`, so an interrupted review can find its own.
static RULES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn rule_prefix() -> String {
    format!("review-drill-{}-", std::process::id())
}

/// The emulator's control surface, for drills on live calls: reached through the platform client
/// (`PlatformExt::emulator`, with the control credential the target was given), never raw HTTP.
#[derive(Clone)]
pub struct LiveCalls {
    base_url: String,
    platform: Arc<dyn Platform>,
}

impl std::fmt::Debug for LiveCalls {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("LiveCalls").field("base_url", &self.base_url).field("org", &self.platform.label()).finish()
    }
}

/// How long detection waits for the control surface: a real org need not delay the review.
const DETECT_TIMEOUT: Duration = Duration::from_secs(5);

impl LiveCalls {
    /// `platform` is an org client of the emulator at `base_url` (the control surface is not per
    /// org; any org's client with the control credential reaches it).
    pub fn new(platform: Arc<dyn Platform>, base_url: &str) -> LiveCalls {
        LiveCalls { base_url: base_url.trim_end_matches('/').to_string(), platform }
    }

    /// The control surface when the target is an emulator that serves it to this client (it
    /// lists fault rules at `GET /_emulator/faults`); `None` for a real org, a `--strict`
    /// emulator, a missing control credential, or an unreachable target.
    pub async fn detect(platform: Arc<dyn Platform>, base_url: &str) -> Option<LiveCalls> {
        let live = LiveCalls::new(platform, base_url);
        let available = tokio::time::timeout(DETECT_TIMEOUT, live.platform.emulator().available()).await;
        available.unwrap_or(false).then_some(live)
    }

    async fn add_fault(&self, rule: &FaultRule) -> Result<FaultRule, String> {
        self.platform.emulator().add_fault(rule).await.map_err(|error| format!("POST /_emulator/faults: {error}"))
    }

    /// Removes every fault rule this process's drills added: the review calls it when it is
    /// interrupted mid-drill, so no integration is left failing.
    pub async fn remove_own_faults(&self) {
        let prefix = rule_prefix();
        for rule in self.faults().await.unwrap_or_default().into_iter().filter(|rule| rule.id.starts_with(&prefix)) {
            self.remove_fault(&rule.id).await;
        }
    }

    async fn faults(&self) -> Result<Vec<FaultRule>, String> {
        self.platform.emulator().faults().await.map_err(|error| error.to_string())
    }

    async fn remove_fault(&self, id: &str) {
        if let Err(error) = self.platform.emulator().remove_fault(id).await {
            tracing::warn!("removing drill fault rule {id}: {error}");
        }
    }

    async fn place_call(&self, request: &PlaceCallRequest) -> Result<PlacedCall, String> {
        self.platform.emulator().place_call(request).await.map_err(|error| format!("POST /_emulator/calls: {error}"))
    }

    /// Waits (a few seconds at most) for a call to leave its flow.
    async fn await_flow(&self, conversation_id: &str) {
        if let Err(error) = self.platform.emulator().await_call(conversation_id, "flow", Duration::from_secs(5)).await {
            tracing::warn!("waiting for drill call {conversation_id}: {error}");
        }
    }

    /// The URL path of `url` when it is served by this emulator (so a fault rule reaches it).
    fn local_path(&self, url: &str) -> Option<String> {
        let rest = url.strip_prefix(&self.base_url)?;
        let path = rest.split(['?', '#']).next().unwrap_or_default();
        path.starts_with('/').then(|| path.to_string())
    }
}

/// Why a flow is drilled in virtual time only, or what its live drills need.
enum Plan {
    Live { flow_id: String, paths: BTreeMap<String, u64> },
    VirtualOnly(String),
}

/// Runs the failure-mode check: live drills where the flow can run on the emulator, virtual-time
/// drills elsewhere. `endpoints` maps a data-action reference (as the flows write it) to the URL
/// the platform's test call resolved. Returns (subjects, findings).
pub async fn run<P: Platform + ?Sized>(
    platform: &P,
    live: &LiveCalls,
    flows: &[LoadedFlow],
    targets: &[ProbeTarget],
    endpoints: &BTreeMap<String, String>,
    policy: FaultPolicy,
) -> (Vec<String>, Vec<Finding>) {
    let virtual_drills = VirtualDrills::new(flows);
    let org = platform.orgs().me().await.map(|org| org.value.id);
    let mut subjects = Vec::new();
    let mut findings = Vec::new();
    for flow in flows.iter().filter(|flow| failure_modes::has_data_actions(&flow.definition)) {
        let definition = &flow.definition;
        let subject = flow_subject(&definition.name);
        subjects.push(subject.clone());
        let plan = match &org {
            Ok(_) => plan(platform, live, definition, targets, endpoints).await,
            Err(error) => Plan::VirtualOnly(format!("the org's id could not be read: {error}")),
        };
        for fault in failure_modes::SCENARIOS {
            let pre_check = match virtual_drills.drill(definition, fault, policy) {
                Ok(path) => path,
                Err(error) => {
                    findings.push(failure_modes::not_runnable(&subject, &error));
                    break;
                }
            };
            let virtual_findings = failure_modes::judge(definition, &subject, fault, &pre_check, None, policy);
            let (Plan::Live { flow_id, paths }, Ok(org_id)) = (&plan, &org) else {
                findings.extend(virtual_findings);
                continue;
            };
            match drill(live, org_id, flow_id, paths, fault, policy).await {
                Ok((mut path, requests)) => {
                    let mut live_findings = failure_modes::judge(definition, &subject, fault, &path, Some(requests), policy);
                    let codes = |found: &[Finding]| found.iter().map(|finding| finding.code.clone()).collect::<BTreeSet<_>>();
                    let agreement = if codes(&live_findings) == codes(&virtual_findings) {
                        "virtual-time pre-check: same verdict".to_string()
                    } else {
                        format!("virtual-time pre-check differed: {:?}", codes(&virtual_findings))
                    };
                    for finding in &mut live_findings {
                        finding.evidence.push(agreement.clone());
                    }
                    path.notes.push(agreement);
                    findings.extend(live_findings);
                }
                Err(error) => {
                    findings.push(failure_modes::finding(
                        "fault-drill-not-runnable",
                        Severity::Error,
                        &subject,
                        format!("{}: the live drill could not run: {error}", fault.name()),
                        Vec::new(),
                    ));
                }
            }
        }
        if let Plan::VirtualOnly(reason) = plan {
            findings.push(failure_modes::finding(
                "fault-drill-virtual-only",
                Severity::Warning,
                &subject,
                format!("drilled in virtual time only: {reason}"),
                Vec::new(),
            ));
        }
    }
    (subjects, findings)
}

/// Whether `flow` can be drilled live: published in the org, every integration it calls served
/// by the emulator. For live drills: the flow's id and each endpoint path with the shortest
/// timeout a data action gives it.
async fn plan<P: Platform + ?Sized>(
    platform: &P,
    live: &LiveCalls,
    flow: &FlowDefinition,
    targets: &[ProbeTarget],
    endpoints: &BTreeMap<String, String>,
) -> Plan {
    let listed: Result<Vec<_>, _> = platform.flows().list(Some(&flow.name), None).try_collect().await;
    let published = match listed {
        Ok(found) => found.into_iter().find(|found| found.name == flow.name && found.published_version.is_some()),
        Err(error) => return Plan::VirtualOnly(format!("listing flows: {error}")),
    };
    let Some(published) = published else {
        return Plan::VirtualOnly("the flow is not published in the org (a live call runs the published version)".to_string());
    };
    let mut paths: BTreeMap<String, u64> = BTreeMap::new();
    for block in flow.blocks.values() {
        let Block::DataAction(action) = block else { continue };
        if !targets.iter().any(|target| target.reference == action.integration) {
            return Plan::VirtualOnly(format!("integration `{}` is not in the org", action.integration));
        }
        let Some(url) = endpoints.get(&action.integration) else {
            return Plan::VirtualOnly(format!("the platform's test call resolved no endpoint for `{}`", action.integration));
        };
        let Some(path) = live.local_path(url) else {
            return Plan::VirtualOnly(format!("`{}` calls {url}, outside the emulator: no fault rule reaches it", action.integration));
        };
        let timeout = paths.entry(path).or_insert(action.timeout_ms);
        *timeout = (*timeout).min(action.timeout_ms);
    }
    Plan::Live { flow_id: published.id, paths }
}

/// The fault rule for one endpoint path under `fault`.
fn rule(path: &str, fault: Fault, timeout_ms: u64, sla_ms: u64) -> FaultRule {
    let number = RULES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut rule = FaultRule { id: format!("{}{number}", rule_prefix()), path: path.to_string(), ..FaultRule::default() };
    match fault {
        Fault::Unavailable503 => rule.status = Some(503),
        Fault::RateLimited429 { retry_after_ms } => {
            rule.status = Some(429);
            rule.retry_after_seconds = Some(retry_after_ms.div_ceil(1_000));
        }
        Fault::NoAnswer => rule.hang = true,
        // Just under the stricter of the flow's timeout and the SLA; just over the SLA.
        Fault::AnswerJustUnderSla => rule.latency_ms = Some(timeout_ms.min(sla_ms).saturating_sub(100)),
        Fault::AnswerJustOverSla => rule.latency_ms = Some(sla_ms + 100),
    }
    rule
}

/// One live drill: rules in, one call, rules read back and out (on every path). Returns the
/// call's path and the requests the integrations saw.
async fn drill(
    live: &LiveCalls,
    org_id: &str,
    flow_id: &str,
    paths: &BTreeMap<String, u64>,
    fault: Fault,
    policy: FaultPolicy,
) -> Result<(DrillPath, u64), String> {
    let mut installed = Vec::new();
    let mut outcome = Ok(());
    for (path, timeout_ms) in paths {
        match live.add_fault(&rule(path, fault, *timeout_ms, policy.sla_ms)).await {
            Ok(added) => installed.push(added),
            Err(error) => {
                outcome = Err(error);
                break;
            }
        }
    }
    let called = match outcome {
        Ok(()) => {
            let request = PlaceCallRequest {
                org: org_id.to_string(),
                did: SAMPLE_DNIS.to_string(),
                ani: Some(SAMPLE_ANI.to_string()),
                speed_up: Some(SPEED_UP),
                // Real time never exceeds flow time here (only prompts are sped up), so a call
                // still in its flow after the budget is over it.
                timeout_ms: Some(policy.budget_ms.saturating_add(1_000).min(600_000)),
                flow: Some(flow_id.to_string()),
                ..PlaceCallRequest::default()
            };
            let started = Instant::now();
            live.place_call(&request).await.map(|placed| (placed, started.elapsed()))
        }
        Err(error) => Err(error),
    };
    let rules = live.faults().await.unwrap_or_default();
    let requests: u64 = installed
        .iter()
        .map(|added| rules.iter().find(|rule| rule.id == added.id).map_or(0, |rule| rule.applied))
        .sum();
    for added in &installed {
        live.remove_fault(&added.id).await;
    }
    let (placed, waited) = called?;
    if !placed.flow_finished {
        // Without its fault the integration answers again; let the call leave its flow before
        // the next scenario, so its requests are not counted there.
        live.await_flow(&placed.conversation_id).await;
    }
    let mut path = from_placed(&placed, waited);
    let on: Vec<String> = installed.iter().map(|added| format!("{} on {}", added.id, added.path)).collect();
    path.notes.push(format!("the integration saw {requests} request(s) during the drill (fault rule {})", on.join(", ")));
    Ok((path, requests))
}

/// The emulator's record of a drill call as a drill path.
fn from_placed(placed: &PlacedCall, waited: Duration) -> DrillPath {
    let run = format!("live call {} on the emulator (prompts sped up {SPEED_UP}x)", placed.conversation_id);
    let Some(view) = placed.path.as_ref().filter(|_| placed.flow_finished) else {
        return DrillPath { run, ended: false, elapsed_ms: waited.as_millis() as u64, ..DrillPath::default() };
    };
    DrillPath {
        run,
        visits: view.visits.iter().map(|visit| visit.block.clone()).collect(),
        attempts: view
            .data_actions
            .iter()
            .map(|attempt| Attempt {
                block: attempt.block.clone(),
                attempt: attempt.attempt,
                result: match attempt.outcome.as_str() {
                    "success" => AttemptResult::Success,
                    "timeout" => AttemptResult::Timeout,
                    _ => AttemptResult::Failure(attempt.status),
                },
                latency_ms: attempt.latency_ms,
                started_at_ms: attempt.started_at_ms,
                backoff_ms: attempt.backoff_ms,
            })
            .collect(),
        terminal: view.terminal.as_ref().map(|terminal| {
            let detail = terminal.queue.clone().or_else(|| terminal.reason.clone()).or_else(|| terminal.voicemail.clone()).unwrap_or_default();
            format!("ended at `{}`: {} {detail}", terminal.block, terminal.kind)
        }),
        // The runtime's own step limit ends a spinning call as a `loop` disconnect: not an end.
        ended: view.terminal.as_ref().is_none_or(|terminal| terminal.reason.as_deref() != Some("loop")),
        elapsed_ms: placed.flow_ms.unwrap_or(waited.as_millis() as u64),
        notes: Vec::new(),
    }
}
