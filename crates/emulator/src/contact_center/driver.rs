//! One call's tokio task: runs the flow runtime against live state, carries out its effects with
//! timers and real HTTP, then queues, connects, wraps up or abandons.
//!
//! Prompts, waits, handle and wrap-up times and caller patience are divided by the call's
//! speed-up; data-action latency and retry backoff are not, because they happen against a real
//! service (sped-up backoff would hammer it and break `Retry-After`).

use super::Runtime;
use super::agent_leg::{end_call, queue_call};
use super::call::{CallState, LiveCall, Outcome, Phase};
use super::world::LiveWorld;
use super::{data_action, events};
use crate::analytics::{ConversationRecord, FlowExit, FlowSegment, QueueSegment};
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use switchboard_api::traffic::PlacedCall;
use switchboard_model::flow::FlowType;
use switchboard_simulation::runtime::{
    AttemptOutcome, CallExecution, Caller, Effect, FLOW_VERSION_ATTRIBUTE, FlowHandle, is_dtmf_key,
};

/// A call to place.
#[derive(Debug, Clone, PartialEq)]
pub struct CallRequest {
    /// Org id or name.
    pub org: String,
    pub did: String,
    /// The caller's number; a test number when absent.
    pub ani: Option<String>,
    /// Participant data the call starts with (besides `ANI` and `DNIS`).
    pub attributes: BTreeMap<String, String>,
    /// 1 = real time.
    pub speed_up: f64,
    /// Keys the caller presses at menus and input prompts, in order; seeded random choices when absent.
    pub dtmf: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    #[error("org '{0}' does not exist")]
    UnknownOrg(String),
    #[error("number '{did}' is not routed to a flow in org '{org}'")]
    NoFlow { org: String, did: String },
    #[error("flow: '{0}' is no flow of the org")]
    UnknownFlow(String),
    #[error("flow '{flow}' (for number '{did}') has no published version that compiles")]
    NotPublished { flow: String, did: String },
    #[error("{0}")]
    InvalidSpeedUp(String),
    #[error("dtmf: '{0}' is not a DTMF key (0-9, *, #)")]
    InvalidDtmf(char),
    #[error("{0} calls are live; no more until some end")]
    TooManyCalls(usize),
}

/// Starts a call on `did` and returns at once; the call runs in its own task. Needs a tokio runtime.
pub fn place_call(runtime: &Runtime, request: CallRequest) -> Result<Arc<LiveCall>, CallError> {
    place_call_on(runtime, request, None)
}

/// [`place_call`], running `flow` (id or name) instead of the flow `did` routes to when given.
pub fn place_call_on(runtime: &Runtime, request: CallRequest, flow: Option<&str>) -> Result<Arc<LiveCall>, CallError> {
    if let Err(error) = crate::limits::speed_up(request.speed_up) {
        return Err(CallError::InvalidSpeedUp(error.message));
    }
    if runtime.center.live_call_count() >= crate::limits::LIVE_CALLS_MAX {
        return Err(CallError::TooManyCalls(crate::limits::LIVE_CALLS_MAX));
    }
    if let Some(key) = request.dtmf.iter().flat_map(|keys| keys.chars()).find(|key| !is_dtmf_key(*key) && !key.is_whitespace()) {
        return Err(CallError::InvalidDtmf(key));
    }
    let org_id = runtime.directory.find_org(&request.org).ok_or_else(|| CallError::UnknownOrg(request.org.clone()))?;
    let center = &runtime.center;
    let flow_id = runtime
        .directory
        .with_org(&org_id, |org| match flow {
            Some(reference) => org.flow_by_ref(reference).map(|record| record.flow.id.clone()),
            None => org.flow_for_number(&request.did).map(|record| record.flow.id.clone()),
        })
        .flatten()
        .ok_or_else(|| match flow {
            Some(reference) => CallError::UnknownFlow(reference.to_string()),
            None => CallError::NoFlow { org: request.org.clone(), did: request.did.clone() },
        })?;
    let world = LiveWorld { runtime, org_id: &org_id, programs: &center.programs };
    let flow = world.handle(&flow_id).ok_or_else(|| CallError::NotPublished { flow: flow_id, did: request.did.clone() })?;
    let sequence = center.next_sequence();
    let ani = request.ani.clone().unwrap_or_else(|| format!("+1555{:07}", sequence % 10_000_000));
    let mut attributes = request.attributes.clone();
    attributes.extend(switchboard_model::flow::call_start_variables(&ani, &request.did));
    let conversation_id = uuid::Uuid::new_v4().to_string();
    let clock = runtime.clock;
    let start = clock.utc_ms();
    let call = Arc::new(LiveCall::new(
        conversation_id.clone(),
        CallState {
            org_id: org_id.clone(),
            did: request.did.clone(),
            ani: ani.clone(),
            phase: Phase::InFlow,
            outcome: Outcome::InProgress,
            attributes: attributes.clone(),
            pending_attributes: Vec::new(),
            path: None,
            record: ConversationRecord {
                conversation_id,
                ani,
                dnis: request.did.clone(),
                start_ms: start,
                time_scale: request.speed_up,
                ..ConversationRecord::default()
            },
            queue_name: None,
            agent_name: None,
            speed_up: request.speed_up,
            flow_ms: None,
        },
        clock,
    ));
    center.register(call.clone());
    let seed = center.options().seed ^ sequence.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let caller = request.dtmf.as_deref().map(Caller::scripted).unwrap_or_default();
    tokio::spawn(run(runtime.clone(), call.clone(), flow, attributes, caller, StdRng::seed_from_u64(seed)));
    Ok(call)
}

