//! Analytics queries: the conversation and flow aggregate queries and the queue observation
//! query of the real API, and seed
//! 002's queue report built from the real conversation aggregate query (the seed's own
//! `/api/v2/analytics/interactions/queues` is an emulator extension the client does not use).
//! [`AggregateSummary`](super::AggregateSummary) turns an aggregate response into per-queue KPIs.

use switchboard_api::analytics::{
    AggregateQueryResponse, AggregationQuery, QueryFilter, QueryPredicate, QueueInteractionsReport, QueueInteractionsRow,
};

use switchboard_api::analytics_observations::{QueueObservationQuery, QueueObservationQueryResponse};

use crate::error::Result;
use crate::platform::Platform;
use crate::request::ApiRequest;
use crate::typed::fetch;

const CONVERSATIONS_PATH: &str = "/api/v2/analytics/conversations/aggregates/query";
const FLOWS_PATH: &str = "/api/v2/analytics/flows/aggregates/query";
const QUEUE_OBSERVATIONS_PATH: &str = "/api/v2/analytics/queues/observations/query";

pub struct Analytics<'a, P: ?Sized> {
    pub(crate) platform: &'a P,
}

impl<P: Platform + ?Sized> Analytics<'_, P> {
    /// `POST .../conversations/aggregates/query`. A POST only because the query is too large for
    /// a URL: it changes nothing, so it is marked idempotent and retried like a GET.
    pub async fn conversation_aggregates(self, query: &AggregationQuery) -> Result<AggregateQueryResponse> {
        let request = ApiRequest::post(CONVERSATIONS_PATH).about("conversation aggregate", None).json(query)?.idempotent();
        fetch(self.platform, request).await
    }

    /// `POST .../queues/observations/query`: queues as they are now (members on queue by routing
    /// status, callers waiting). A read, so idempotent.
    pub async fn queue_observations(self, query: &QueueObservationQuery) -> Result<QueueObservationQueryResponse> {
        let request = ApiRequest::post(QUEUE_OBSERVATIONS_PATH).about("queue observation", None).json(query)?.idempotent();
        fetch(self.platform, request).await
    }

    /// `POST .../flows/aggregates/query` (a read, so idempotent like the conversation query).
    pub async fn flow_aggregates(self, query: &AggregationQuery) -> Result<AggregateQueryResponse> {
        let request = ApiRequest::post(FLOWS_PATH).about("flow aggregate", None).json(query)?.idempotent();
        fetch(self.platform, request).await
    }

    /// Seed 002's queue report between two ISO-8601 instants, in `interval` steps (`PT30M` when
    /// `None`), optionally for one queue: one row per queue and interval that saw calls, from the
    /// real conversation aggregate query (`nOffered`, `tAnswered`, `tAbandon`, `tHandle` by
    /// `queueId`), so it works on a real org. Queue names are not part of an aggregate (`None`).
    pub async fn queue_interactions(
        self,
        date_from: &str,
        date_to: &str,
        interval: Option<&str>,
        queue_id: Option<&str>,
    ) -> Result<QueueInteractionsReport> {
        let interval = interval.unwrap_or("PT30M");
        let query = AggregationQuery {
            interval: format!("{date_from}/{date_to}"),
            granularity: Some(interval.to_owned()),
            group_by: vec!["queueId".to_owned()],
            filter: queue_id.map(|queue_id| QueryFilter {
                filter_type: "and".to_owned(),
                predicates: vec![QueryPredicate::matches("queueId", queue_id)],
                ..QueryFilter::default()
            }),
            metrics: ["nOffered", "tAnswered", "tAbandon", "tHandle"].map(str::to_owned).to_vec(),
            ..AggregationQuery::default()
        };
        let response = self.conversation_aggregates(&query).await?;
        Ok(QueueInteractionsReport {
            date_from: date_from.to_owned(),
            date_to: date_to.to_owned(),
            interval: interval.to_owned(),
            entities: queue_rows(&response),
        })
    }
}

/// One row per queue group and interval of an aggregate response.
fn queue_rows(response: &AggregateQueryResponse) -> Vec<QueueInteractionsRow> {
    let mut rows = Vec::new();
    for result in &response.results {
        let Some(queue_id) = result.group.get("queueId") else { continue };
        for data in &result.data {
            let stats = |name: &str| data.metrics.iter().find(|metric| metric.metric == name).map(|metric| &metric.stats);
            let count = |name: &str| stats(name).and_then(|stats| stats.count).unwrap_or(0);
            let average = |name: &str| {
                stats(name).and_then(|stats| match (stats.sum, stats.count) {
                    (Some(sum), Some(count)) if count > 0 => Some(sum / count as f64),
                    _ => None,
                })
            };
            let (offered, abandoned) = (count("nOffered"), count("tAbandon"));
            rows.push(QueueInteractionsRow {
                queue_id: queue_id.clone(),
                queue_name: None,
                interval_start: data.interval.split('/').next().unwrap_or_default().to_owned(),
                n_offered: offered,
                n_answered: count("tAnswered"),
                n_abandoned: abandoned,
                abandon_rate: if offered == 0 { 0.0 } else { abandoned as f64 / offered as f64 },
                average_speed_of_answer_ms: average("tAnswered"),
                average_handle_time_ms: average("tHandle"),
            });
        }
    }
    rows
}
