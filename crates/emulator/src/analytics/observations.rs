//! The queue observation query (`POST /api/v2/analytics/queues/observations/query`, real API):
//! each filtered queue's members on queue (by routing status), off queue, in all, and callers
//! waiting, as of now. Pure over an org's objects and the waiting counts.

use crate::state::OrgStore;
use std::collections::BTreeMap;
use switchboard_api::analytics::{QueryPredicate, StatisticalSummary};
use switchboard_api::analytics_observations::{
    MEMBER_USERS, OFF_QUEUE_USERS, ON_QUEUE_USERS, ObservationMetricData, QueueObservationDataContainer, QueueObservationQuery,
    QueueObservationQueryResponse, WAITING,
};
use switchboard_api::user::routing_status;

/// Queues one query may name (the real API caps the filter too).
pub const QUEUES_MAX: usize = 100;
const METRICS: [&str; 4] = [ON_QUEUE_USERS, OFF_QUEUE_USERS, MEMBER_USERS, WAITING];

/// A query the API refuses, with the message naming the field.
#[derive(Debug, Clone, PartialEq)]
pub struct ObservationError(pub String);

/// The queue ids the filter names (`queueId` predicates, directly or in clauses).
pub fn queue_ids(query: &QueueObservationQuery) -> Vec<String> {
    let from = |predicates: &[QueryPredicate]| -> Vec<String> {
        predicates.iter().filter(|predicate| predicate.dimension.as_deref() == Some("queueId")).filter_map(|predicate| predicate.value.clone()).collect()
    };
    let mut ids = from(&query.filter.predicates);
    for clause in &query.filter.clauses {
        ids.extend(from(&clause.predicates));
    }
    ids.sort();
    ids.dedup();
    ids
}

fn count(metric: &str, qualifier: Option<&str>, value: u64) -> ObservationMetricData {
    ObservationMetricData {
        metric: metric.to_string(),
        qualifier: qualifier.map(str::to_string),
        stats: StatisticalSummary { count: Some(value), ..StatisticalSummary::default() },
        truncated: None,
    }
}

/// Answers `query` for `org`; `waiting` gives the callers waiting per queue id (read before the
/// org's lock is taken: the ACD takes its own lock first, then the org's).
pub fn observe(org: &OrgStore, query: &QueueObservationQuery, waiting: &BTreeMap<String, usize>) -> Result<QueueObservationQueryResponse, ObservationError> {
    if query.metrics.is_empty() {
        return Err(ObservationError("metrics: at least one metric is required".into()));
    }
    if let Some(unknown) = query.metrics.iter().find(|metric| !METRICS.contains(&metric.as_str())) {
        return Err(ObservationError(format!("metrics: '{unknown}' is not a queue observation metric ({})", METRICS.join(", "))));
    }
    let ids = queue_ids(query);
    if ids.is_empty() {
        return Err(ObservationError("filter: a queueId predicate is required".into()));
    }
    if ids.len() > QUEUES_MAX {
        return Err(ObservationError(format!("filter: at most {QUEUES_MAX} queues per query, got {}", ids.len())));
    }
    let mut results = Vec::new();
    for id in ids.iter().filter(|id| org.queues.contains_key(id.as_str())) {
        let mut by_status: BTreeMap<&str, u64> = BTreeMap::new();
        let mut members = 0;
        for (user_id, joined) in org.queue_members(id) {
            members += 1;
            let status = org.users.get(&user_id).and_then(|user| user.routing_status.as_ref()).map_or(routing_status::OFF_QUEUE, |routing| routing.status.as_str());
            let status = routing_status::ALL.iter().copied().find(|known| *known == status).unwrap_or(routing_status::OFF_QUEUE);
            // A member who has not joined the queue is off it, whatever their status.
            *by_status.entry(if joined { status } else { routing_status::OFF_QUEUE }).or_default() += 1;
        }
        let mut data = Vec::new();
        for metric in &query.metrics {
            match metric.as_str() {
                ON_QUEUE_USERS => data.extend(by_status.iter().filter(|(status, _)| **status != routing_status::OFF_QUEUE).map(|(status, value)| count(ON_QUEUE_USERS, Some(status), *value))),
                OFF_QUEUE_USERS => data.push(count(OFF_QUEUE_USERS, None, by_status.get(routing_status::OFF_QUEUE).copied().unwrap_or(0))),
                MEMBER_USERS => data.push(count(MEMBER_USERS, None, members)),
                _ => data.push(count(WAITING, None, waiting.get(id).copied().unwrap_or(0) as u64)),
            }
        }
        results.push(QueueObservationDataContainer { group: BTreeMap::from([("queueId".to_string(), id.clone())]), data });
    }
    Ok(QueueObservationQueryResponse { results })
}
