//! Conversation and routing-status events on the notification hub, with the real topic names.

use super::call::LiveCall;
use crate::state::AppState;

/// Publishes the conversation's current shape on its own topic, its queue's and its agent's.
pub fn conversation_changed(state: &AppState, call: &LiveCall) {
    let (org_id, queue_id, agent_id) = {
        let locked = call.lock();
        let queue = locked.record.queue.as_ref();
        (locked.org_id.clone(), queue.map(|queue| queue.queue_id.clone()), queue.and_then(|queue| queue.agent_id.clone()))
    };
    let mut topics = vec![format!("v2.conversations.{}", call.id)];
    if let Some(queue_id) = queue_id {
        topics.push(format!("v2.routing.queues.{queue_id}.conversations"));
    }
    if let Some(agent_id) = agent_id {
        topics.push(format!("v2.users.{agent_id}.conversations"));
    }
    let hub = state.notifications();
    let topics: Vec<String> = topics.into_iter().filter(|topic| hub.has_subscribers(&org_id, topic)).collect();
    if topics.is_empty() {
        return;
    }
    let body = call.conversation();
    for topic in topics {
        hub.publish(&org_id, &topic, &body);
    }
}

/// `v2.users.{id}.routingStatus` after the ACD changed an agent's status.
pub fn routing_status_changed(state: &AppState, org_id: &str, user_id: &str, status: &str) {
    let topic = format!("v2.users.{user_id}.routingStatus");
    let hub = state.notifications();
    if !hub.has_subscribers(org_id, &topic) {
        return;
    }
    let body = serde_json::json!({
        "routingStatus": { "userId": user_id, "status": status, "startTime": crate::routes::support::now() }
    });
    hub.publish(org_id, &topic, &body);
}
