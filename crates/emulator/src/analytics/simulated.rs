//! Records from a virtual-time run (`switchboard simulate`), so a simulated day can be loaded into
//! the emulator and queried through the same analytics API as wall-clock calls.

use super::record::{ConversationRecord, FlowExit, FlowSegment, QueueSegment};
use switchboard_simulation::engine::{CallOutcome, CallRecord};
use switchboard_simulation::runtime::{FLOW_VERSION_ATTRIBUTE, TerminalOutcome};

/// Converts one simulated call. `epoch_ms` is the wall-clock instant virtual time 0 maps to;
/// `queue_id` maps the scenario's queue names to the org's queue ids. The path has no per-flow
/// timestamps, so flows before the last one are shown as left at arrival (their time counts in
/// the last flow).
// Not wired to a command yet (`switchboard simulate` cannot load its day into an emulator);
// kept, with its test, for that step.
#[cfg_attr(not(test), allow(dead_code))]
pub fn from_simulated(record: &CallRecord, epoch_ms: i64, queue_id: impl Fn(&str) -> String) -> ConversationRecord {
    let at = |virtual_ms: u64| epoch_ms + i64::try_from(virtual_ms).unwrap_or(i64::MAX - epoch_ms);
    let arrived = at(record.arrived_at_ms);
    let flow_end = at(record.arrived_at_ms + record.flow_ms);
    let flows = record.path.flows();
    let last_index = flows.len().saturating_sub(1);
    let failed = record.path.data_actions.last().is_some_and(|attempt| {
        !matches!(attempt.outcome, switchboard_simulation::runtime::AttemptOutcome::Success)
    });
    let segments = flows
        .iter()
        .enumerate()
        .map(|(index, (flow_id, version))| {
            let last = index == last_index;
            let exit = if !last {
                FlowExit::TransferToFlow
            } else {
                match record.path.terminal.as_ref().map(|terminal| &terminal.outcome) {
                    Some(TerminalOutcome::Queue { queue, .. }) => FlowExit::TransferToQueue { queue_id: queue_id(queue) },
                    Some(TerminalOutcome::Disconnect { reason }) => FlowExit::Disconnect { reason: reason.to_string() },
                    // As on live calls: a voicemail end is a flow disconnect with reason `voicemail`.
                    Some(TerminalOutcome::Voicemail { .. }) => FlowExit::Disconnect { reason: "voicemail".to_string() },
                    None => FlowExit::Disconnect { reason: "error".to_string() },
                }
            };
            FlowSegment {
                flow_id: flow_id.to_string(),
                flow_name: flow_id.to_string(),
                flow_version: version.to_string(),
                entered_ms: arrived,
                exited_ms: Some(if last { flow_end } else { arrived }),
                exit,
                failed: last && failed,
            }
        })
        .collect();
    let queue = match (&record.queue, record.queued_at_ms) {
        (Some(name), Some(queued)) => {
            let entered = at(queued);
            let mut segment = QueueSegment { queue_id: queue_id(name), entered_ms: entered, ..QueueSegment::default() };
            match &record.outcome {
                CallOutcome::Answered { wait_ms, talk_ms, wrapup_ms, agent } => {
                    let answered = entered + *wait_ms as i64;
                    segment.answered_ms = Some(answered);
                    segment.agent_id = Some(format!("agent-{agent}"));
                    segment.talk_end_ms = Some(answered + *talk_ms as i64);
                    segment.wrapup_end_ms = Some(answered + (*talk_ms + *wrapup_ms) as i64);
                }
                CallOutcome::Abandoned { wait_ms } => segment.abandoned_ms = Some(entered + *wait_ms as i64),
                CallOutcome::FlowDisconnect { .. } | CallOutcome::Voicemail { .. } => {}
            }
            Some(segment)
        }
        _ => None,
    };
    ConversationRecord {
        conversation_id: format!("sim-{}", record.call_id),
        ani: record.participant_data.get("ANI").cloned().unwrap_or_default(),
        dnis: record.did.to_string(),
        start_ms: arrived,
        end_ms: Some(at(record.ended_at_ms)),
        flows: segments,
        queue,
        flow_version_attribute: record.participant_data.get(FLOW_VERSION_ATTRIBUTE).cloned(),
        time_scale: 1.0,
    }
}
