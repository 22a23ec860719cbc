//! The bridge's own HTTP surface: `/health/live` (the process runs), `/health/ready` (it can do
//! its job: a valid token, the served queues resolved, the store reachable and migrated, the
//! background tasks alive, not draining) and Prometheus `/metrics`.

use crate::status::Status;
use crate::metrics::Metrics;
use crate::store::StateStore;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::Ordering;

#[derive(Clone)]
pub struct ServerState {
    pub status: Arc<Status>,
    pub metrics: Arc<Metrics>,
    pub store: Arc<dyn StateStore>,
}

pub fn app(state: ServerState) -> Router {
    Router::new()
        .route(
            "/health/live",
            get(|| async { Json(json!({"status": "live"})) }),
        )
        .route("/health/ready", get(ready))
        .route("/metrics", get(metrics))
        .with_state(state)
}

async fn ready(State(state): State<ServerState>) -> (StatusCode, Json<serde_json::Value>) {
    let status = &state.status;
    let store_ok = state.store.ping().await.is_ok();
    let ready = store_ok && status.ready_without_store();
    let body = json!({
        "ready": ready,
        "token": status.token_ok.load(Ordering::Relaxed),
        "queues": status.queues_resolved.load(Ordering::Relaxed),
        "store": store_ok,
        "migrations": status.migrated.load(Ordering::Relaxed),
        "workers": status.workers_alive.load(Ordering::Relaxed),
        "draining": status.draining.load(Ordering::Relaxed),
        "role": if status.active.load(Ordering::Relaxed) { "active" } else { "standby" },
        "problem": status.problem(),
    });
    (
        if ready {
            StatusCode::OK
        } else {
            StatusCode::SERVICE_UNAVAILABLE
        },
        Json(body),
    )
}

async fn metrics(
    State(state): State<ServerState>,
) -> ([(axum::http::HeaderName, &'static str); 1], String) {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.encode(),
    )
}
