//! Analytics queries in the real API's shapes: conversation and flow aggregate queries
//! (`POST /api/v2/analytics/{conversations,flows}/aggregates/query`) and their responses, plus
//! seed 002's queue report (`GET /api/v2/analytics/interactions/queues`, seed-only; the client
//! builds the same report from the real aggregate query).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `ConversationAggregationQuery` / `FlowAggregationQuery` (same fields on the wire).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AggregationQuery {
    /// `start/end` in ISO-8601, e.g. `2024-01-15T08:00:00.000Z/2024-01-15T09:00:00.000Z`.
    pub interval: String,
    /// ISO-8601 duration such as `PT15M`; the whole interval when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub granularity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub group_by: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<QueryFilter>,
    #[serde(default)]
    pub metrics: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flatten_multivalued_dimensions: Option<bool>,
}

/// `{type: and|or, clauses, predicates}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryFilter {
    #[serde(rename = "type")]
    pub filter_type: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clauses: Vec<QueryClause>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub predicates: Vec<QueryPredicate>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryClause {
    #[serde(rename = "type")]
    pub clause_type: String,
    #[serde(default)]
    pub predicates: Vec<QueryPredicate>,
}

/// A dimension predicate; `operator` is `matches` (default), `exists` or `notExists`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryPredicate {
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub predicate_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimension: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

impl QueryPredicate {
    pub fn matches(dimension: &str, value: &str) -> QueryPredicate {
        QueryPredicate {
            predicate_type: Some("dimension".to_string()),
            dimension: Some(dimension.to_string()),
            operator: Some("matches".to_string()),
            value: Some(value.to_string()),
        }
    }
}

/// `ConversationAggregateQueryResponse` / `FlowAggregateQueryResponse`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AggregateQueryResponse {
    #[serde(default)]
    pub results: Vec<AggregateDataContainer>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AggregateDataContainer {
    #[serde(default)]
    pub group: BTreeMap<String, String>,
    #[serde(default)]
    pub data: Vec<StatisticalResponse>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct StatisticalResponse {
    pub interval: String,
    #[serde(default)]
    pub metrics: Vec<AggregateMetricData>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AggregateMetricData {
    pub metric: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qualifier: Option<String>,
    pub stats: StatisticalSummary,
}

/// Counts have only `count`; timers (milliseconds) carry `max`, `min`, `count` and `sum`.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct StatisticalSummary {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sum: Option<f64>,
}

impl AggregateQueryResponse {
    /// Stats of `metric` summed over every group and interval (for tests and dashboards).
    pub fn total(&self, metric: &str) -> StatisticalSummary {
        let mut total = StatisticalSummary::default();
        for item in self.results.iter().flat_map(|result| &result.data).flat_map(|data| &data.metrics) {
            if item.metric != metric {
                continue;
            }
            let stats = item.stats;
            total.count = Some(total.count.unwrap_or(0) + stats.count.unwrap_or(0));
            if let Some(sum) = stats.sum {
                total.sum = Some(total.sum.unwrap_or(0.0) + sum);
            }
            total.max = match (total.max, stats.max) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            };
            total.min = match (total.min, stats.min) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        total
    }

    /// The result whose group has `dimension == value`.
    pub fn group(&self, dimension: &str, value: &str) -> Option<&AggregateDataContainer> {
        self.results.iter().find(|result| result.group.get(dimension).map(String::as_str) == Some(value))
    }
}

/// Seed 002's queue report: one row per queue and interval (seed-only; not in strict mode).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueInteractionsReport {
    pub date_from: String,
    pub date_to: String,
    pub interval: String,
    #[serde(default)]
    pub entities: Vec<QueueInteractionsRow>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueInteractionsRow {
    pub queue_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_name: Option<String>,
    pub interval_start: String,
    pub n_offered: u64,
    pub n_answered: u64,
    pub n_abandoned: u64,
    /// `nAbandoned / nOffered`, 0 when nothing was offered.
    pub abandon_rate: f64,
    /// Average speed of answer in ms (`tAnswered.sum / tAnswered.count`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub average_speed_of_answer_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub average_handle_time_ms: Option<f64>,
}
