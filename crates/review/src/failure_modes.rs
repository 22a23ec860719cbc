//! The failure-mode check: every flow with data actions runs a call per fault scenario with its
//! integrations failing — 503 always, 429 with `Retry-After`, no answer (timeout), an answer just
//! under and just over the SLA. Here: the scenarios, the virtual-time run on the flow runtime
//! (`simulation::runtime::CallExecution`, the one runtime the emulator's live calls also drive;
//! milliseconds per drill, any target) and the judge. `drills.rs` runs the same scenarios on live
//! emulator calls with fault rules on the integrations; when it can, its verdict is the check's and
//! the virtual run is the pre-check it is compared with. The evidence is each call's path.
//!
//! What must hold: a failed data action leaves by its error path after exactly its configured
//! attempts; no retry comes sooner than `Retry-After`; the call reaches a queue, voicemail or
//! disconnect inside the budget; nothing retries for ever; an answer slower than the SLA is not
//! waited for.

use crate::finding::{Check, Finding, Severity};
use crate::static_checks::{LoadedFlow, flow_subject};
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::collections::BTreeMap;
use std::sync::Arc;
use switchboard_model::flow::{Block, FlowDefinition};
use switchboard_simulation::runtime::{
    AttemptOutcome, CallExecution, CallPath, DataActionOutcome, Effect, FlowHandle, FlowProgram, FlowWorld, LookupError,
};

/// How an integration misbehaves in one scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Unavailable503,
    RateLimited429 { retry_after_ms: u64 },
    NoAnswer,
    AnswerJustUnderSla,
    AnswerJustOverSla,
}

impl Fault {
    pub fn name(self) -> String {
        match self {
            Fault::Unavailable503 => "503 always".into(),
            Fault::RateLimited429 { retry_after_ms } => format!("429 with Retry-After {} s", retry_after_ms / 1000),
            Fault::NoAnswer => "no answer (timeout)".into(),
            Fault::AnswerJustUnderSla => "answer just under the SLA".into(),
            Fault::AnswerJustOverSla => "answer just over the SLA".into(),
        }
    }

    fn fails(self) -> bool {
        matches!(self, Fault::Unavailable503 | Fault::RateLimited429 { .. } | Fault::NoAnswer)
    }
}

/// The scenarios every flow with data actions runs.
pub const SCENARIOS: [Fault; 5] =
    [Fault::Unavailable503, Fault::RateLimited429 { retry_after_ms: 1_000 }, Fault::NoAnswer, Fault::AnswerJustUnderSla, Fault::AnswerJustOverSla];

/// The policy the calls are held to.
#[derive(Debug, Clone, Copy)]
pub struct FaultPolicy {
    pub sla_ms: u64,
    /// Longest a call may spend in its flows before it reaches a queue, voicemail or disconnect.
    pub budget_ms: u64,
}

/// The flows of a review as the runtime sees them: published under their names.
struct ReviewWorld {
    flows: BTreeMap<String, FlowHandle>,
}

impl FlowWorld for ReviewWorld {
    fn flow_by_ref(&self, reference: &str) -> Option<FlowHandle> {
        self.flows.get(reference).cloned()
    }

    fn datatable_row(&self, _table: &str, _key: &str) -> Result<Option<BTreeMap<String, String>>, LookupError> {
        // No rows: look-ups take their not-found path, the conservative one for a drill.
        Ok(None)
    }

    fn queue_by_ref(&self, reference: &str) -> Option<String> {
        Some(reference.to_string())
    }
}

/// The reviewed flows compiled for the runtime once; drills any of them in virtual time.
pub struct VirtualDrills {
    world: ReviewWorld,
    compile_errors: BTreeMap<String, String>,
}

impl VirtualDrills {
    pub fn new(flows: &[LoadedFlow]) -> VirtualDrills {
        let mut handles = BTreeMap::new();
        let mut compile_errors = BTreeMap::new();
        for flow in flows {
            match FlowProgram::compile(&flow.definition) {
                Ok(program) => {
                    let name: Arc<str> = Arc::from(flow.definition.name.as_str());
                    handles.insert(
                        flow.definition.name.clone(),
                        FlowHandle { id: name.clone(), name, version: Arc::from("review"), program: Arc::new(program), stamps_flow_version: false },
                    );
                }
                Err(error) => {
                    compile_errors.insert(flow.definition.name.clone(), error.to_string());
                }
            }
        }
        VirtualDrills { world: ReviewWorld { flows: handles }, compile_errors }
    }

