//! After a gap the platform cannot replay (the real platform has no replay), the current state
//! of the affected state topics is re-read through the REST API and sent to the watchers as
//! `snapshot` notices, after the `gap` notice naming every affected topic.

use crate::hub::Hub;
use std::sync::Arc;
use switchboard_api::gateway::{GatewayNotice, notice};
use switchboard_platform::{Platform, PlatformExt};

/// The REST read that gives a topic's current state, when there is one.
async fn current_state(client: &Arc<dyn Platform>, topic: &str) -> Option<serde_json::Value> {
    let user = topic.strip_prefix("v2.users.")?;
    let (user_id, what) = user.split_once('.')?;
    match what {
        "presence" => client.users().presence(user_id).await.ok().and_then(|presence| serde_json::to_value(presence).ok()),
        "routingStatus" => client.users().routing_status(user_id).await.ok().and_then(|status| serde_json::to_value(status).ok()),
        _ => None,
    }
}

/// Tells every watcher of `topics` about the gap, then sends what state could be re-read.
pub async fn announce_gap(hub: &Hub, client: &Arc<dyn Platform>, topics: &[String], detail: &str) {
    if topics.is_empty() {
        return;
    }
    // Each watcher hears once, about its own topics only.
    let mut affected: std::collections::BTreeMap<u64, (Arc<crate::hub::SessionShared>, Vec<String>)> = std::collections::BTreeMap::new();
    for topic in topics {
        for session in hub.watchers(std::slice::from_ref(topic)) {
            affected.entry(session.id).or_insert_with(|| (session.clone(), Vec::new())).1.push(topic.clone());
        }
    }
    for (session, theirs) in affected.into_values() {
        hub.metrics.gaps.inc();
        hub.notify(&session, &GatewayNotice::new(notice::GAP).with_topics(theirs).with_detail(detail));
    }
    for topic in topics {
        let Some(state) = current_state(client, topic).await else { continue };
        let snapshot = GatewayNotice::new(notice::SNAPSHOT).with_topics(vec![topic.clone()]).with_state(state);
        for session in hub.watchers(std::slice::from_ref(topic)) {
            hub.notify(&session, &snapshot);
        }
    }
}
