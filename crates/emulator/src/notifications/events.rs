//! Events the emulator's own REST handlers publish, in the real topics' body shapes:
//! `v2.users.{id}.presence`, `v2.users.{id}.routingStatus` and `v2.flows.{id}`.
//! Handlers take a `UserSnapshot` before a write and call `user_changed` after it, so only
//! what changed is published.

use super::NotificationHub;
use crate::state::Directory;
use switchboard_api::events::{FlowEvent, PresenceEvent, PresenceEventDefinition, RoutingStatusEvent, RoutingStatusEventStatus};
use switchboard_api::user::{RoutingStatus, UserPresence};

/// A user's presence and routing status at one moment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserSnapshot {
    presence: Option<UserPresence>,
    routing_status: Option<RoutingStatus>,
}

pub fn user_snapshot(directory: &Directory, org_id: &str, user_id: &str) -> UserSnapshot {
    directory
        .with_org(org_id, |org| {
            org.users.get(user_id).map(|user| UserSnapshot {
                presence: user.presence.clone(),
                routing_status: user.routing_status.clone(),
            })
        })
        .flatten()
        .unwrap_or_default()
}

/// Publishes the user's presence and routing status where they differ from `before`.
pub fn user_changed(directory: &Directory, hub: &NotificationHub, org_id: &str, user_id: &str, before: &UserSnapshot) {
    let presence_topic = format!("v2.users.{user_id}.presence");
    let status_topic = format!("v2.users.{user_id}.routingStatus");
    // Reading the store is skipped entirely when nobody listens.
    if !hub.has_subscribers(org_id, &presence_topic) && !hub.has_subscribers(org_id, &status_topic) {
        return;
    }
    let after = user_snapshot(directory, org_id, user_id);
    if let Some(presence) = after.presence.as_ref().filter(|presence| before.presence.as_ref() != Some(*presence)) {
        let body = PresenceEvent {
            source: presence.source.clone().unwrap_or_else(|| "PURECLOUD".to_string()),
            presence_definition: PresenceEventDefinition {
                id: presence.presence_definition.id.clone(),
                system_presence: presence.presence_definition.system_presence.clone(),
            },
            primary: presence.primary,
            message: presence.message.clone().unwrap_or_default(),
            modified_date: presence.modified_date.clone().unwrap_or_else(|| directory.now()),
        };
        hub.publish(org_id, &presence_topic, &body);
    }
    if let Some(status) = after.routing_status.as_ref().filter(|status| before.routing_status.as_ref() != Some(*status)) {
        let start_time = status.start_time.clone().unwrap_or_else(|| directory.now());
        hub.publish(org_id, &status_topic, &routing_status_event(user_id, &status.status, start_time));
    }
}

/// The one `v2.users.{id}.routingStatus` body, for REST changes and the ACD's alike.
pub fn routing_status_event(user_id: &str, status: &str, start_time: String) -> RoutingStatusEvent {
    RoutingStatusEvent {
        id: user_id.to_string(),
        routing_status: RoutingStatusEventStatus { status: status.to_string(), start_time },
    }
}

/// Publishes the flow's current configuration (after an action or a completed publish).
pub fn flow_changed(directory: &Directory, hub: &NotificationHub, org_id: &str, flow_id: &str) {
    let topic = format!("v2.flows.{flow_id}");
    if !hub.has_subscribers(org_id, &topic) {
        return;
    }
    let flow = directory.with_org(org_id, |org| org.flows.get(flow_id).map(|record| record.flow.clone())).flatten();
    if let Some(flow) = flow {
        hub.publish(org_id, &topic, &FlowEvent::from(&flow));
    }
}
