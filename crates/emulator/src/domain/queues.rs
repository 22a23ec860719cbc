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

/// Creates a queue with id `id` from `body` (division defaults to the org's home division).
pub fn create(org: &mut OrgStore, id: String, body: Queue, stamp: &str) -> Result<Queue, DomainError> {
    if org.queues.values().any(|queue| queue.name.eq_ignore_ascii_case(&body.name)) {
        return Err(DomainError::Duplicate { what: "queue", name: body.name });
    }
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

/// Replaces a queue's writable fields (last write wins, as on the real platform).
pub fn update(org: &mut OrgStore, id: &str, body: Queue, stamp: &str) -> Result<Queue, DomainError> {
    let existing = org.queues.get(id).cloned().ok_or_else(|| DomainError::NotFound { what: "queue", id: id.to_string() })?;
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
