//! Topic names a channel may subscribe to. A topic must match one of the templates below
//! segment by segment (`{id}` is one id segment); anything else is refused with 400, so a
//! typo never becomes a subscription that silently receives nothing.

use switchboard_api::notifications::AvailableTopic;

/// The topics the emulator knows: (template, description, permission the real platform asks).
/// Each is published (tests/emulator/topics.rs proves it per topic, and fails on a template it
/// has no case for); a real topic the emulator
/// has no events for (`v2.users.{id}.activity`, `v2.analytics.queues.{id}.observations`,
/// `v2.conversations.{id}.transcription`) is not listed, so subscribing to it is a 400 rather
/// than silence.
const TOPICS: &[(&str, &str, &str)] = &[
    ("v2.users.{id}.presence", "A user's presence changes", "user:presence:view"),
    ("v2.users.{id}.routingStatus", "A user's routing status changes", "routing:queue:view"),
    ("v2.users.{id}.conversations", "Conversations of a user", "conversation:communication:view"),
    ("v2.users.{id}.conversations.calls", "Calls of a user", "conversation:call:view"),
    ("v2.routing.queues.{id}.conversations", "Conversations in a queue", "routing:queue:view"),
    ("v2.routing.queues.{id}.conversations.calls", "Calls in a queue", "routing:queue:view"),
    ("v2.flows.{id}", "A flow's configuration and publish state", "architect:flow:view"),
    ("v2.conversations.{id}", "Every update of one conversation", "conversation:communication:view"),
];

/// The `GET /api/v2/notifications/availabletopics` entities.
pub fn available_topics() -> Vec<AvailableTopic> {
    TOPICS
        .iter()
        .map(|(template, description, permission)| AvailableTopic {
            id: (*template).to_string(),
            description: (*description).to_string(),
            requires_permissions: vec![(*permission).to_string()],
            transports: vec!["All".to_string()],
            topic_parameters: vec!["id".to_string()],
        })
        .collect()
}

/// Whether `topic` is a concrete instance of a known template.
pub fn is_known(topic: &str) -> bool {
    TOPICS.iter().any(|(template, _, _)| matches_template(topic, template))
}

fn matches_template(topic: &str, template: &str) -> bool {
    let mut topic_parts = topic.split('.');
    for template_part in template.split('.') {
        let Some(part) = topic_parts.next() else { return false };
        let fits = if template_part == "{id}" { is_id(part) } else { part == template_part };
        if !fits {
            return false;
        }
    }
    topic_parts.next().is_none()
}

/// Ids are UUIDs on the real platform; the emulator's seeds also use readable slugs.
fn is_id(part: &str) -> bool {
    !part.is_empty()
        && part.len() <= 128
        && part.bytes().all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
}

/// Expands the real platform's shorthand `v2.users.{id}?presence&routingStatus` into
/// `v2.users.{id}.presence` and `v2.users.{id}.routingStatus`; other names pass unchanged.
pub fn expand(topic: &str) -> Vec<String> {
    match topic.split_once('?') {
        None => vec![topic.to_string()],
        Some((prefix, suffixes)) => suffixes.split('&').map(|suffix| format!("{prefix}.{suffix}")).collect(),
    }
}
