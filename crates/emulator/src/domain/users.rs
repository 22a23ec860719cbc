//! Users: versioned (a stale `version` is refused), in the org's home division unless the body
//! names one, created Offline, and a deleted user leaves every queue. Presence and routing status
//! are `presence.rs`. Used by the user handlers.

use super::{DomainError, check_version, presence::set_presence, require_name};
use crate::state::OrgStore;
use switchboard_api::user::{UpdateUser, User};

/// A user that exists and is not deleted.
pub fn find<'a>(org: &'a OrgStore, id: &str) -> Result<&'a User, DomainError> {
    org.users.get(id).filter(|user| user.state.as_deref() != Some("deleted")).ok_or_else(|| DomainError::NotFound { what: "user", id: id.to_string() })
}

pub fn create(org: &mut OrgStore, body: User, stamp: &str) -> Result<User, DomainError> {
    require_name(&body.name)?;
    let id = org.next_id("user");
    let user = User {
        id: id.clone(),
        division: Some(body.division.clone().unwrap_or_else(|| org.home_division())),
        state: Some("active".to_string()),
        version: 1,
        routing_status: None,
        presence: None,
        self_uri: Some(format!("/api/v2/users/{id}")),
        ..body
    };
    org.users.insert(id.clone(), user);
    set_presence(org, &id, "Offline", stamp);
    find(org, &id).cloned()
}

pub fn update(org: &mut OrgStore, id: &str, body: UpdateUser) -> Result<User, DomainError> {
    check_version("user", body.version, find(org, id)?.version)?;
    if let Some(name) = &body.name {
        require_name(name)?;
    }
    let user = org.users.get_mut(id).ok_or_else(|| DomainError::NotFound { what: "user", id: id.to_string() })?;
    if let Some(name) = body.name {
        user.name = name;
    }
    user.email = body.email.or(user.email.take());
    user.department = body.department.or(user.department.take());
    user.title = body.title.or(user.title.take());
    user.state = body.state.or(user.state.take());
    user.version += 1;
    Ok(user.clone())
}

pub fn delete(org: &mut OrgStore, id: &str) -> Result<(), DomainError> {
    org.users.remove(id).ok_or_else(|| DomainError::NotFound { what: "user", id: id.to_string() })?;
    for members in org.queue_members.values_mut() {
        members.remove(id);
    }
    Ok(())
}
