//! The bridge's job as a pure function: what a conversation, seen in an event or read through
//! REST, asks for. A call in a served queue that has not ended needs a screen pop; an ended one
//! needs an activity. Keys are `pop:{id}` and `activity:{id}`, so seeing a conversation any
//! number of times records each effect once. Payloads hold only fields that do not change once
//! the call reached that point, so a retry sends exactly the same request.

use crate::queues::ServedQueues;
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

/// The work a conversation asks for, given the queues the bridge serves. The queue's name comes
/// from the served queues, never from the conversation: a live event carries no queue name and a
/// REST conversation does, and one call must read the same whichever way it was seen.
pub fn work_for(conversation: &Conversation, queues: &ServedQueues) -> Vec<WorkItem> {
    let Some(acd) = conversation.participants.iter().find(|participant| {
        participant.purpose == "acd"
            && participant
                .queue_id
                .as_deref()
                .is_some_and(|queue| queues.contains(queue))
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
                    "queueName": queues.name(&queue_id),
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

/// A conversation event (the platform's `...ConversationEventTopicConversation`, which carries no
/// conversation start or end) as the conversation the job reads: the start is the earliest
/// participant connection, the end the last participant's end once every participant has ended,
/// a participant's start its connection, and the customer's ANI its address.
pub fn conversation_from_event(event: &switchboard_api::events::ConversationEvent) -> Conversation {
    let connected = event.participants.iter().filter_map(|participant| participant.connected_time.clone());
    let start_time = connected.min_by_key(|time| epoch_ms(Some(time)).unwrap_or(i64::MAX)).unwrap_or_default();
    let all_ended = !event.participants.is_empty() && event.participants.iter().all(|participant| participant.end_time.is_some());
    let end_time = all_ended
        .then(|| event.participants.iter().filter_map(|participant| participant.end_time.clone()).max_by_key(|time| epoch_ms(Some(time)).unwrap_or(0)))
        .flatten();
    let participants = event
        .participants
        .iter()
        .map(|participant| switchboard_api::conversation::Participant {
            id: participant.id.clone(),
            start_time: participant.connected_time.clone(),
            end_time: participant.end_time.clone(),
            connected_time: participant.connected_time.clone(),
            name: participant.name.clone(),
            user_id: participant.user_id.clone(),
            queue_id: participant.queue_id.clone(),
            purpose: participant.purpose.clone(),
            address: participant.address.clone(),
            ani: (participant.purpose == "customer").then(|| participant.address.clone()).flatten(),
            wrapup_required: participant.wrapup_required,
            attributes: participant.attributes.clone(),
            ..Default::default()
        })
        .collect();
    Conversation { id: event.id.clone(), start_time, end_time, address: event.address.clone(), participants, self_uri: None }
}
