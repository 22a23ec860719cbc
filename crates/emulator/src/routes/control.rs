//! The emulator's own surface: `/_emulator/faults` (rules), `/_emulator/reset`,
//! `/_emulator/counters` — loopback peers with the control credential only, never under
//! `--strict` (`middleware::edge::control_edge` checks both) — and `/health`, `/metrics`.

use crate::contact_center::ContactCenter;
use crate::error::ApiError;
use crate::middleware::metrics::Metrics;
use crate::routes::extract::{ApiJson, Params};
use crate::state::{AppState, Counters, Directory, Faults, Rates, Settings};
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use std::sync::Arc;
use switchboard_api::emulator::{FaultRule, FaultRuleList, RequestCounters};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/_emulator/faults", get(list).post(add).delete(clear))
        .route("/_emulator/faults/{id}", delete(remove))
        .route("/_emulator/reset", post(reset))
        .route("/_emulator/counters", get(counters))
}

/// `/health` (live/ready) and Prometheus `/metrics`: every listener of the emulator serves them.
pub fn health_routes() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/health/live", get(health))
        .route("/health/ready", get(health))
        .route("/metrics", get(metrics))
}

async fn list(State(faults): State<Faults>) -> Json<FaultRuleList> {
    Json(FaultRuleList { rules: faults.lock().list() })
}

async fn add(State(faults): State<Faults>, ApiJson(rule): ApiJson<FaultRule>) -> Result<(StatusCode, Json<FaultRule>), ApiError> {
    let rule = faults.lock().add(rule)?;
    Ok((StatusCode::CREATED, Json(rule)))
}

async fn clear(State(faults): State<Faults>) -> StatusCode {
    faults.lock().clear();
    StatusCode::NO_CONTENT
}

async fn remove(State(faults): State<Faults>, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    if faults.lock().remove(&id) {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("fault rule", &id))
    }
}

/// Clears fault rules, counters and rate-limit windows; with `?data=true` also restores the
/// store to what the emulator started with. Tokens stay valid.
async fn reset(
    State(directory): State<Directory>,
    State(center): State<Arc<ContactCenter>>,
    State(faults): State<Faults>,
    State(counters): State<Counters>,
    State(rates): State<Rates>,
    params: Params,
) -> Result<StatusCode, ApiError> {
    faults.lock().clear();
    counters.lock().clear();
    rates.lock().clear();
    center.sessions.book().clear();
    if params.flag("data", false)? {
        directory.replace_store(directory.initial_store());
        // Traffic, analytics and CRM records go with the data; integrations re-point at this emulator.
        center.reset_data(&directory);
    }
    Ok(StatusCode::NO_CONTENT)
}

async fn counters(State(counters): State<Counters>) -> Json<RequestCounters> {
    Json(counters.lock().snapshot())
}

async fn health(State(directory): State<Directory>, State(settings): State<Arc<Settings>>) -> Json<Value> {
    let orgs = directory.org_ids().len();
    Json(json!({"status": "UP", "live": true, "ready": orgs > 0, "orgs": orgs, "strict": settings.strict}))
}

async fn metrics(State(metrics): State<Arc<Metrics>>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], metrics.encode())
}
