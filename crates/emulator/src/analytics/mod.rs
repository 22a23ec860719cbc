//! Analytics: call records kept per org (bounded) and the pure aggregation over them that serves
//! the conversation and flow aggregate queries and seed 002's queue report.
//!
//! The engine only sees `ConversationRecord`s, so records from a virtual-time run can be loaded
//! with [`AnalyticsStore::extend`] and queried exactly like wall-clock calls.

mod aggregate;
mod conversation_metrics;
mod details;
mod flow_metrics;
pub mod observations;
pub mod interval;
mod queues_report;
mod record;
pub mod routes;
mod simulated;

pub use aggregate::{QueryError, aggregate};
pub use queues_report::queue_report;
pub use record::{ConversationRecord, FlowExit, FlowSegment, QueueSegment};

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;
use switchboard_api::analytics::{AggregateQueryResponse, AggregationQuery};

/// Records kept per org: enough for days of demo traffic without unbounded growth.
pub const MAX_RECORDS_PER_ORG: usize = 200_000;
/// Records older than this (by end time) are dropped.
pub const RETENTION_MS: i64 = 8 * 86_400_000;

/// `POST /api/v2/analytics/conversations/aggregates/query` over `records`.
pub fn conversation_aggregates(
    records: &[ConversationRecord],
    query: &AggregationQuery,
) -> Result<AggregateQueryResponse, QueryError> {
    aggregate(records.iter().flat_map(conversation_metrics::events), query, &conversation_metrics::CATALOG)
}

/// `POST /api/v2/analytics/flows/aggregates/query` over `records`.
pub fn flow_aggregates(records: &[ConversationRecord], query: &AggregationQuery) -> Result<AggregateQueryResponse, QueryError> {
    aggregate(records.iter().flat_map(flow_metrics::events), query, &flow_metrics::CATALOG)
}

/// Finished calls per org, oldest first, at most `MAX_RECORDS_PER_ORG` and `RETENTION_MS` old;
/// every record dropped for either bound counts in `evicted` (`/metrics`:
/// `switchboard_emulator_analytics_records_evicted_total`).
#[derive(Debug, Default)]
pub struct AnalyticsStore {
    orgs: Mutex<BTreeMap<String, VecDeque<ConversationRecord>>>,
    evicted: prometheus_client::metrics::counter::Counter,
}

impl AnalyticsStore {
    pub fn push(&self, org_id: &str, record: ConversationRecord) {
        self.extend(org_id, std::iter::once(record));
    }

    /// Adds finished records (e.g. a simulated day) and trims by count and age.
    pub fn extend(&self, org_id: &str, records: impl IntoIterator<Item = ConversationRecord>) {
        let mut orgs = self.orgs.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let kept = orgs.entry(org_id.to_string()).or_default();
        kept.extend(records);
        self.evicted.inc_by(trim(kept, MAX_RECORDS_PER_ORG));
    }

    /// The eviction counter, shared with `/metrics`.
    pub fn evicted(&self) -> prometheus_client::metrics::counter::Counter {
        self.evicted.clone()
    }

    /// A copy of an org's finished records.
    pub fn records(&self, org_id: &str) -> Vec<ConversationRecord> {
        let orgs = self.orgs.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        orgs.get(org_id).map(|kept| kept.iter().cloned().collect()).unwrap_or_default()
    }

    pub fn clear(&self) {
        self.orgs.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clear();
    }
}

/// Drops the oldest records beyond `max`, then those that ended more than `RETENTION_MS` before
/// the newest; returns how many went.
fn trim(kept: &mut VecDeque<ConversationRecord>, max: usize) -> u64 {
    let before = kept.len();
    if kept.len() > max {
        kept.drain(..kept.len() - max);
    }
    let newest = kept.iter().map(|record| record.end_ms.unwrap_or(record.start_ms)).max().unwrap_or(0);
    while kept.front().is_some_and(|record| record.end_ms.unwrap_or(record.start_ms) < newest.saturating_sub(RETENTION_MS)) {
        kept.pop_front();
    }
    (before - kept.len()) as u64
}

#[cfg(test)]
mod tests;
