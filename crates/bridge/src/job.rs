//! The bridge's job as a pure function: what a conversation, seen in an event or read through
//! REST, asks for. A call in a served queue that has not ended needs a screen pop; an ended one
//! needs an activity. Keys are `pop:{id}` and `activity:{id}`, so seeing a conversation any
//! number of times records each effect once. Payloads hold only fields that do not change once
//! the call reached that point, so a retry sends exactly the same request.

use crate::store::{EffectKind, WorkItem};
use serde_json::json;
use switchboard_api::conversation::Conversation;

pub fn pop_key(conversation_id: &str) -> String {
    format!("pop:{conversation_id}")
}

pub fn activity_key(conversation_id: &str) -> String {
    format!("activity:{conversation_id}")
}

fn epoch_ms(text: Option<&str>) -> Option<i64> {
    text.and_then(|text| chrono::DateTime::parse_from_rfc3339(text).ok())
        .map(|instant| instant.timestamp_millis())
}

/// The work a conversation asks for, given the queue ids the bridge serves.
pub fn work_for(conversation: &Conversation, queue_ids: &[String]) -> Vec<WorkItem> {
    let Some(acd) = conversation.participants.iter().find(|participant| {
        participant.purpose == "acd"
            && participant
                .queue_id
                .as_ref()
                .is_some_and(|queue| queue_ids.contains(queue))
    }) else {
        return Vec::new();
    };
    let Some(customer) = conversation.participant("customer") else {
        return Vec::new();
    };
    let queue_id = acd.queue_id.clone().unwrap_or_default();
    let ani = customer
        .ani
        .clone()
        .or_else(|| customer.address.clone())
        .unwrap_or_default();
    let arrived_ms = epoch_ms(acd.start_time.as_deref())
        .or_else(|| epoch_ms(Some(&conversation.start_time)))
        .unwrap_or(0);
    match &conversation.end_time {
        None => vec![WorkItem {
            key: pop_key(&conversation.id),
            conversation_id: conversation.id.clone(),
            kind: EffectKind::ScreenPop,
            payload: json!({ "participantId": customer.id, "ani": ani, "queueId": queue_id }),
            arrived_ms,
        }],
        Some(end_time) => {
            let answered_by = conversation
                .participant("agent")
                .and_then(|agent| agent.name.clone());
            vec![WorkItem {
                key: activity_key(&conversation.id),
                conversation_id: conversation.id.clone(),
                kind: EffectKind::Activity,
                payload: json!({
                    "ani": ani,
                    "queueId": queue_id,
                    "queueName": acd.queue_name,
                    "start": conversation.start_time,
                    "end": end_time,
                    "answeredBy": answered_by,
                }),
                arrived_ms,
            }]
        }
    }
}

#[cfg(test)]
mod tests;
