//! After a gap the platform cannot replay (the real platform has no replay), every watcher is
//! told which of its topics may have lost events (`gap`), then the current state of the state
//! topics is re-read through the REST API and sent as `snapshot` notices.
//!
//! The reads are batched: one `GET /api/v2/users?id=…&expand=presence,routingStatus` carries
//! the presence and routing status of up to 100 users, so a channel of 1,000 user topics costs
//! 5–10 requests instead of 1,000 (against the platform's 300 requests a minute per client).
//! They are rate-aware: a semaphore shared by every channel of the gateway bounds how many run
//! at once, and the client paces by the platform's rate headers and honours `Retry-After`. A
//! deadline bounds the whole snapshot, since the channel's events wait behind it: topics not
//! read by then get no snapshot (their `gap` notice already told the desktop).

use crate::hub::{Hub, SessionShared};
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use switchboard_api::gateway::{GatewayNotice, notice};
use switchboard_api::user::User;
use switchboard_platform::{BULK_USER_IDS, Platform, PlatformExt};
use tokio::sync::Semaphore;

/// How snapshots may use the platform: shared by every channel of a gateway.
#[derive(Clone)]
pub struct SnapshotBudget {
    /// Bulk reads in flight across the whole gateway.
    pub permits: Arc<Semaphore>,
    /// Longest one snapshot may hold its channel's events back.
    pub deadline: Duration,
}

/// The user-state topics among `topics`: user id → which of its topics are watched.
fn user_topics(topics: &[String]) -> BTreeMap<&str, Vec<(&str, &String)>> {
    let mut users: BTreeMap<&str, Vec<(&str, &String)>> = BTreeMap::new();
    for topic in topics {
        let Some(rest) = topic.strip_prefix("v2.users.") else { continue };
        let Some((user_id, what)) = rest.split_once('.') else { continue };
        if matches!(what, "presence" | "routingStatus") {
            users.entry(user_id).or_default().push((what, topic));
        }
    }
    users
}

/// The REST representation of one user topic, when the bulk answer carried it.
fn state_of(user: &User, what: &str) -> Option<serde_json::Value> {
    match what {
        "presence" => user.presence.as_ref().and_then(|presence| serde_json::to_value(presence).ok()),
        "routingStatus" => user.routing_status.as_ref().and_then(|status| serde_json::to_value(status).ok()),
        _ => None,
    }
}

/// One bulk read, once a permit of the gateway-wide budget is free. Owned arguments: the
/// future is polled inside every channel's spawned task.
async fn read_chunk(client: Arc<dyn Platform>, permits: Arc<Semaphore>, chunk: Vec<String>) -> Vec<User> {
    // Closed only if the gateway is going away; then nothing is read.
    let Ok(_permit) = permits.acquire_owned().await else { return Vec::new() };
    let ids: Vec<&str> = chunk.iter().map(String::as_str).collect();
    match client.users().bulk(&ids, &["presence", "routingStatus"]).await {
        Ok(users) => users,
        Err(error) => {
            tracing::warn!(%error, users = ids.len(), "snapshot read failed");
            Vec::new()
        }
    }
}

/// Reads the users of `ids` in bulk requests, at most `budget.permits` at once gateway-wide,
/// until done or the deadline; returns what was read.
async fn read_users(client: &Arc<dyn Platform>, ids: &[&str], budget: &SnapshotBudget) -> Vec<User> {
    let deadline = tokio::time::Instant::now() + budget.deadline;
    let mut reads: FuturesUnordered<_> = ids
        .chunks(BULK_USER_IDS)
        .map(|chunk| read_chunk(client.clone(), budget.permits.clone(), chunk.iter().map(ToString::to_string).collect()))
        .collect();
    let mut users = Vec::new();
    while let Ok(Some(read)) = tokio::time::timeout_at(deadline, reads.next()).await {
        users.extend(read);
    }
    users
}

/// Tells every watcher of `topics` about the gap, then sends what state could be re-read.
pub async fn announce_gap(hub: &Hub, client: &Arc<dyn Platform>, topics: &[String], detail: &str, budget: &SnapshotBudget) {
    if topics.is_empty() {
        return;
    }
    // Each watcher hears once, about its own topics only.
    let mut affected: BTreeMap<u64, (Arc<SessionShared>, Vec<String>)> = BTreeMap::new();
    for topic in topics {
        for session in hub.watchers(std::slice::from_ref(topic)) {
            affected.entry(session.id).or_insert_with(|| (session.clone(), Vec::new())).1.push(topic.clone());
        }
    }
    for (session, theirs) in affected.into_values() {
        hub.metrics.gaps.inc();
        hub.notify(&session, &GatewayNotice::new(notice::GAP).with_topics(theirs).with_detail(detail));
    }
    let wanted = user_topics(topics);
    if wanted.is_empty() {
        return;
    }
    let ids: Vec<&str> = wanted.keys().copied().collect();
    let users = read_users(client, &ids, budget).await;
    for user in &users {
        let Some(watched) = wanted.get(user.id.as_str()) else { continue };
        for (what, topic) in watched {
            let Some(state) = state_of(user, what) else { continue };
            let snapshot = GatewayNotice::new(notice::SNAPSHOT).with_topics(vec![(*topic).clone()]).with_state(state);
            for session in hub.watchers(std::slice::from_ref(*topic)) {
                hub.notify(&session, &snapshot);
            }
        }
    }
}

#[cfg(test)]
mod tests;
