//! Seed 002's queue report (`GET /api/v2/analytics/interactions/queues?dateFrom&dateTo&interval`),
//! built on the conversation aggregates so both always agree.

use super::aggregate::QueryError;
use super::record::ConversationRecord;
use std::collections::BTreeMap;
use switchboard_api::analytics::{AggregationQuery, QueueInteractionsReport, QueueInteractionsRow};

/// Rows per queue and interval; `queue_names` labels them.
pub fn queue_report(
    records: &[ConversationRecord],
    date_from: &str,
    date_to: &str,
    interval: &str,
    queue_names: &BTreeMap<String, String>,
) -> Result<QueueInteractionsReport, QueryError> {
    let query = AggregationQuery {
        interval: format!("{date_from}/{date_to}"),
        granularity: Some(interval.to_string()),
        group_by: vec!["queueId".to_string()],
        metrics: ["nOffered", "tAnswered", "tAbandon", "tHandle"].map(str::to_string).to_vec(),
        ..AggregationQuery::default()
    };
    let response = super::conversation_aggregates(records, &query)?;
    let mut entities = Vec::new();
    for result in &response.results {
        let Some(queue_id) = result.group.get("queueId") else { continue };
        for data in &result.data {
            let stats = |name: &str| data.metrics.iter().find(|metric| metric.metric == name).map(|metric| metric.stats);
            let count = |name: &str| stats(name).and_then(|stats| stats.count).unwrap_or(0);
            let average = |name: &str| {
                stats(name).and_then(|stats| match (stats.sum, stats.count) {
                    (Some(sum), Some(count)) if count > 0 => Some(sum / count as f64),
                    _ => None,
                })
            };
            let offered = count("nOffered");
            let abandoned = count("tAbandon");
            entities.push(QueueInteractionsRow {
                queue_id: queue_id.clone(),
                queue_name: queue_names.get(queue_id).cloned(),
                interval_start: data.interval.split('/').next().unwrap_or_default().to_string(),
                n_offered: offered,
                n_answered: count("tAnswered"),
                n_abandoned: abandoned,
                abandon_rate: if offered == 0 { 0.0 } else { abandoned as f64 / offered as f64 },
                average_speed_of_answer_ms: average("tAnswered"),
                average_handle_time_ms: average("tHandle"),
            });
        }
    }
    entities.sort_by(|a, b| (&a.interval_start, &a.queue_id).cmp(&(&b.interval_start, &b.queue_id)));
    Ok(QueueInteractionsReport {
        date_from: date_from.to_string(),
        date_to: date_to.to_string(),
        interval: interval.to_string(),
        entities,
    })
}
