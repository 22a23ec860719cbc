//! Calls per org over a window, from the real analytics API: the conversation aggregates query
//! (`POST /api/v2/analytics/conversations/aggregates/query`) grouped by `queueId`, metrics
//! `nOffered`, `tAnswered`, `tAbandon`, summed over the org's queues by the same
//! [`AggregateSummary`] the queue report uses.

use std::collections::BTreeMap;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use switchboard_platform::api::analytics::AggregationQuery;
use switchboard_platform::{AggregateSummary, GroupTotals, Platform, PlatformExt};

/// Where the canary reads calls from: one org's totals in `[start_ms, end_ms)` (epoch ms).
pub trait CallMetrics: Send + Sync {
    fn window<'a>(&'a self, org: &'a str, start_ms: i64, end_ms: i64) -> BoxFuture<'a, Result<GroupTotals, String>>;
}

/// An epoch-ms instant as the analytics API writes it.
fn iso_instant(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|instant| instant.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_else(|| "1970-01-01T00:00:00.000Z".to_string())
}

/// The Genesys Cloud analytics API of every org, by the org's config name.
pub struct GenesysMetrics {
    platforms: BTreeMap<String, Arc<dyn Platform>>,
}

impl GenesysMetrics {
    pub fn new(platforms: BTreeMap<String, Arc<dyn Platform>>) -> Self {
        Self { platforms }
    }
}

impl CallMetrics for GenesysMetrics {
    fn window<'a>(&'a self, org: &'a str, start_ms: i64, end_ms: i64) -> BoxFuture<'a, Result<GroupTotals, String>> {
        Box::pin(async move {
            let platform = self.platforms.get(org).ok_or_else(|| format!("{org}: no platform client for this org"))?;
            let query = AggregationQuery {
                interval: format!("{}/{}", iso_instant(start_ms), iso_instant(end_ms.max(start_ms + 1))),
                group_by: vec!["queueId".into()],
                metrics: vec!["nOffered".into(), "tAnswered".into(), "tAbandon".into()],
                ..AggregationQuery::default()
            };
            let response = platform.analytics().conversation_aggregates(&query).await.map_err(|error| format!("{org}: conversation aggregates: {error}"))?;
            Ok(AggregateSummary::from_response(&response, "queueId").total())
        })
    }
}
