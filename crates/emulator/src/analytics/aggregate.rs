//! The aggregation engine: metric events (a metric, when it finished, its value, its dimensions)
//! filtered, grouped and bucketed into the real API's response shape. Pure; the metric catalogs
//! (`conversation_metrics`, `flow_metrics`) turn call records into events.

use super::interval::{Window, format_window, parse_duration_ms, parse_interval};
use std::collections::BTreeMap;
use switchboard_api::analytics::{
    AggregateDataContainer, AggregateMetricData, AggregateQueryResponse, AggregationQuery, QueryFilter, QueryPredicate,
    StatisticalResponse, StatisticalSummary,
};

/// One metric observation, posted to the interval containing `at_ms` (the moment it finished).
#[derive(Debug, Clone, PartialEq)]
pub struct MetricEvent {
    pub at_ms: i64,
    pub metric: &'static str,
    /// Milliseconds for timers (`t*`), `None` for counts (`n*`).
    pub value_ms: Option<u64>,
    pub dimensions: BTreeMap<&'static str, String>,
}

/// Group-by dimension → value.
type Group = BTreeMap<String, String>;
/// Metric name → its stats in one interval.
type MetricStats = BTreeMap<&'static str, StatisticalSummary>;

/// A bad query, answered as 400 naming the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct QueryError(pub String);

/// What one query endpoint supports.
pub struct Catalog {
    pub metrics: &'static [&'static str],
    pub dimensions: &'static [&'static str],
}

/// Runs `query` over `events`.
pub fn aggregate(
    events: impl IntoIterator<Item = MetricEvent>,
    query: &AggregationQuery,
    catalog: &Catalog,
) -> Result<AggregateQueryResponse, QueryError> {
    let window = parse_interval(&query.interval).map_err(|error| QueryError(format!("interval: {error}")))?;
    let granularity_ms = match &query.granularity {
        Some(text) => parse_duration_ms(text).map_err(|error| QueryError(format!("granularity: {error}")))?,
        None => window.end_ms - window.start_ms,
    };
    validate(query, catalog)?;
    let wanted: Vec<&str> = query.metrics.iter().map(String::as_str).collect();
    // group → bucket index → metric → stats; BTreeMaps keep the output in a stable order.
    let mut groups: BTreeMap<Group, BTreeMap<i64, MetricStats>> = BTreeMap::new();
    for event in events {
        if !window.contains(event.at_ms) || !wanted.contains(&event.metric) {
            continue;
        }
        if let Some(filter) = &query.filter
            && !filter_matches(filter, &event.dimensions)
        {
            continue;
        }
        let group: BTreeMap<String, String> = query
            .group_by
            .iter()
            .filter_map(|dimension| event.dimensions.get(dimension.as_str()).map(|value| (dimension.clone(), value.clone())))
            .collect();
        let bucket = (event.at_ms - window.start_ms) / granularity_ms;
        let stats = groups.entry(group).or_default().entry(bucket).or_default().entry(event.metric).or_default();
        add(stats, event.value_ms);
    }
    let results = groups
        .into_iter()
        .map(|(group, buckets)| AggregateDataContainer {
            group,
            data: buckets
                .into_iter()
                .map(|(bucket, metrics)| {
                    // Saturating: a bucket never starts or ends outside the window.
                    let start = window.start_ms.saturating_add(bucket.saturating_mul(granularity_ms));
                    let end = start.saturating_add(granularity_ms).min(window.end_ms);
                    StatisticalResponse {
                        interval: format_window(start, end),
                        // Metrics in the order the query named them.
                        metrics: wanted
                            .iter()
                            .filter_map(|name| metrics.get(name).map(|stats| (name, stats)))
                            .map(|(name, stats)| AggregateMetricData { metric: name.to_string(), qualifier: None, stats: *stats })
                            .collect(),
                    }
                })
                .collect(),
        })
        .collect();
    Ok(AggregateQueryResponse { results })
}

fn validate(query: &AggregationQuery, catalog: &Catalog) -> Result<(), QueryError> {
    if query.metrics.is_empty() {
        return Err(QueryError("metrics: at least one metric is required".to_string()));
    }
    for metric in &query.metrics {
        if !catalog.metrics.contains(&metric.as_str()) {
            return Err(QueryError(format!("metrics: '{metric}' is not supported; supported: {}", catalog.metrics.join(", "))));
        }
    }
    let mut dimensions: Vec<&str> = query.group_by.iter().map(String::as_str).collect();
    if let Some(filter) = &query.filter {
        let predicates = filter.predicates.iter().chain(filter.clauses.iter().flat_map(|clause| &clause.predicates));
        dimensions.extend(predicates.filter_map(|predicate| predicate.dimension.as_deref()));
    }
    for dimension in dimensions {
        if !catalog.dimensions.contains(&dimension) {
            return Err(QueryError(format!(
                "dimension '{dimension}' is not supported; supported: {}",
                catalog.dimensions.join(", ")
            )));
        }
    }
    Ok(())
}

fn add(stats: &mut StatisticalSummary, value_ms: Option<u64>) {
    stats.count = Some(stats.count.unwrap_or(0) + 1);
    if let Some(value) = value_ms {
        let value = value as f64;
        stats.sum = Some(stats.sum.unwrap_or(0.0) + value);
        stats.max = Some(stats.max.map_or(value, |max| max.max(value)));
        stats.min = Some(stats.min.map_or(value, |min| min.min(value)));
    }
}

fn combine(kind: &str, mut results: impl Iterator<Item = bool>) -> bool {
    if kind.eq_ignore_ascii_case("or") { results.any(|hit| hit) } else { results.all(|hit| hit) }
}

fn filter_matches(filter: &QueryFilter, dimensions: &BTreeMap<&'static str, String>) -> bool {
    let predicates = filter.predicates.iter().map(|predicate| predicate_matches(predicate, dimensions));
    let clauses = filter.clauses.iter().map(|clause| {
        combine(&clause.clause_type, clause.predicates.iter().map(|predicate| predicate_matches(predicate, dimensions)))
    });
    combine(&filter.filter_type, predicates.chain(clauses))
}

fn predicate_matches(predicate: &QueryPredicate, dimensions: &BTreeMap<&'static str, String>) -> bool {
    let Some(dimension) = predicate.dimension.as_deref() else { return true };
    let actual = dimensions.get(dimension);
    match predicate.operator.as_deref().unwrap_or("matches") {
        "exists" => actual.is_some(),
        "notExists" => actual.is_none(),
        _ => actual.map(String::as_str) == predicate.value.as_deref(),
    }
}

impl Window {
    pub fn contains(&self, at_ms: i64) -> bool {
        at_ms >= self.start_ms && at_ms < self.end_ms
    }
}
