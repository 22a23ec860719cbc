//! API usage: the real `POST /api/v2/usage/query` with result polling, the real per-client
//! usage (`GET /api/v2/oauth/clients/{clientId}/usage/summary`, `POST .../usage/query`, then
//! `GET .../usage/query/results/{executionId}`) — rows come from the emulator's own request
//! counters, per OAuth client, since start or the last `/_emulator/reset` (the interval and `days`
//! are checked, not used to filter) — and the seeds' `GET /api/v2/usage/sessions/current`.

use super::extract::{ApiJson, Params};
use super::org_access::{read, write};
use crate::clock::Clock;
use crate::error::ApiError;
use crate::state::{AppState, Caller, Counters, Directory};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use switchboard_api::usage::{SessionsCurrent, UsageExecutionResult, UsageQuery, UsageQueryResult};

pub fn routes(strict: bool) -> Router<AppState> {
    let router = Router::new()
        .route("/api/v2/usage/query", post(query))
        .route("/api/v2/usage/query/{execution}/results", get(results))
        .route("/api/v2/oauth/clients/{client}/usage/summary", get(client_summary))
        .route("/api/v2/oauth/clients/{client}/usage/query", post(client_query))
        .route("/api/v2/oauth/clients/{client}/usage/query/results/{execution}", get(client_results));
    if strict { router } else { router.route("/api/v2/usage/sessions/current", get(sessions)) }
}

/// Usage query executions kept per org; beyond it one is dropped to make room.
const EXECUTIONS_KEPT: usize = 1_000;

fn check_interval(query: &UsageQuery) -> Result<(), ApiError> {
    if query.interval.contains('/') { Ok(()) } else { Err(ApiError::invalid_value("interval: expected an ISO-8601 interval `start/end`")) }
}

/// Records an execution under `key(execution_id)` and answers where its results are.
fn start_execution(
    directory: &Directory,
    caller: &Caller,
    query: UsageQuery,
    key: impl Fn(&str) -> String,
    results_uri: impl Fn(&str) -> String,
) -> Result<(StatusCode, Json<UsageExecutionResult>), ApiError> {
    write(directory, caller, |org| {
        let execution_id = org.next_id("usage");
        while org.usage_queries.len() >= EXECUTIONS_KEPT {
            let Some(oldest) = org.usage_queries.keys().next().cloned() else { break };
            org.usage_queries.remove(&oldest);
        }
        org.usage_queries.insert(key(&execution_id), query);
        let results_uri = results_uri(&execution_id);
        Ok((StatusCode::ACCEPTED, Json(UsageExecutionResult { execution_id, results_uri })))
    })
}

async fn query(
    State(directory): State<Directory>,
    caller: Caller,
    ApiJson(body): ApiJson<UsageQuery>,
) -> Result<(StatusCode, Json<UsageExecutionResult>), ApiError> {
    check_interval(&body)?;
    start_execution(&directory, &caller, body, str::to_string, |id| format!("/api/v2/usage/query/{id}/results"))
}

fn client_key(client: &str, execution: &str) -> String {
    format!("oauth-client:{client}:{execution}")
}

/// The OAuth client must be one of the caller's org.
fn require_client(directory: &Directory, caller: &Caller, client: &str) -> Result<(), ApiError> {
    read(directory, caller, |org| {
        if crate::domain::oauth_clients::belongs(org, client) { Ok(()) } else { Err(ApiError::not_found("OAuth client", client)) }
    })
}

async fn client_query(
    State(directory): State<Directory>,
    caller: Caller,
    Path(client): Path<String>,
    ApiJson(body): ApiJson<UsageQuery>,
) -> Result<(StatusCode, Json<UsageExecutionResult>), ApiError> {
    check_interval(&body)?;
    require_client(&directory, &caller, &client)?;
    start_execution(&directory, &caller, body, |id| client_key(&client, id), |id| format!("/api/v2/oauth/clients/{client}/usage/query/results/{id}"))
}

/// `?days=` (1..=366, default 7): the summary is a query over the last days.
async fn client_summary(
    State(directory): State<Directory>,
    State(clock): State<Clock>,
    caller: Caller,
    Path(client): Path<String>,
    params: Params,
) -> Result<(StatusCode, Json<UsageExecutionResult>), ApiError> {
    let days = match params.get("days") {
        Some(text) => text.parse::<u64>().map_err(|_| ApiError::invalid_value(format!("days: expected a whole number, got `{text}`")))?,
        None => 7,
    };
    if !(1..=366).contains(&days) {
        return Err(ApiError::invalid_value(format!("days: expected 1 to 366, got {days}")));
    }
    require_client(&directory, &caller, &client)?;
    let end = clock.utc();
    let start = end - chrono::TimeDelta::days(days as i64);
    let query = UsageQuery {
        interval: format!("{}/{}", start.format("%Y-%m-%dT%H:%M:%SZ"), end.format("%Y-%m-%dT%H:%M:%SZ")),
        granularity: Some("Day".to_string()),
        ..UsageQuery::default()
    };
    start_execution(&directory, &caller, query, |id| client_key(&client, id), |id| format!("/api/v2/oauth/clients/{client}/usage/query/results/{id}"))
}

async fn client_results(
    State(directory): State<Directory>,
    State(counters): State<Counters>,
    caller: Caller,
    Path((client, execution)): Path<(String, String)>,
) -> Result<Json<UsageQueryResult>, ApiError> {
    read(&directory, &caller, |org| {
        if !org.usage_queries.contains_key(&client_key(&client, &execution)) {
            return Err(ApiError::not_found("usage query execution", &execution));
        }
        Ok(())
    })?;
    let results = counters.lock().usage_rows(&caller.org_id, Some(&client));
    Ok(Json(UsageQueryResult { results, query_status: "Complete".to_string() }))
}

async fn results(State(directory): State<Directory>, State(counters): State<Counters>, caller: Caller, Path(execution): Path<String>) -> Result<Json<UsageQueryResult>, ApiError> {
    read(&directory, &caller, |org| {
        if !org.usage_queries.contains_key(&execution) {
            return Err(ApiError::not_found("usage query execution", &execution));
        }
        Ok(())
    })?;
    let results = counters.lock().usage_rows(&caller.org_id, None);
    Ok(Json(UsageQueryResult { results, query_status: "Complete".to_string() }))
}

/// Seed 001: the license pool and how much of it logged-in users take.
async fn sessions(State(directory): State<Directory>, caller: Caller, params: Params) -> Result<Json<SessionsCurrent>, ApiError> {
    read(&directory, &caller, |org| {
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