    /// One call through `flow` under `fault`; `Err` is why the runtime cannot run the flow.
    pub fn drill(&self, flow: &FlowDefinition, fault: Fault, policy: FaultPolicy) -> Result<DrillPath, String> {
        if let Some(error) = self.compile_errors.get(&flow.name) {
            return Err(error.clone());
        }
        let handle = self.world.flows.get(&flow.name).cloned().ok_or_else(|| format!("flow `{}` was not compiled", flow.name))?;
        Ok(drive(&self.world, handle, fault, policy))
    }
}

/// Whether the check drills this flow.
pub fn has_data_actions(flow: &FlowDefinition) -> bool {
    flow.blocks.values().any(|block| matches!(block, Block::DataAction(_)))
}

/// The finding for a flow the runtime cannot run.
pub fn not_runnable(subject: &str, error: &str) -> Finding {
    finding("fault-drill-not-runnable", Severity::Error, subject, format!("the runtime cannot run this flow: {error}"), Vec::new())
}

/// Runs every scenario on every flow that has data actions in virtual time; returns (subjects, findings).
pub fn run(flows: &[LoadedFlow], policy: FaultPolicy) -> (Vec<String>, Vec<Finding>) {
    let drills = VirtualDrills::new(flows);
    let mut subjects = Vec::new();
    let mut findings = Vec::new();
    for flow in flows.iter().filter(|flow| has_data_actions(&flow.definition)) {
        let subject = flow_subject(&flow.definition.name);
        subjects.push(subject.clone());
        for fault in SCENARIOS {
            match drills.drill(&flow.definition, fault, policy) {
                Ok(path) => findings.extend(judge(&flow.definition, &subject, fault, &path, None, policy)),
                Err(error) => {
                    findings.push(not_runnable(&subject, &error));
                    break;
                }
            }
        }
    }
    (subjects, findings)
}

pub(crate) fn finding(code: &str, severity: Severity, subject: &str, message: String, evidence: Vec<String>) -> Finding {
    Finding { check: Check::FailureModes, code: code.to_string(), severity, subject: subject.to_string(), message, evidence }
}

/// One call through the flow with every integration behaving as `fault` says. Stops at a terminal
/// effect, or after ten budgets of flow time (a call still going then retries for ever).
fn drive(world: &ReviewWorld, flow: FlowHandle, fault: Fault, policy: FaultPolicy) -> DrillPath {
    // The drill's own bound (ten budgets of flow time) decides "for ever", not the runtime's step limit.
    let mut call = CallExecution::new(flow, switchboard_model::flow::call_start_variables("+15550100", "+15550199").into_iter().collect())
        .with_step_limit(u32::MAX);
    let mut rng = StdRng::seed_from_u64(1);
    let give_up_ms = policy.budget_ms.saturating_mul(10);
    let mut ended = false;
    for _ in 0..100_000 {
        if call.elapsed_ms() > give_up_ms {
            break;
        }
        match call.step(world, &mut rng) {
            Effect::Disconnect { reason } if reason.as_ref() == "loop" => break,
            effect if effect.is_terminal() => {
                ended = true;
                break;
            }
            Effect::CallDataAction { timeout_ms, .. } => {
                let (outcome, latency) = answer(fault, timeout_ms, policy.sla_ms);
                call.complete_data_action(outcome, latency);
            }
            // Prompts, waits and backoffs advance the call's own clock in the runtime.
            _ => {}
        }
    }
    let elapsed_ms = call.elapsed_ms();
    DrillPath::from_runtime(&call.take_path(), ended, elapsed_ms)
}

/// The integration's answer to one attempt under `fault`: (outcome, latency).
fn answer(fault: Fault, timeout_ms: u64, sla_ms: u64) -> (DataActionOutcome, u64) {
    let slow = |latency: u64| {
        if latency >= timeout_ms { (DataActionOutcome::Timeout, timeout_ms) } else { (DataActionOutcome::Success { outputs: BTreeMap::new() }, latency) }
    };
    match fault {
        Fault::Unavailable503 => (DataActionOutcome::Failure { status: Some(503), retry_after_ms: None }, 40),
        Fault::RateLimited429 { retry_after_ms } => (DataActionOutcome::Failure { status: Some(429), retry_after_ms: Some(retry_after_ms) }, 40),
        Fault::NoAnswer => (DataActionOutcome::Timeout, timeout_ms),
        // Just under whichever limit is stricter: the flow's own timeout or the SLA.
        Fault::AnswerJustUnderSla => slow(timeout_ms.min(sla_ms).saturating_sub(100)),
        Fault::AnswerJustOverSla => slow(sla_ms + 100),
    }
}

/// How one data-action attempt ended, as both runs record it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptResult {
    Success,
    Failure(Option<u16>),
    Timeout,
}

/// One data-action attempt of a drill call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub block: String,
    pub attempt: u32,
    pub result: AttemptResult,
    pub latency_ms: u64,
    pub started_at_ms: u64,
    pub backoff_ms: Option<u64>,
}

