//! Integrations (`/api/v2/integrations`), their data actions (`/api/v2/integrations/actions`)
//! and the seeds' health check, which really calls the endpoint and times it.

use super::support::{ApiJson, Params, now, paginate, read, write};
use crate::error::ApiError;
use crate::state::{AppState, Caller, OrgStore};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use std::time::{Duration, Instant};
use switchboard_api::integration::{Action, HealthcheckRequest, HealthcheckResponse, Integration, IntegrationConfiguration, IntegrationConfigurationInfo};
use switchboard_api::paging::EntityListing;

pub fn routes(strict: bool) -> Router<AppState> {
    let router = Router::new()
        .route("/api/v2/integrations", get(list).post(create))
        .route("/api/v2/integrations/{id}", get(fetch).patch(update).put(update).delete(remove))
        .route("/api/v2/integrations/{id}/config/current", get(fetch_config).put(update_config))
        .route("/api/v2/integrations/actions", get(list_actions).post(create_action))
        .route("/api/v2/integrations/actions/{id}", get(fetch_action).patch(update_action).delete(remove_action));
    if strict { router } else { router.route("/api/v2/integrations/{id}/healthcheck", post(healthcheck)) }
}

fn find<'a>(org: &'a OrgStore, id: &str) -> Result<&'a Integration, ApiError> {
    org.integrations.get(id).ok_or_else(|| ApiError::not_found("integration", id))
}

async fn list(State(state): State<AppState>, caller: Caller, params: Params) -> Result<Json<EntityListing<Integration>>, ApiError> {
    read(&state, &caller, |org| {
        let items: Vec<Integration> =
            org.integrations.values().filter(|item| params.name_matches(item.name.as_deref().unwrap_or_default())).cloned().collect();
        Ok(Json(paginate(items, &params, "/api/v2/integrations")?))
    })
}

async fn fetch(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<Integration>, ApiError> {
    read(&state, &caller, |org| Ok(Json(find(org, &id)?.clone())))
}

async fn create(State(state): State<AppState>, caller: Caller, ApiJson(body): ApiJson<Integration>) -> Result<Json<Integration>, ApiError> {
    write(&state, &caller, |org| {
        let id = org.next_id("integration");
        let item = Integration {
            id: id.clone(),
            intended_state: body.intended_state.clone().or(Some("ENABLED".to_string())),
            self_uri: Some(format!("/api/v2/integrations/{id}")),
            ..body
        };
        org.integrations.insert(id, item.clone());
        Ok(Json(item))
    })
}

/// Last-write-wins on the fields sent.
async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Integration>,
) -> Result<Json<Integration>, ApiError> {
    write(&state, &caller, |org| {
        let item = org.integrations.get_mut(&id).ok_or_else(|| ApiError::not_found("integration", &id))?;
        item.name = body.name.or(item.name.take());
        item.notes = body.notes.or(item.notes.take());
        item.intended_state = body.intended_state.or(item.intended_state.take());
        if let Some(mut config) = body.config {
            config.current.version = item.config.as_ref().map_or(0, |old| old.current.version) + 1;
            item.config = Some(config);
        }
        Ok(Json(item.clone()))
    })
}

async fn fetch_config(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<IntegrationConfiguration>, ApiError> {
    read(&state, &caller, |org| {
        let current = find(org, &id)?.config.as_ref().map(|config| config.current.clone()).unwrap_or_default();
        Ok(Json(with_identity(current, &id)))
    })
}

/// A configuration as the config/current endpoints answer it: with the integration's id and its own URI.
fn with_identity(config: IntegrationConfiguration, id: &str) -> IntegrationConfiguration {
    IntegrationConfiguration { id: Some(id.to_string()), self_uri: Some(format!("/api/v2/integrations/{id}/config/current")), ..config }
}

/// The real way to change an integration's configuration: the whole configuration with the
/// version it was read at; a stale version is 409.
async fn update_config(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<IntegrationConfiguration>,
) -> Result<Json<IntegrationConfiguration>, ApiError> {
    write(&state, &caller, |org| {
        let item = org.integrations.get_mut(&id).ok_or_else(|| ApiError::not_found("integration", &id))?;
        let current = item.config.as_ref().map_or(0, |config| config.current.version);
        super::support::check_version("integration configuration", body.version, current)?;
        let config = IntegrationConfiguration { version: current + 1, name: body.name.or_else(|| item.name.clone()), ..body };
        item.config = Some(IntegrationConfigurationInfo { current: config.clone() });
        Ok(Json(with_identity(config, &id)))
    })
}

async fn remove(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    write(&state, &caller, |org| {
        org.integrations.remove(&id).ok_or_else(|| ApiError::not_found("integration", &id))?;
        org.actions.retain(|_, action| action.integration_id != id);
        Ok(StatusCode::NO_CONTENT)
    })
}

async fn list_actions(State(state): State<AppState>, caller: Caller, params: Params) -> Result<Json<EntityListing<Action>>, ApiError> {
    read(&state, &caller, |org| {
        let items: Vec<Action> = org.actions.values().filter(|action| params.name_matches(&action.name)).cloned().collect();
        Ok(Json(paginate(items, &params, "/api/v2/integrations/actions")?))
    })
}

async fn fetch_action(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<Action>, ApiError> {
    read(&state, &caller, |org| org.actions.get(&id).cloned().map(Json).ok_or_else(|| ApiError::not_found("action", &id)))
}

async fn create_action(State(state): State<AppState>, caller: Caller, ApiJson(body): ApiJson<Action>) -> Result<Json<Action>, ApiError> {
    write(&state, &caller, |org| {
        find(org, &body.integration_id)?;
        let id = format!("custom_-_{}", org.next_id("action"));
        let action = Action { id: id.clone(), version: 1, self_uri: Some(format!("/api/v2/integrations/actions/{id}")), ..body };
        org.actions.insert(id, action.clone());
        Ok(Json(action))
    })
}

/// Actions are versioned on the real platform: a stale `version` is 409.
async fn update_action(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Action>,
) -> Result<Json<Action>, ApiError> {
    write(&state, &caller, |org| {
        let action = org.actions.get_mut(&id).ok_or_else(|| ApiError::not_found("action", &id))?;
        super::support::check_version("action", body.version, action.version)?;
        action.name = body.name;
        action.category = body.category.or(action.category.take());
        action.config = body.config.or(action.config.take());
        action.retry_config = body.retry_config.or(action.retry_config.take());
        action.version += 1;
        Ok(Json(action.clone()))
    })
}

async fn remove_action(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    write(&state, &caller, |org| org.actions.remove(&id).map(|_| StatusCode::NO_CONTENT).ok_or_else(|| ApiError::not_found("action", &id)))
}

/// Seed 001: calls the endpoint (the body's or the integration's) and reports status and latency.
async fn healthcheck(
    State(state): State<AppState>,
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
    let (configured_url, configured_method) = read(&state, &caller, |org| {
        let integration = find(org, &id)?;
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
    let expected = request.expected_status_code.unwrap_or(200);
    let started = Instant::now();
    let outcome = state.http().request(method, &endpoint_url).timeout(Duration::from_millis(timeout_ms)).send().await;
    let latency_ms = started.elapsed().as_millis() as u64;
    let (status_code, error) = match outcome {
        Ok(response) => (Some(response.status().as_u16()), None),
        Err(error) if error.is_timeout() => (None, Some(format!("timed out after {timeout_ms} ms"))),
        Err(error) => (None, Some(error.to_string())),
    };
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
        checked_at: now(),
    }))
}
