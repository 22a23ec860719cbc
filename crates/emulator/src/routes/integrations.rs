//! Integrations (`/api/v2/integrations`), their data actions (`/api/v2/integrations/actions`)
//! and the seeds' health check, which really calls the endpoint and times it.

use super::extract::{ApiJson, Params};
use super::org_access::{read, write};
use super::paging::paginate;
use crate::clock::Clock;
use crate::domain::integrations;
use crate::error::ApiError;
use crate::limits;
use crate::outbound::Outbound;
use crate::state::{AppState, Caller, Directory};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use std::time::Duration;
use switchboard_api::integration::{Action, HealthcheckRequest, HealthcheckResponse, Integration, IntegrationConfiguration};
use switchboard_api::paging::EntityListing;

pub fn routes(strict: bool) -> Router<AppState> {
    let router = Router::new()
        .route("/api/v2/integrations", get(list).post(create))
        .route("/api/v2/integrations/{id}", get(fetch).patch(update).delete(remove))
        .route("/api/v2/integrations/{id}/config/current", get(fetch_config).put(update_config))
        .route("/api/v2/integrations/actions", get(list_actions).post(create_action))
        .route("/api/v2/integrations/actions/{id}", get(fetch_action).patch(update_action).delete(remove_action));
    if strict {
        return router;
    }
    // Extensions: the seed's health check, and PUT on an integration, which the real API lacks
    // (it has PATCH, and PUT only on `config/current`); older scripts use it.
    router
        .route("/api/v2/integrations/{id}/healthcheck", post(healthcheck))
        .route("/api/v2/integrations/{id}", put(update))
}

async fn list(State(directory): State<Directory>, caller: Caller, params: Params) -> Result<Json<EntityListing<Integration>>, ApiError> {
    read(&directory, &caller, |org| {
        let items: Vec<Integration> =
            org.integrations.values().filter(|item| params.name_matches(item.name.as_deref().unwrap_or_default())).cloned().collect();
        Ok(Json(paginate(items, &params, "/api/v2/integrations")?))
    })
}

async fn fetch(State(directory): State<Directory>, caller: Caller, Path(id): Path<String>) -> Result<Json<Integration>, ApiError> {
    read(&directory, &caller, |org| Ok(Json(integrations::find(org, &id)?.clone())))
}

async fn create(State(directory): State<Directory>, caller: Caller, ApiJson(body): ApiJson<Integration>) -> Result<Json<Integration>, ApiError> {
    write(&directory, &caller, |org| Ok(Json(integrations::create(org, body))))
}

async fn update(
    State(directory): State<Directory>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Integration>,
) -> Result<Json<Integration>, ApiError> {
    write(&directory, &caller, |org| Ok(Json(integrations::update(org, &id, body)?)))
}

async fn fetch_config(State(directory): State<Directory>, caller: Caller, Path(id): Path<String>) -> Result<Json<IntegrationConfiguration>, ApiError> {
    read(&directory, &caller, |org| Ok(Json(integrations::current_config(org, &id)?)))
}

/// The real way to change an integration's configuration: the whole configuration with the
/// version it was read at; a stale version is 409.
async fn update_config(
    State(directory): State<Directory>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<IntegrationConfiguration>,
) -> Result<Json<IntegrationConfiguration>, ApiError> {
    write(&directory, &caller, |org| Ok(Json(integrations::replace_config(org, &id, body)?)))
}

async fn remove(State(directory): State<Directory>, caller: Caller, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    write(&directory, &caller, |org| {
        integrations::delete(org, &id)?;
        Ok(StatusCode::NO_CONTENT)
    })
}

async fn list_actions(State(directory): State<Directory>, caller: Caller, params: Params) -> Result<Json<EntityListing<Action>>, ApiError> {
    read(&directory, &caller, |org| {
        let items: Vec<Action> = org.actions.values().filter(|action| params.name_matches(&action.name)).cloned().collect();
        Ok(Json(paginate(items, &params, "/api/v2/integrations/actions")?))
    })
}

