//! Reconciliation through the REST API, for when the channel cannot replay (the real platform,
//! a new channel, a replay gap): the conversation detail query lists the served queues'
//! conversations since the cursor, and each is read in full and treated like an event.

use crate::job::work_for;
use crate::queues::ServedQueues;
use crate::store::WorkItem;
use switchboard_api::analytics::{QueryFilter, QueryPredicate};
use switchboard_api::analytics_details::ConversationDetailQuery;
use switchboard_platform::{Platform, PlatformExt, Result};

/// Overlap with the previous reconciliation, for clock skew between bridge and platform.
const MARGIN_MS: i64 = 60_000;

fn instant(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// The work the served queues' conversations since `since_ms` ask for.
pub async fn reconcile(
    platform: &dyn Platform,
    queues: &ServedQueues,
    since_ms: i64,
    now_ms: i64,
) -> Result<Vec<WorkItem>> {
    let query = ConversationDetailQuery {
        interval: format!(
            "{}/{}",
            instant(since_ms - MARGIN_MS),
            instant(now_ms + MARGIN_MS)
        ),
        order: Some("asc".to_string()),
        order_by: Some("conversationStart".to_string()),
        segment_filters: vec![QueryFilter {
            filter_type: "or".to_string(),
            predicates: queues
                .ids()
                .map(|queue| QueryPredicate::matches("queueId", queue))
                .collect(),
            ..QueryFilter::default()
        }],
        paging: None,
    };
    let listed = platform
        .analytics()
        .conversation_details_all(&query)
        .await?;
    let mut work = Vec::new();
    for summary in listed
        .iter()
        .filter(|summary| queues.ids().any(|queue| summary.touched_queue(queue)))
    {
        match platform.conversations().get(&summary.conversation_id).await {
            Ok(conversation) => work.extend(work_for(&conversation, queues)),
            // Listed but gone (retention): nothing left to do for it.
            Err(error) if error.is_not_found() => {}
            Err(error) => return Err(error),
        }
    }
    Ok(work)
}
