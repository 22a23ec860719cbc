//! Queue KPIs from a conversation aggregate response: per group, calls offered (`nOffered`),
//! answered (`tAnswered`), abandoned (`tAbandon`), the abandonment rate and the average speed of
//! answer, summed over every interval. Pure: no I/O, usable on any response however obtained.

use std::collections::BTreeMap;

use crate::analytics::{AggregateQueryResponse, StatisticalSummary};

/// One group's totals. Sums are kept rather than averages so groups and intervals add exactly.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct GroupTotals {
    /// `nOffered.count`.
    pub offered: u64,
    /// `tAnswered.count`.
    pub answered: u64,
    /// `tAbandon.count`.
    pub abandoned: u64,
    /// `tAnswered.sum`: every answered caller's wait, in milliseconds.
    pub answer_wait_ms: f64,
}

impl GroupTotals {
    /// `abandoned / offered`; `None` when nothing was offered.
    pub fn abandon_rate(&self) -> Option<f64> {
        (self.offered > 0).then(|| self.abandoned as f64 / self.offered as f64)
    }

    /// Average speed of answer in ms (`tAnswered.sum / tAnswered.count`); `None` when nothing
    /// was answered.
    pub fn average_speed_of_answer_ms(&self) -> Option<f64> {
        (self.answered > 0).then(|| self.answer_wait_ms / self.answered as f64)
    }

    /// Adds another group's (or interval's) totals to these.
    pub fn add(&mut self, other: &GroupTotals) {
        self.offered += other.offered;
        self.answered += other.answered;
        self.abandoned += other.abandoned;
        self.answer_wait_ms += other.answer_wait_ms;
    }

    /// Folds one metric's stats in; metrics other than the three above are ignored, and
    /// qualifiers are not told apart (the three metrics carry none).
    fn add_metric(&mut self, metric: &str, stats: &StatisticalSummary) {
        let count = stats.count.unwrap_or(0);
        match metric {
            "nOffered" => self.offered += count,
            "tAnswered" => {
                self.answered += count;
                self.answer_wait_ms += stats.sum.unwrap_or(0.0);
            }
            "tAbandon" => self.abandoned += count,
            _ => {}
        }
    }
}

/// Per-group totals of one aggregate response, grouped by one dimension (`queueId`, `flowId`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AggregateSummary {
    pub group_key: String,
    /// Keyed by the result's value of `group_key`. Results without that dimension (e.g. calls
    /// that never reached a queue when grouping by `queueId`) are under `None`. Results that
    /// differ only in other dimensions of the query's `groupBy` are added together.
    pub groups: BTreeMap<Option<String>, GroupTotals>,
}

impl AggregateSummary {
    pub fn from_response(response: &AggregateQueryResponse, group_key: &str) -> AggregateSummary {
        let mut groups: BTreeMap<Option<String>, GroupTotals> = BTreeMap::new();
        for result in &response.results {
            let totals = groups.entry(result.group.get(group_key).cloned()).or_default();
            for metric in result.data.iter().flat_map(|interval| &interval.metrics) {
                totals.add_metric(&metric.metric, &metric.stats);
            }
        }
        AggregateSummary { group_key: group_key.to_owned(), groups }
    }

    /// The totals of the group whose `group_key` is `value`.
    pub fn group(&self, value: &str) -> Option<&GroupTotals> {
        self.groups.get(&Some(value.to_owned()))
    }

    /// Every group added together, the ungrouped results included.
    pub fn total(&self) -> GroupTotals {
        let mut total = GroupTotals::default();
        for group in self.groups.values() {
            total.add(group);
        }
        total
    }
}

#[cfg(test)]
mod tests;
