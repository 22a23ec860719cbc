//! Queues: names unique per org (case-insensitive), stamps, membership and the member counts
//! the platform computes (never stored). Used by the queue handlers and seeding.

use super::DomainError;
use crate::state::OrgStore;
use switchboard_api::queue::Queue;

/// A queue as the platform answers it: with its member counts.
pub fn render(org: &OrgStore, queue: &Queue) -> Queue {
    let members = org.queue_members(&queue.id);
    let joined = members.iter().filter(|(_, joined)| *joined).count() as u32;
    let mut out = queue.clone();
    out.member_count = Some(members.len() as u32);
    out.user_member_count = Some(members.len() as u32);
    out.joined_member_count = Some(joined);
    out
}

/// Refuses `name` when another queue than `except` already has it (see `same_name`). Called
/// inside the write that stores the name, so the check and the write are one atomic step.
fn require_unique_name(org: &OrgStore, name: &str, except: Option<&str>) -> Result<(), DomainError> {
    let folded = super::fold_name(name);
    let taken = org.queues.values().any(|queue| Some(queue.id.as_str()) != except && super::fold_name(&queue.name) == folded);
    if taken { Err(DomainError::Duplicate { what: "queue", name: name.to_string() }) } else { Ok(()) }
}

/// Creates a queue with id `id` from `body` (division defaults to the org's home division).
pub fn create(org: &mut OrgStore, id: String, body: Queue, stamp: &str) -> Result<Queue, DomainError> {
    require_unique_name(org, &body.name, None)?;
    let queue = Queue {
        id: id.clone(),
        division: Some(body.division.clone().unwrap_or_else(|| org.home_division())),
        date_created: Some(stamp.to_string()),
        date_modified: Some(stamp.to_string()),
        self_uri: Some(format!("/api/v2/routing/queues/{id}")),
        member_count: None,
        user_member_count: None,
        joined_member_count: None,
        ..body
    };
    org.queues.insert(id, queue.clone());
    Ok(queue)
}

/// Replaces a queue's writable fields (last write wins, as on the real platform); a new name
/// must not be another queue's.
pub fn update(org: &mut OrgStore, id: &str, body: Queue, stamp: &str) -> Result<Queue, DomainError> {
    let existing = org.queues.get(id).cloned().ok_or_else(|| DomainError::NotFound { what: "queue", id: id.to_string() })?;
    require_unique_name(org, &body.name, Some(id))?;
    let queue = Queue {
        id: existing.id.clone(),
        division: body.division.clone().or(existing.division),
        date_created: existing.date_created,
        date_modified: Some(stamp.to_string()),
        self_uri: existing.self_uri,
        member_count: None,
        user_member_count: None,
        joined_member_count: None,
        ..body
    };
    org.queues.insert(id.to_string(), queue.clone());
    Ok(queue)
}

/// Deletes a queue and its memberships.
pub fn delete(org: &mut OrgStore, id: &str) -> Result<(), DomainError> {
    org.queues.remove(id).ok_or_else(|| DomainError::NotFound { what: "queue", id: id.to_string() })?;
    org.queue_members.remove(id);
    Ok(())
}

/// Makes a user a member of a queue (joined unless already a member).
pub fn add_member(org: &mut OrgStore, queue_id: &str, user_id: &str) {
    org.queue_members.entry(queue_id.to_string()).or_default().entry(user_id.to_string()).or_insert(true);
}

fn require(org: &OrgStore, queue_id: &str) -> Result<(), DomainError> {
    if org.queues.contains_key(queue_id) { Ok(()) } else { Err(DomainError::NotFound { what: "queue", id: queue_id.to_string() }) }
}

/// Adds (or, with `remove`, removes) users as members of a queue; every user must exist, and a
/// refused change changes nothing.
pub fn change_members(org: &mut OrgStore, queue_id: &str, user_ids: Vec<String>, remove: bool) -> Result<(), DomainError> {
    require(org, queue_id)?;
    if let Some(unknown) = user_ids.iter().find(|user_id| !org.users.contains_key(*user_id)) {
        return Err(DomainError::Invalid(format!("user {unknown} does not exist")));
    }
    let members = org.queue_members.entry(queue_id.to_string()).or_default();
    for user_id in user_ids {
        if remove {
            members.remove(&user_id);
        } else {
            members.entry(user_id).or_insert(true);
        }
    }
    Ok(())
}

/// Removes one member.
pub fn remove_member(org: &mut OrgStore, queue_id: &str, user_id: &str) -> Result<(), DomainError> {
    require(org, queue_id)?;
    let removed = org.queue_members.get_mut(queue_id).and_then(|members| members.remove(user_id));
    removed.map(|_| ()).ok_or_else(|| DomainError::NotFound { what: "queue member", id: user_id.to_string() })
}

/// Sets whether a member has joined the queue (takes calls from it).
pub fn set_joined(org: &mut OrgStore, queue_id: &str, user_id: &str, joined: bool) -> Result<(), DomainError> {
    require(org, queue_id)?;
    let member = org.queue_members.get_mut(queue_id).and_then(|members| members.get_mut(user_id));
    *member.ok_or_else(|| DomainError::NotFound { what: "queue member", id: user_id.to_string() })? = joined;
    Ok(())
}
