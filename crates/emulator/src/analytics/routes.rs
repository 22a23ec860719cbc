//! `/api/v2/analytics/*`: the conversation and flow aggregate queries and the queue observation
//! query (real API) and seed 002's
//! queue report (not in strict mode). Queries see finished calls and calls in progress.

use crate::contact_center::ContactCenter;
use crate::error::ApiError;
use crate::routes::extract::{ApiJson, Params};
use crate::state::{AppState, Caller, Directory};
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use std::collections::BTreeMap;
use std::sync::Arc;
use switchboard_api::analytics_observations::{QueueObservationQuery, QueueObservationQueryResponse};
use switchboard_api::analytics::{AggregateQueryResponse, AggregationQuery, QueueInteractionsReport};

pub fn routes(strict: bool) -> Router<AppState> {
    let router = Router::new()
        .route("/api/v2/analytics/conversations/aggregates/query", post(conversations))
        .route("/api/v2/analytics/flows/aggregates/query", post(flows))
        .route("/api/v2/analytics/conversations/details/query", post(super::details::query))
        .route("/api/v2/analytics/queues/observations/query", post(queue_observations));
    if strict { router } else { router.route("/api/v2/analytics/interactions/queues", get(queues)) }
}

async fn conversations(
    State(center): State<Arc<ContactCenter>>,
    caller: Caller,
    ApiJson(query): ApiJson<AggregationQuery>,
) -> Result<Json<AggregateQueryResponse>, ApiError> {
    let records = center.records_with_live(&caller.org_id);
    super::conversation_aggregates(&records, &query).map(Json).map_err(|error| ApiError::bad_request(error.0))
}

async fn flows(
    State(center): State<Arc<ContactCenter>>,
    caller: Caller,
    ApiJson(query): ApiJson<AggregationQuery>,
) -> Result<Json<AggregateQueryResponse>, ApiError> {
    let records = center.records_with_live(&caller.org_id);
    super::flow_aggregates(&records, &query).map(Json).map_err(|error| ApiError::bad_request(error.0))
}

async fn queue_observations(
    State(directory): State<Directory>,
    State(center): State<Arc<ContactCenter>>,
    caller: Caller,
    ApiJson(query): ApiJson<QueueObservationQuery>,
) -> Result<Json<QueueObservationQueryResponse>, ApiError> {
    let ids = super::observations::queue_ids(&query);
    let waiting: BTreeMap<String, usize> = ids.iter().take(super::observations::QUEUES_MAX).map(|id| (id.clone(), center.waiting(&caller.org_id, id))).collect();
    let answer = directory.with_org(&caller.org_id, |org| super::observations::observe(org, &query, &waiting));
    match answer {
        Some(Ok(response)) => Ok(Json(response)),
        Some(Err(error)) => Err(ApiError::bad_request(error.0)),
        None => Err(ApiError::not_found("organization", &caller.org_id)),
    }
}

async fn queues(State(directory): State<Directory>, State(center): State<Arc<ContactCenter>>, caller: Caller, params: Params) -> Result<Json<QueueInteractionsReport>, ApiError> {
    let required = |name: &str| params.get(name).ok_or_else(|| ApiError::bad_request(format!("query parameter {name} is required")));
    let (date_from, date_to) = (required("dateFrom")?, required("dateTo")?);
    let interval = params.get("interval").unwrap_or("PT30M");
    let names: BTreeMap<String, String> = directory
        .with_org(&caller.org_id, |org| org.queues.values().map(|queue| (queue.id.clone(), queue.name.clone())).collect())
        .unwrap_or_default();
    let records = center.records_with_live(&caller.org_id);
    let mut report =
        super::queue_report(&records, date_from, date_to, interval, &names).map_err(|error| ApiError::bad_request(error.0))?;
    if let Some(queue_id) = params.get("queueId") {
        report.entities.retain(|row| row.queue_id == queue_id);
    }
    Ok(Json(report))
}
