//! The queue observation query (`POST /api/v2/analytics/queues/observations/query`): what is
//! true of queues right now — members on and off queue (qualified by routing status), callers
//! waiting. Real shapes: `QueueObservationQuery`, `QueueObservationQueryResponse`,
//! `QueueObservationDataContainer`, `ObservationMetricData`.

use crate::analytics::{QueryFilter, QueryPredicate, StatisticalSummary};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Members with a routing status other than `OFF_QUEUE` (qualifier: the status).
pub const ON_QUEUE_USERS: &str = "oOnQueueUsers";
/// Members who are off queue.
pub const OFF_QUEUE_USERS: &str = "oOffQueueUsers";
/// Every member of the queue.
pub const MEMBER_USERS: &str = "oMemberUsers";
/// Callers waiting in the queue.
pub const WAITING: &str = "oWaiting";

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueObservationQuery {
    pub filter: QueryFilter,
    pub metrics: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub detail_metrics: Vec<String>,
}

impl QueueObservationQuery {
    /// `metrics` observed for each of `queue_ids` (an `or` of `queueId` predicates).
    pub fn for_queues<'a>(queue_ids: impl IntoIterator<Item = &'a str>, metrics: &[&str]) -> Self {
        QueueObservationQuery {
            filter: QueryFilter {
                filter_type: "or".to_string(),
                clauses: Vec::new(),
                predicates: queue_ids.into_iter().map(|id| QueryPredicate::matches("queueId", id)).collect(),
            },
            metrics: metrics.iter().map(|metric| metric.to_string()).collect(),
            detail_metrics: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueObservationQueryResponse {
    #[serde(default)]
    pub results: Vec<QueueObservationDataContainer>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct QueueObservationDataContainer {
    #[serde(default)]
    pub group: BTreeMap<String, String>,
    #[serde(default)]
    pub data: Vec<ObservationMetricData>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ObservationMetricData {
    pub metric: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qualifier: Option<String>,
    pub stats: StatisticalSummary,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub truncated: Option<bool>,
}

impl QueueObservationQueryResponse {
    /// `metric`'s count for one queue, summed over its qualifiers (0 when not observed).
    pub fn count(&self, queue_id: &str, metric: &str) -> u64 {
        self.results
            .iter()
            .filter(|result| result.group.get("queueId").map(String::as_str) == Some(queue_id))
            .flat_map(|result| &result.data)
            .filter(|data| data.metric == metric)
            .map(|data| data.stats.count.unwrap_or(0))
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_add_up_over_qualifiers_and_the_query_is_the_real_shape() {
        let response: QueueObservationQueryResponse = serde_json::from_value(serde_json::json!({
            "results": [
                {"group": {"queueId": "q1"}, "data": [
                    {"metric": "oOnQueueUsers", "qualifier": "IDLE", "stats": {"count": 2}},
                    {"metric": "oOnQueueUsers", "qualifier": "INTERACTING", "stats": {"count": 3}},
                    {"metric": "oOffQueueUsers", "stats": {"count": 4}}
                ]},
                {"group": {"queueId": "q2"}, "data": []}
            ]
        }))
        .unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(response.count("q1", ON_QUEUE_USERS), 5);
        assert_eq!(response.count("q1", OFF_QUEUE_USERS), 4);
        assert_eq!(response.count("q2", ON_QUEUE_USERS), 0);
        let query = serde_json::to_value(QueueObservationQuery::for_queues(["q1"], &[ON_QUEUE_USERS])).unwrap_or_default();
        assert_eq!(query, serde_json::json!({"filter": {"type": "or", "predicates": [{"type": "dimension", "dimension": "queueId", "operator": "matches", "value": "q1"}]}, "metrics": ["oOnQueueUsers"]}));
    }
}
