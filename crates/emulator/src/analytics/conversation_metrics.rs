//! Conversation aggregate metrics from call records. Every timer is posted at the moment it
//! finishes, as the real platform does: `tAnswered` when the agent answers, `tHandle` when
//! wrap-up ends, so a call can count in several intervals.

use super::aggregate::{Catalog, MetricEvent};
use super::record::ConversationRecord;
use std::collections::BTreeMap;

pub const CATALOG: Catalog = Catalog {
    metrics: &["nOffered", "nConnected", "tAnswered", "tAbandon", "tAcd", "tWait", "tTalk", "tAcw", "tHandle"],
    // `flowId` and `flowVersion` are our extension: the real conversation aggregates have no flow
    // dimensions (the flow aggregates do), and rollouts need abandonment per flow version.
    dimensions: &[
        "queueId", "mediaType", "direction", "ani", "dnis", "conversationId", "userId", "flowId", "flowVersion", "purpose",
    ],
};

/// The events of one record (nothing for calls that never reached a queue).
pub fn events(record: &ConversationRecord) -> Vec<MetricEvent> {
    let Some(queue) = &record.queue else { return Vec::new() };
    let mut dimensions: BTreeMap<&'static str, String> = BTreeMap::new();
    dimensions.insert("conversationId", record.conversation_id.clone());
    dimensions.insert("mediaType", "voice".to_string());
    dimensions.insert("direction", "inbound".to_string());
    dimensions.insert("purpose", "acd".to_string());
    dimensions.insert("ani", record.ani.clone());
    dimensions.insert("dnis", record.dnis.clone());
    dimensions.insert("queueId", queue.queue_id.clone());
    if let Some(flow) = record.routing_flow() {
        dimensions.insert("flowId", flow.flow_id.clone());
    }
    if let Some(version) = record.flow_version() {
        dimensions.insert("flowVersion", version.to_string());
    }
    let mut out = Vec::new();
    let mut push = |at_ms: i64, metric: &'static str, value_ms: Option<u64>, with_user: bool| {
        let mut dimensions = dimensions.clone();
        if with_user && let Some(agent) = &queue.agent_id {
            dimensions.insert("userId", agent.clone());
        }
        out.push(MetricEvent { at_ms, metric, value_ms, dimensions });
    };
    push(queue.entered_ms, "nOffered", None, false);
    if let Some(answered) = queue.answered_ms {
        let waited = record.span_ms(queue.entered_ms, answered);
        push(answered, "nConnected", None, true);
        push(answered, "tAnswered", Some(waited), true);
        push(answered, "tAcd", Some(waited), true);
        push(answered, "tWait", Some(waited), true);
        if let Some(talk_end) = queue.talk_end_ms {
            push(talk_end, "tTalk", Some(record.span_ms(answered, talk_end)), true);
            let handle_end = queue.wrapup_end_ms.unwrap_or(talk_end);
            if let Some(wrapup_end) = queue.wrapup_end_ms {
                push(wrapup_end, "tAcw", Some(record.span_ms(talk_end, wrapup_end)), true);
            }
            if queue.wrapup_end_ms.is_some() || record.end_ms.is_some() {
                push(handle_end, "tHandle", Some(record.span_ms(answered, handle_end)), true);
            }
        }
    } else if let Some(abandoned) = queue.abandoned_ms {
        let waited = record.span_ms(queue.entered_ms, abandoned);
        push(abandoned, "tAbandon", Some(waited), false);
        push(abandoned, "tAcd", Some(waited), false);
        push(abandoned, "tWait", Some(waited), false);
    }
    out
}