/// The `/_emulator/calls` view of a call.
pub fn placed_call(call: &LiveCall) -> PlacedCall {
    let locked = call.lock();
    let queue = locked.record.queue.as_ref();
    PlacedCall {
        conversation_id: call.id.clone(),
        org: locked.org_id.clone(),
        did: locked.did.clone(),
        flow_finished: locked.path.is_some(),
        ended: locked.phase == Phase::Ended,
        path: locked.path.as_ref().map(super::routes::path_view),
        outcome: locked.outcome.as_str().to_string(),
        queue_id: queue.map(|queue| queue.queue_id.clone()),
        agent_id: queue.and_then(|queue| queue.agent_id.clone()),
        attributes: locked.attributes.clone(),
        flow_ms: locked.flow_ms,
    }
}

pub(super) async fn sleep_modelled(ms: u64, speed_up: f64) {
    if ms > 0 {
        // Checked conversion: a speed-up is range-checked on entry, but nothing here may panic.
        tokio::time::sleep(crate::limits::scaled(ms, speed_up)).await;
    }
}

enum FlowEnd {
    Queue { queue_id: String, queue_name: String, priority: i32 },
    Disconnect { reason: String },
    /// Left in a voicemail box (the path's terminal names it); analytics see a flow disconnect
    /// with reason `voicemail`.
    Voicemail,
}

async fn run(
    runtime: Runtime,
    call: Arc<LiveCall>,
    flow: FlowHandle,
    data: BTreeMap<String, String>,
    caller: Caller,
    mut rng: StdRng,
) {
    let center = &runtime.center;
    let (org_id, speed_up) = {
        let locked = call.lock();
        (locked.org_id.clone(), locked.speed_up)
    };
    // Live calls read the wall clock in `GetCurrentDateTimeUtc()`; the flow's own time runs on from it.
    let mut execution = CallExecution::new(flow, data).with_clock_origin_ms(call.now_ms()).with_caller(caller);
    sync_segments(&call, &execution);
    events::conversation_changed(&runtime, &call);
    let end = loop {
        let effect = {
            let pending: Vec<(String, String)> = std::mem::take(&mut call.lock().pending_attributes);
            for (name, value) in pending {
                execution.set_attribute(&name, &value);
            }
            let world = LiveWorld { runtime: &runtime, org_id: &org_id, programs: &center.programs };
            execution.step(&world, &mut rng)
        };
        sync_segments(&call, &execution);
        call.lock().attributes = execution.participant_data().clone();
        match effect {
            Effect::Play { ms } | Effect::Wait { ms } => sleep_modelled(ms, speed_up).await,
            Effect::Backoff { ms } => tokio::time::sleep(Duration::from_millis(ms)).await,
            Effect::CallDataAction { integration, inputs, timeout_ms, .. } => {
                let (outcome, latency) =
                    data_action::call(&runtime, &org_id, &call.id, &integration, &inputs, timeout_ms).await;
                execution.complete_data_action(outcome, latency);
            }
            Effect::TransferToQueue { queue, priority } => {
                let found = runtime
                    .directory.with_org(&org_id, |org| org.queue_by_ref(&queue).map(|found| (found.id.clone(), found.name.clone())))
                    .flatten();
                match found {
                    Some((queue_id, queue_name)) => break FlowEnd::Queue { queue_id, queue_name, priority },
                    None => {
                        execution.reject_queue_transfer(&format!("queue '{queue}' does not exist"));
                    }
                }
            }
            Effect::Disconnect { reason } => break FlowEnd::Disconnect { reason: reason.to_string() },
            Effect::TransferToVoicemail { .. } => break FlowEnd::Voicemail,
        }
    };
    close_sessions(&runtime, &org_id, &call.id);
    finish_flow(&call, &mut execution, &end);
    match end {
        FlowEnd::Disconnect { .. } => end_call(&runtime, center, &call, Outcome::Disconnected),
        FlowEnd::Voicemail => end_call(&runtime, center, &call, Outcome::Voicemail),
        FlowEnd::Queue { queue_id, priority, .. } => {
            call.advance(Phase::Queued);
            events::conversation_changed(&runtime, &call);
            queue_call(&runtime, center, &call, &org_id, &queue_id, priority, speed_up, &mut rng).await;
        }
    }
}

