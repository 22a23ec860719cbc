//! API usage: the real `POST /api/v2/usage/query` with result polling (rows come from the
//! emulator's own request counters) and the seeds' `GET /api/v2/usage/sessions/current`.

use super::support::{ApiJson, Params, read, write};
use crate::error::ApiError;
use crate::state::{AppState, Caller};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use switchboard_api::usage::{SessionsCurrent, UsageExecutionResult, UsageQuery, UsageQueryResult};

pub fn routes(strict: bool) -> Router<AppState> {
    let router = Router::new()
        .route("/api/v2/usage/query", post(query))
        .route("/api/v2/usage/query/{execution}/results", get(results));
    if strict { router } else { router.route("/api/v2/usage/sessions/current", get(sessions)) }
}

async fn query(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<UsageQuery>,
) -> Result<(StatusCode, Json<UsageExecutionResult>), ApiError> {
    if !body.interval.contains('/') {
        return Err(ApiError::invalid_value("interval: expected an ISO-8601 interval `start/end`"));
    }
    write(&state, &caller, |org| {
        let execution_id = org.next_id("usage");
        org.usage_queries.insert(execution_id.clone(), body);
        let results_uri = format!("/api/v2/usage/query/{execution_id}/results");
        Ok((StatusCode::ACCEPTED, Json(UsageExecutionResult { execution_id, results_uri })))
    })
}

async fn results(State(state): State<AppState>, caller: Caller, Path(execution): Path<String>) -> Result<Json<UsageQueryResult>, ApiError> {
    read(&state, &caller, |org| {
        if !org.usage_queries.contains_key(&execution) {
            return Err(ApiError::not_found("usage query execution", &execution));
        }
        Ok(())
    })?;
    let results = state.counters().usage_rows(&caller.org_id);
    Ok(Json(UsageQueryResult { results, query_status: "Complete".to_string() }))
}

/// Seed 001: the license pool and how much of it logged-in users take.
async fn sessions(State(state): State<AppState>, caller: Caller, params: Params) -> Result<Json<SessionsCurrent>, ApiError> {
    read(&state, &caller, |org| {
        let used = org
            .users
            .values()
            .filter(|user| {
                user.presence
                    .as_ref()
                    .and_then(|presence| presence.presence_definition.system_presence.as_deref())
                    .is_some_and(|presence| presence != "Offline")
            })
            .count() as u64;
        Ok(Json(SessionsCurrent {
            license_type: params.get("licenseType").unwrap_or("Premium").to_string(),
            metric: params.get("metric").unwrap_or("activeUsers").to_string(),
            total: org.license_total,
            used,
            available: org.license_total.saturating_sub(used),
        }))
    })
}
