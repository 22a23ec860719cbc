//! Conversation and routing-status events on the notification hub, with the real topic names
//! (bodies: `events::ConversationEvent`, `events::CallConversationEvent` and
//! `events::RoutingStatusEvent` of the api crate).

use super::Runtime;
use super::call::LiveCall;
use switchboard_api::events::{CallConversationEvent, ConversationEvent};

/// Publishes the conversation's current shape on its own topic, its queue's and its agent's.
pub fn conversation_changed(runtime: &Runtime, call: &LiveCall) {
    let (org_id, queue_id, agent_id) = {
        let locked = call.lock();
        let queue = locked.record.queue.as_ref();
        (locked.org_id.clone(), queue.map(|queue| queue.queue_id.clone()), queue.and_then(|queue| queue.agent_id.clone()))
    };
    // Every conversation here is a call, so the `.calls` topics carry the same updates.
    let mut topics = vec![format!("v2.conversations.{}", call.id)];
    if let Some(queue_id) = queue_id {
        topics.push(format!("v2.routing.queues.{queue_id}.conversations"));
        topics.push(format!("v2.routing.queues.{queue_id}.conversations.calls"));
    }
    if let Some(agent_id) = agent_id {
        topics.push(format!("v2.users.{agent_id}.conversations"));
        topics.push(format!("v2.users.{agent_id}.conversations.calls"));
    }
    let hub = &runtime.hub;
    let topics: Vec<String> = topics.into_iter().filter(|topic| hub.has_subscribers(&org_id, topic)).collect();
    if topics.is_empty() {
        return;
    }
    let conversation = call.conversation();
    let body = ConversationEvent::from(&conversation);
    let call_body = CallConversationEvent::from(&conversation);
    for topic in topics {
        if topic.ends_with(".calls") {
            hub.publish(&org_id, &topic, &call_body);
        } else {
            hub.publish(&org_id, &topic, &body);
        }
    }
}

/// `v2.users.{id}.routingStatus` after the ACD changed an agent's status.
pub fn routing_status_changed(runtime: &Runtime, org_id: &str, user_id: &str, status: &str) {
    let topic = format!("v2.users.{user_id}.routingStatus");
    let hub = &runtime.hub;
    if !hub.has_subscribers(org_id, &topic) {
        return;
    }
    let body = crate::notifications::events::routing_status_event(user_id, status, runtime.directory.now());
    hub.publish(org_id, &topic, &body);
}
