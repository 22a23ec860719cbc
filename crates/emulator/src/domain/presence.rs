//! Presence and routing status move together as on the real platform: `On Queue` ⇔ not
//! `OFF_QUEUE`. Used by the users handlers, seeding and the live ACD.

use crate::state::{OrgStore, ids};
use switchboard_api::user::{PresenceDefinition, RoutingStatus, SYSTEM_PRESENCES, UserPresence, routing_status};

/// The system presence definition for a name such as `On Queue`.
pub fn presence_definition(system_presence: &str) -> PresenceDefinition {
    let id = ids::derive_id(&["presence", system_presence]);
    PresenceDefinition { self_uri: Some(format!("/api/v2/presencedefinitions/{id}")), id, system_presence: Some(system_presence.to_string()) }
}

/// The system presence a definition names (by id, system presence or name), if any.
pub fn resolve_presence(definition: &PresenceDefinition) -> Option<&'static str> {
    SYSTEM_PRESENCES.into_iter().find(|name| {
        presence_definition(name).id == definition.id
            || definition.system_presence.as_deref().is_some_and(|wanted| wanted.eq_ignore_ascii_case(name))
            || definition.id.eq_ignore_ascii_case(name)
    })
}

/// Sets a user's presence and the routing status that goes with it.
pub fn set_presence(org: &mut OrgStore, user_id: &str, system_presence: &str, stamp: &str) {
    let Some(user) = org.users.get_mut(user_id) else {
        return;
    };
    user.presence = Some(UserPresence {
        source: Some("PURECLOUD".to_string()),
        source_id: Some("PURECLOUD".to_string()),
        primary: Some(true),
        presence_definition: presence_definition(system_presence),
        message: None,
        modified_date: Some(stamp.to_string()),
    });
    let on_queue = system_presence == "On Queue";
    let current = user.routing_status.as_ref().map(|status| status.status.clone());
    let next = match (on_queue, current.as_deref()) {
        (true, Some(status)) if status != routing_status::OFF_QUEUE => status.to_string(),
        (true, _) => routing_status::IDLE.to_string(),
        (false, _) => routing_status::OFF_QUEUE.to_string(),
    };
    if current.as_deref() != Some(next.as_str()) {
        user.routing_status = Some(RoutingStatus { user_id: Some(user_id.to_string()), status: next, start_time: Some(stamp.to_string()) });
    }
}

/// Sets a user's routing status (and the presence that goes with it); `None` when there is no
/// such user.
pub fn set_routing_status(org: &mut OrgStore, user_id: &str, status: &str, stamp: &str) -> Option<RoutingStatus> {
    org.users.get(user_id)?;
    let presence = if status == routing_status::OFF_QUEUE { "Available" } else { "On Queue" };
    set_presence(org, user_id, presence, stamp);
    let user = org.users.get_mut(user_id)?;
    let routing = RoutingStatus { user_id: Some(user_id.to_string()), status: status.to_string(), start_time: Some(stamp.to_string()) };
    user.routing_status = Some(routing.clone());
    Some(routing)
}

/// The ACD's change of an agent's routing status (`INTERACTING`, `IDLE`...), presence left as
/// is; with `only_if`, only from that status. True when it changed.
pub fn acd_set_status(org: &mut OrgStore, user_id: &str, status: &str, only_if: Option<&str>, stamp: &str) -> bool {
    let Some(current) = org.users.get(user_id).map(|user| user.routing_status.as_ref().map(|routing| routing.status.clone())) else {
        return false;
    };
    if only_if.is_some() && current.as_deref() != only_if {
        return false;
    }
    let Some(user) = org.users.get_mut(user_id) else { return false };
    user.routing_status = Some(RoutingStatus { user_id: Some(user_id.to_string()), status: status.to_string(), start_time: Some(stamp.to_string()) });
    true
}
