//! Flow aggregate metrics from call records: entries (`nFlow`), time in flow (`tFlow`, split into
//! `tFlowDisconnect` and `tFlowExit`), and outcomes (`nFlowOutcome`, `nFlowOutcomeFailed`).

use super::aggregate::{Catalog, MetricEvent};
use super::record::{ConversationRecord, FlowExit, FlowSegment};
use std::collections::BTreeMap;

pub const CATALOG: Catalog = Catalog {
    metrics: &["nFlow", "tFlow", "tFlowDisconnect", "tFlowExit", "nFlowOutcome", "nFlowOutcomeFailed"],
    dimensions: &[
        "flowId", "flowName", "flowVersion", "flowType", "mediaType", "direction", "exitReason", "flowOutcomeValue", "ani",
        "dnis", "conversationId", "queueId",
    ],
};

/// Disconnect reasons the runtime uses for flow errors.
const ERROR_REASONS: &[&str] = &["error", "loop", "transfer_failed"];

/// The real API's `exitReason` values.
pub(super) fn exit_reason(exit: &FlowExit) -> Option<&'static str> {
    match exit {
        FlowExit::InFlow => None,
        FlowExit::TransferToFlow | FlowExit::TransferToQueue { .. } => Some("TRANSFER"),
        FlowExit::Disconnect { reason } if ERROR_REASONS.contains(&reason.as_str()) => Some("FLOW_ERROR_DISCONNECT"),
        FlowExit::Disconnect { .. } => Some("FLOW_DISCONNECT"),
        FlowExit::CallerHangup => Some("CUSTOMER_DISCONNECT"),
    }
}

pub fn events(record: &ConversationRecord) -> Vec<MetricEvent> {
    record.flows.iter().flat_map(|segment| segment_events(record, segment)).collect()
}

fn segment_events(record: &ConversationRecord, segment: &FlowSegment) -> Vec<MetricEvent> {
    let mut dimensions: BTreeMap<&'static str, String> = BTreeMap::new();
    dimensions.insert("conversationId", record.conversation_id.clone());
    dimensions.insert("flowId", segment.flow_id.clone());
    dimensions.insert("flowName", segment.flow_name.clone());
    dimensions.insert("flowVersion", segment.flow_version.clone());
    dimensions.insert("flowType", "inboundcall".to_string());
    dimensions.insert("mediaType", "voice".to_string());
    dimensions.insert("direction", "inbound".to_string());
    dimensions.insert("ani", record.ani.clone());
    dimensions.insert("dnis", record.dnis.clone());
    if let FlowExit::TransferToQueue { queue_id } = &segment.exit {
        dimensions.insert("queueId", queue_id.clone());
    }
    let mut out = vec![MetricEvent { at_ms: segment.entered_ms, metric: "nFlow", value_ms: None, dimensions: dimensions.clone() }];
    let (Some(exited), Some(reason)) = (segment.exited_ms, exit_reason(&segment.exit)) else { return out };
    dimensions.insert("exitReason", reason.to_string());
    let outcome = if segment.failed || reason == "FLOW_ERROR_DISCONNECT" { "FAILURE" } else { "SUCCESS" };
    dimensions.insert("flowOutcomeValue", outcome.to_string());
    let spent = record.span_ms(segment.entered_ms, exited);
    let mut push = |metric: &'static str, value_ms: Option<u64>| {
        out.push(MetricEvent { at_ms: exited, metric, value_ms, dimensions: dimensions.clone() });
    };
    push("tFlow", Some(spent));
    push(if reason == "TRANSFER" { "tFlowExit" } else { "tFlowDisconnect" }, Some(spent));
    push("nFlowOutcome", None);
    if outcome == "FAILURE" {
        push("nFlowOutcomeFailed", None);
    }
    out
}
