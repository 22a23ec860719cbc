//! Abandonment rate and average speed of answer per group (queue, flow, flow version) over a
//! window: what dashboards, the demo and a canary judge read, computed from the same aggregates
//! the API serves (`tAbandon.count / nOffered.count`, `tAnswered.sum / tAnswered.count`).

use super::aggregate::QueryError;
use super::interval::format_window;
use super::record::ConversationRecord;
use switchboard_api::analytics::{AggregateDataContainer, AggregationQuery};

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Summary {
    /// The group's value of the dimension asked for (`None` when calls lack it).
    pub group: Option<String>,
    pub offered: u64,
    pub answered: u64,
    pub abandoned: u64,
    /// `abandoned / offered`; 0 when nothing was offered.
    pub abandon_rate: f64,
    /// Average speed of answer in ms; `None` when nothing was answered.
    pub asa_ms: Option<f64>,
}

/// One summary per value of `dimension` (`queueId`, `flowId`, `flowVersion`, ...) for calls in
/// `[from_ms, to_ms)`.
pub fn summarize(records: &[ConversationRecord], dimension: &str, from_ms: i64, to_ms: i64) -> Result<Vec<Summary>, QueryError> {
    let query = AggregationQuery {
        interval: format_window(from_ms, to_ms),
        group_by: vec![dimension.to_string()],
        metrics: ["nOffered", "tAnswered", "tAbandon"].map(str::to_string).to_vec(),
        ..AggregationQuery::default()
    };
    let response = super::conversation_aggregates(records, &query)?;
    Ok(response.results.iter().map(|result| summary(result, dimension)).collect())
}

fn summary(result: &AggregateDataContainer, dimension: &str) -> Summary {
    let mut totals = Summary { group: result.group.get(dimension).cloned(), ..Summary::default() };
    let mut answered_sum = 0.0;
    for metric in result.data.iter().flat_map(|data| &data.metrics) {
        let count = metric.stats.count.unwrap_or(0);
        match metric.metric.as_str() {
            "nOffered" => totals.offered += count,
            "tAbandon" => totals.abandoned += count,
            "tAnswered" => {
                totals.answered += count;
                answered_sum += metric.stats.sum.unwrap_or(0.0);
            }
            _ => {}
        }
    }
    if totals.offered > 0 {
        totals.abandon_rate = totals.abandoned as f64 / totals.offered as f64;
    }
    if totals.answered > 0 {
        totals.asa_ms = Some(answered_sum / totals.answered as f64);
    }
    totals
}