async fn fetch_action(State(directory): State<Directory>, caller: Caller, Path(id): Path<String>) -> Result<Json<Action>, ApiError> {
    read(&directory, &caller, |org| org.actions.get(&id).cloned().map(Json).ok_or_else(|| ApiError::not_found("action", &id)))
}

async fn create_action(State(directory): State<Directory>, caller: Caller, ApiJson(body): ApiJson<Action>) -> Result<Json<Action>, ApiError> {
    write(&directory, &caller, |org| Ok(Json(integrations::create_action(org, body)?)))
}

async fn update_action(
    State(directory): State<Directory>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Action>,
) -> Result<Json<Action>, ApiError> {
    write(&directory, &caller, |org| Ok(Json(integrations::update_action(org, &id, body)?)))
}

async fn remove_action(State(directory): State<Directory>, caller: Caller, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    write(&directory, &caller, |org| {
        integrations::delete_action(org, &id)?;
        Ok(StatusCode::NO_CONTENT)
    })
}

/// Seed 001: calls the endpoint (the body's or the integration's) and reports status and latency.
async fn healthcheck(
    State(directory): State<Directory>,
    State(http): State<Outbound>,
    State(clock): State<Clock>,
    caller: Caller,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<HealthcheckResponse>, ApiError> {
    // The body is optional: every field defaults from the integration.
    let request: HealthcheckRequest = if body.iter().all(u8::is_ascii_whitespace) {
        HealthcheckRequest::default()
    } else {
        serde_json::from_slice(&body).map_err(|error| ApiError::bad_request(format!("The request could not be understood: {error}")))?
    };
    let (configured_url, configured_method) = read(&directory, &caller, |org| {
        let integration = integrations::find(org, &id)?;
        let method = integration.config.as_ref().and_then(|config| config.current.properties.get("method")).and_then(|value| value.as_str());
        Ok((integration.endpoint_url().map(str::to_string), method.map(str::to_string)))
    })?;
    let endpoint_url = request
        .endpoint_url
        .or(configured_url)
        .ok_or_else(|| ApiError::invalid_value("endpointUrl: the integration has none configured; send one"))?;
    let method_name = request.method.or(configured_method).unwrap_or_else(|| "GET".to_string()).to_ascii_uppercase();
    let method = reqwest::Method::from_bytes(method_name.as_bytes())
        .map_err(|_| ApiError::invalid_value(format!("method: `{method_name}` is not an HTTP method")))?;
    let timeout_ms = request.timeout_ms.unwrap_or(5_000);
    if !(1..=limits::HEALTHCHECK_TIMEOUT_MS_MAX).contains(&timeout_ms) {
        return Err(ApiError::invalid_value(format!("timeoutMs: must be from 1 to {}, got {timeout_ms}", limits::HEALTHCHECK_TIMEOUT_MS_MAX)));
    }
    let expected = request.expected_status_code.unwrap_or(200);
    if !(100..=599).contains(&expected) {
        return Err(ApiError::invalid_value(format!("expectedStatusCode: must be an HTTP status from 100 to 599, got {expected}")));
    }
    // The same guarded client as data actions: a tenant's URL never reaches the control surface.
    let sent = http.request(method, &endpoint_url).map_err(|refused| ApiError::invalid_value(format!("endpointUrl: {refused}")))?;
    let started = clock.now();
    let outcome = sent.timeout(Duration::from_millis(timeout_ms)).send().await;
    let (status_code, error) = match outcome {
        // The body is not needed; dropping the response closes it unread.
        Ok(response) => (Some(response.status().as_u16()), None),
        Err(error) if error.is_timeout() => (None, Some(format!("timed out after {timeout_ms} ms"))),
        Err(error) => (None, Some(error.without_url().to_string())),
    };
    let latency_ms = u64::try_from(clock.since(started).as_millis()).unwrap_or(u64::MAX);
    Ok(Json(HealthcheckResponse {
        integration_id: id,
        endpoint_url,
        method: method_name,
        healthy: status_code == Some(expected) && error.is_none(),
        status_code,
        expected_status_code: expected,
        latency_ms,
        timeout_ms,
        error,
        checked_at: directory.now(),
    }))
}