/// What a drill call did, from the runtime's `CallPath` (virtual time) or the emulator's call
/// record (a live call): the same judge reads both.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DrillPath {
    /// Where it ran, for the evidence (`virtual time`, `live call <id> on the emulator`).
    pub run: String,
    pub visits: Vec<String>,
    pub attempts: Vec<Attempt>,
    /// `ended at `block`: ...`, when it ended.
    pub terminal: Option<String>,
    /// Whether the call left its flows (queue, voicemail or disconnect).
    pub ended: bool,
    /// Flow time in the flows, ms.
    pub elapsed_ms: u64,
    /// Extra evidence lines (requests the integration saw, the pre-check's verdict).
    pub notes: Vec<String>,
}

impl DrillPath {
    fn from_runtime(path: &CallPath, ended: bool, elapsed_ms: u64) -> DrillPath {
        DrillPath {
            run: "virtual time".to_string(),
            visits: path.visits.iter().map(|visit| visit.block.to_string()).collect(),
            attempts: path
                .data_actions
                .iter()
                .map(|attempt| Attempt {
                    block: attempt.block.to_string(),
                    attempt: attempt.attempt,
                    result: match &attempt.outcome {
                        AttemptOutcome::Success => AttemptResult::Success,
                        AttemptOutcome::Failure { status } => AttemptResult::Failure(*status),
                        AttemptOutcome::Timeout => AttemptResult::Timeout,
                    },
                    latency_ms: attempt.latency_ms,
                    started_at_ms: attempt.started_at_ms,
                    backoff_ms: attempt.backoff_ms,
                })
                .collect(),
            terminal: path.terminal.as_ref().map(|terminal| format!("ended at `{}`: {:?}", terminal.block, terminal.outcome)),
            ended,
            elapsed_ms,
            notes: Vec::new(),
        }
    }
}

/// The call's path as evidence: where it ran, blocks in order, each data-action attempt with its
/// outcome and backoff, where it ended.
fn describe(path: &DrillPath) -> Vec<String> {
    const SHOWN: usize = 12;
    let blocks: Vec<&str> = path.visits.iter().map(String::as_str).collect();
    let mut lines = vec![format!("run: {}, {} ms of flow time", path.run, path.elapsed_ms)];
    lines.push(if blocks.len() > SHOWN * 2 {
        format!("path: {} → … ({} more visits)", blocks[..SHOWN * 2].join(" → "), blocks.len() - SHOWN * 2)
    } else {
        format!("path: {}", blocks.join(" → "))
    });
    if path.attempts.len() > SHOWN {
        lines.push(format!("{} data-action attempts; the first {SHOWN}:", path.attempts.len()));
    }
    for attempt in path.attempts.iter().take(SHOWN) {
        let outcome = match &attempt.result {
            AttemptResult::Success => "success".to_string(),
            AttemptResult::Failure(Some(status)) => format!("HTTP {status}"),
            AttemptResult::Failure(None) => "no response".to_string(),
            AttemptResult::Timeout => "timeout".to_string(),
        };
        let backoff = attempt.backoff_ms.map(|ms| format!(", then waited {ms} ms")).unwrap_or_default();
        lines.push(format!(
            "{} attempt {} at {} ms: {outcome} after {} ms{backoff}",
            attempt.block, attempt.attempt, attempt.started_at_ms, attempt.latency_ms
        ));
    }
    match &path.terminal {
        Some(terminal) => lines.push(terminal.clone()),
        None => lines.push("never ended".to_string()),
    }
    lines.extend(path.notes.iter().cloned());
    lines
}

