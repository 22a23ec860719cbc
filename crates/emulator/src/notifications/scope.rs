//! Which topics a caller's org may subscribe to: a topic on a user, queue, flow or conversation
//! that exists only in another org is `Rejected` (with a `rejectionReason`), as the real
//! platform answers, and is not subscribed. Ids no org knows stay permitted, as before.

use crate::contact_center::ContactCenter;
use crate::state::Directory;

/// What object kind a topic's id names, from its prefix.
fn object_of(topic: &str) -> Option<(&'static str, &str)> {
    let prefixes = [
        ("v2.users.", "user"),
        ("v2.routing.queues.", "queue"),
        ("v2.analytics.queues.", "queue"),
        ("v2.flows.", "flow"),
        ("v2.conversations.", "conversation"),
    ];
    prefixes.iter().find_map(|(prefix, kind)| {
        let rest = topic.strip_prefix(prefix)?;
        Some((*kind, rest.split('.').next().unwrap_or(rest)))
    })
}

/// The org ids that hold an object of `kind` with `id`.
fn owners(directory: &Directory, center: &ContactCenter, kind: &str, id: &str) -> Vec<String> {
    if kind == "conversation" {
        return center.call(id).map(|call| vec![call.lock().org_id.clone()]).unwrap_or_default();
    }
    directory.with_store(|store| {
        store
            .orgs
            .values()
            .filter(|org| match kind {
                "user" => org.users.contains_key(id),
                "queue" => org.queues.contains_key(id),
                "flow" => org.flows.contains_key(id),
                _ => false,
            })
            .map(|org| org.id().to_string())
            .collect()
    })
}

/// `Some(reason)` when `topic` is about an object of another org only.
pub fn rejection(directory: &Directory, center: &ContactCenter, org_id: &str, topic: &str) -> Option<String> {
    let (kind, id) = object_of(topic)?;
    let owners = owners(directory, center, kind, id);
    if owners.is_empty() || owners.iter().any(|owner| owner == org_id) {
        return None;
    }
    Some(format!("The {kind} {id} belongs to another organization; this channel's organization cannot subscribe to it."))
}
