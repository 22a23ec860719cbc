//! Analytics queries: the conversation and flow aggregate queries of the real API, and seed
//! 002's queue report (`/api/v2/analytics/interactions/queues`), which only the emulator serves.
//! [`AggregateSummary`](super::AggregateSummary) turns an aggregate response into per-queue KPIs.

use switchboard_api::analytics::{AggregateQueryResponse, AggregationQuery, QueueInteractionsReport};

use crate::error::{PlatformError, Result};
use crate::platform::Platform;
use crate::request::ApiRequest;
use crate::typed::fetch;

const CONVERSATIONS_PATH: &str = "/api/v2/analytics/conversations/aggregates/query";
const FLOWS_PATH: &str = "/api/v2/analytics/flows/aggregates/query";
const QUEUE_REPORT_PATH: &str = "/api/v2/analytics/interactions/queues";
const QUEUE_REPORT_FEATURE: &str = "queue interactions report (/api/v2/analytics/interactions/queues, a seed extension)";

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

    /// `POST .../flows/aggregates/query` (a read, so idempotent like the conversation query).
    pub async fn flow_aggregates(self, query: &AggregationQuery) -> Result<AggregateQueryResponse> {
        let request = ApiRequest::post(FLOWS_PATH).about("flow aggregate", None).json(query)?.idempotent();
        fetch(self.platform, request).await
    }

    /// Seed 002's queue report between two ISO-8601 instants, in `interval` steps (`PT30M` when
    /// `None`), optionally for one queue. A real org or a `--strict` emulator has no such route,
    /// so its 404 becomes `Unsupported`.
    pub async fn queue_interactions(
        self,
        date_from: &str,
        date_to: &str,
        interval: Option<&str>,
        queue_id: Option<&str>,
    ) -> Result<QueueInteractionsReport> {
        let mut request = ApiRequest::get(QUEUE_REPORT_PATH).query("dateFrom", date_from).query("dateTo", date_to).about("queue report", queue_id);
        if let Some(interval) = interval {
            request = request.query("interval", interval);
        }
        if let Some(queue_id) = queue_id {
            request = request.query("queueId", queue_id);
        }
        fetch(self.platform, request).await.map_err(|error| {
            // The route has no per-item 404: a missing queue simply yields no rows.
            if error.is_not_found() { PlatformError::Unsupported { feature: QUEUE_REPORT_FEATURE.into() } } else { error }
        })
    }
}