/// The flow ended: its sessions with integrations that close at flow end are terminated.
fn close_sessions(runtime: &Runtime, org_id: &str, conversation_id: &str) {
    let keeping: std::collections::BTreeSet<String> = runtime
        .directory.with_org(org_id, |org| {
            org.integrations
                .values()
                .filter(|integration| !crate::domain::integration_sessions::closes_at_flow_end(integration))
                .map(|integration| integration.id.clone())
                .collect()
        })
        .unwrap_or_default();
    runtime.center.sessions.book().flow_ended(org_id, conversation_id, |integration| !keeping.contains(integration));
}

/// Opens a flow segment whenever the runtime entered another flow (or version). A common module
/// runs inside its calling flow's segment, as `CallPath::flows` counts it in virtual time.
fn sync_segments(call: &LiveCall, execution: &CallExecution) {
    let current = execution.current_flow();
    if current.program.flow_type() == FlowType::CommonModule {
        return;
    }
    let mut locked = call.lock();
    let flows = &mut locked.record.flows;
    let same = flows.last().is_some_and(|last| last.flow_id == *current.id && last.flow_version == *current.version);
    if same {
        return;
    }
    let now = call.now_ms();
    if let Some(last) = flows.last_mut() {
        last.exited_ms = Some(now);
        last.exit = FlowExit::TransferToFlow;
    }
    flows.push(FlowSegment {
        flow_id: current.id.to_string(),
        flow_name: current.name.to_string(),
        flow_version: current.version.to_string(),
        entered_ms: now,
        ..FlowSegment::default()
    });
}

/// Closes the last flow segment and stores the path and final participant data.
fn finish_flow(call: &LiveCall, execution: &mut CallExecution, end: &FlowEnd) {
    let path = execution.take_path();
    let attributes = execution.take_participant_data();
    let now = call.now_ms();
    let mut locked = call.lock();
    // A data action whose last attempt did not succeed sent the call down an error path.
    let mut last_attempts: BTreeMap<(&str, &str), &AttemptOutcome> = BTreeMap::new();
    for attempt in &path.data_actions {
        last_attempts.insert((&attempt.flow_id, &attempt.block), &attempt.outcome);
    }
    if let Some(last) = locked.record.flows.last_mut() {
        last.exited_ms = Some(now);
        last.exit = match end {
            FlowEnd::Queue { queue_id, .. } => FlowExit::TransferToQueue { queue_id: queue_id.clone() },
            FlowEnd::Disconnect { reason } => FlowExit::Disconnect { reason: reason.clone() },
            FlowEnd::Voicemail => FlowExit::Disconnect { reason: "voicemail".to_string() },
        };
        last.failed = last_attempts
            .iter()
            .any(|((flow_id, _), outcome)| *flow_id == last.flow_id && !matches!(outcome, AttemptOutcome::Success));
    }
    locked.record.flow_version_attribute = attributes.get(FLOW_VERSION_ATTRIBUTE).cloned();
    locked.attributes = attributes;
    locked.path = Some(path);
    locked.flow_ms = Some(execution.elapsed_ms());
    if let FlowEnd::Queue { queue_id, queue_name, .. } = end {
        locked.queue_name = Some(queue_name.clone());
        locked.record.queue = Some(QueueSegment { queue_id: queue_id.clone(), entered_ms: now, ..QueueSegment::default() });
    }
}