/// The findings one drill call earns. A call that never ended retries for ever — unless it is a
/// live call that made no more requests than its data actions allow, which is only slow.
pub fn judge(flow: &FlowDefinition, subject: &str, fault: Fault, path: &DrillPath, requests: Option<u64>, policy: FaultPolicy) -> Vec<Finding> {
    let evidence = || describe(path);
    let scenario = fault.name();
    let elapsed_ms = path.elapsed_ms;
    let mut findings = Vec::new();
    if !path.ended {
        let allowed: u64 = flow
            .blocks
            .values()
            .filter_map(|block| match block {
                Block::DataAction(action) => Some(u64::from(action.retry.as_ref().map_or(1, |retry| retry.max_attempts.max(1)))),
                _ => None,
            })
            .sum();
        let attempts = requests.unwrap_or(path.attempts.len() as u64);
        if requests.is_some() && attempts <= allowed {
            findings.push(finding(
                "fault-over-budget",
                Severity::Error,
                subject,
                format!("{scenario}: the call was still in its flow after {elapsed_ms} ms; the budget is {} ms", policy.budget_ms),
                evidence(),
            ));
        } else {
            findings.push(finding(
                "fault-retries-forever",
                Severity::Error,
                subject,
                format!("{scenario}: after {elapsed_ms} ms of flow time the call was still retrying ({attempts} attempts)"),
                evidence(),
            ));
        }
        return findings;
    }
    if elapsed_ms > policy.budget_ms {
        findings.push(finding(
            "fault-over-budget",
            Severity::Error,
            subject,
            format!("{scenario}: the call took {elapsed_ms} ms in the flow before it ended; the budget is {} ms", policy.budget_ms),
            evidence(),
        ));
    }
    // Group attempts into runs of one data action (attempt 1 starts a run).
    let mut runs: Vec<Vec<&Attempt>> = Vec::new();
    for attempt in &path.attempts {
        if attempt.attempt == 1 || runs.is_empty() {
            runs.push(Vec::new());
        }
        if let Some(run) = runs.last_mut() {
            run.push(attempt);
        }
    }
    let mut occurrences: BTreeMap<&str, usize> = BTreeMap::new();
    for run in runs {
        let Some(first) = run.first() else { continue };
        let occurrence = occurrences.entry(first.block.as_str()).or_insert(0);
        let this_occurrence = *occurrence;
        *occurrence += 1;
        let Some(Block::DataAction(action)) = flow.blocks.get(first.block.as_str()) else { continue };
        let configured = action.retry.as_ref().map_or(1, |retry| retry.max_attempts.max(1));
        let last = run[run.len() - 1];
        let failed = !matches!(last.result, AttemptResult::Success);
        if fault.fails() && run.len() as u32 != configured {
            findings.push(finding(
                "fault-wrong-attempts",
                Severity::Error,
                subject,
                format!("{scenario}: `{}` made {} attempt(s); it is configured for {configured}", first.block, run.len()),
                evidence(),
            ));
        }
        if let Fault::RateLimited429 { retry_after_ms } = fault {
            for attempt in run.iter().filter(|attempt| attempt.backoff_ms.is_some_and(|backoff| backoff < retry_after_ms)) {
                findings.push(finding(
                    "retry-after-ignored",
                    Severity::Error,
                    subject,
                    format!(
                        "{scenario}: `{}` retried {} ms after attempt {}, sooner than Retry-After",
                        first.block,
                        attempt.backoff_ms.unwrap_or(0),
                        attempt.attempt
                    ),
                    evidence(),
                ));
            }
        }
        // Where the call went after the data action's last attempt.
        let next_block = next_visit_after(path, &first.block, this_occurrence);
        let error_paths: Vec<&str> = std::iter::once(action.on_error.as_str()).chain(action.on_timeout.as_deref()).collect();
        if failed && fault.fails() && next_block.is_some_and(|next| !error_paths.contains(&next)) {
            findings.push(finding(
                "fault-wrong-path",
                Severity::Error,
                subject,
                format!("{scenario}: after `{}` failed the call went to `{}`, not its error path", first.block, next_block.unwrap_or("-")),
                evidence(),
            ));
        }
        // A slow answer inside the limits must not time out (a live endpoint's own error is the
        // latency check's to report, not this scenario's).
        if fault == Fault::AnswerJustUnderSla && run.iter().any(|attempt| attempt.result == AttemptResult::Timeout) {
            findings.push(finding(
                "fault-wrong-path",
                Severity::Error,
                subject,
                format!("{scenario}: `{}` gave up on an answer inside the SLA (timeout_ms {})", first.block, action.timeout_ms),
                evidence(),
            ));
        }
        let waited_past_sla = run.iter().any(|attempt| attempt.result != AttemptResult::Timeout && attempt.latency_ms > policy.sla_ms);
        if fault == Fault::AnswerJustOverSla && waited_past_sla {
            findings.push(finding(
                "fault-slow-answer-accepted",
                Severity::Error,
                subject,
                format!(
                    "{scenario}: `{}` waited {} ms for an answer, past the {} ms SLA (timeout_ms {}); the caller sat in silence",
                    first.block, last.latency_ms, policy.sla_ms, action.timeout_ms
                ),
                evidence(),
            ));
        }
    }
    findings
}

/// The block visited after the `occurrence`-th (0-based) visit of `block`. Retries do not visit
/// the block again, so one visit is one run of attempts.
fn next_visit_after<'a>(path: &'a DrillPath, block: &str, occurrence: usize) -> Option<&'a str> {
    let position = path.visits.iter().enumerate().filter(|(_, visit)| *visit == block).nth(occurrence)?.0;
    path.visits.get(position + 1).map(String::as_str)
}
