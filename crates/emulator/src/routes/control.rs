//! The emulator's own surface: `/_emulator/faults` (rules), `/_emulator/reset`,
//! `/_emulator/counters` — loopback peers only — and `/health`, `/metrics`.

use super::support::{ApiJson, Params};
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use std::net::SocketAddr;
use switchboard_api::emulator::{FaultRule, FaultRuleList, RequestCounters};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/_emulator/faults", get(list).post(add).delete(clear))
        .route("/_emulator/faults/{id}", delete(remove))
        .route("/_emulator/reset", post(reset))
        .route("/_emulator/counters", get(counters))
        .merge(health_routes())
}

/// `/health` (live/ready) and Prometheus `/metrics`: every listener of the emulator serves them.
pub fn health_routes() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/health/live", get(health))
        .route("/health/ready", get(health))
        .route("/metrics", get(metrics))
}

/// Admits only loopback peers. Requests served in-process (no `ConnectInfo`) are trusted.
pub struct Loopback;

impl<S: Send + Sync> FromRequestParts<S> for Loopback {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<ConnectInfo<SocketAddr>>() {
            Some(ConnectInfo(peer)) if !peer.ip().is_loopback() => {
                Err(ApiError::forbidden("The emulator control API is only served to loopback clients."))
            }
            _ => Ok(Loopback),
        }
    }
}

async fn list(_: Loopback, State(state): State<AppState>) -> Json<FaultRuleList> {
    Json(FaultRuleList { rules: state.faults().list() })
}

async fn add(_: Loopback, State(state): State<AppState>, ApiJson(rule): ApiJson<FaultRule>) -> Result<(StatusCode, Json<FaultRule>), ApiError> {
    let rule = state.faults().add(rule)?;
    Ok((StatusCode::CREATED, Json(rule)))
}

async fn clear(_: Loopback, State(state): State<AppState>) -> StatusCode {
    state.faults().clear();
    StatusCode::NO_CONTENT
}

async fn remove(_: Loopback, State(state): State<AppState>, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    if state.faults().remove(&id) {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("fault rule", &id))
    }
}

/// Clears fault rules, counters and rate-limit windows; with `?data=true` also restores the
/// store to what the emulator started with. Tokens stay valid.
async fn reset(_: Loopback, State(state): State<AppState>, params: Params) -> Result<StatusCode, ApiError> {
    state.faults().clear();
    state.counters().clear();
    state.rate().clear();
    state.contact_center().sessions.book().clear();
    if params.flag("data", false)? {
        state.replace_store(state.initial_store());
        // Traffic, analytics and CRM records go with the data; integrations re-point at this emulator.
        state.contact_center().reset_data(&state);
    }
    Ok(StatusCode::NO_CONTENT)
}

async fn counters(_: Loopback, State(state): State<AppState>) -> Json<RequestCounters> {
    Json(state.counters().snapshot())
}

async fn health(State(state): State<AppState>) -> Json<Value> {
    let orgs = state.org_ids().len();
    Json(json!({"status": "UP", "live": true, "ready": orgs > 0, "orgs": orgs, "strict": state.strict()}))
}

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], state.metrics().encode())
}
