//! The bridge's own HTTP surface, served through `switchboard-service`: `/health/live` (the
//! process runs), `/health/ready` (it can do its job: a valid token, the served queues resolved,
//! the store reachable and migrated, the background tasks alive, not draining) and Prometheus
//! `/metrics`. Only the readiness facts are the bridge's; the app and the listener are shared.

use crate::metrics::Metrics;
use crate::status::Status;
use crate::store::StateStore;
use axum::Router;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use switchboard_service::{ReadyReport, health_app};

#[derive(Clone)]
pub struct ServerState {
    pub status: Arc<Status>,
    pub metrics: Arc<Metrics>,
    pub store: Arc<dyn StateStore>,
}

pub fn app(state: ServerState) -> Router {
    let metrics = state.metrics.clone();
    health_app(move || report(state.clone()), metrics)
}

/// Each fact a check (the store pinged now); `draining`, `role` and `problem` inform.
async fn report(state: ServerState) -> ReadyReport {
    let status = &state.status;
    let store_ok = state.store.ping().await.is_ok();
    let draining = status.draining.load(Ordering::Relaxed);
    ReadyReport::default()
        .check("token", status.token_ok.load(Ordering::Relaxed))
        .check("queues", status.queues_resolved.load(Ordering::Relaxed))
        .check("store", store_ok)
        .check("migrations", status.migrated.load(Ordering::Relaxed))
        .check("workers", status.workers_alive.load(Ordering::Relaxed))
        .check("accepting", !draining)
        .detail("draining", draining)
        .detail("role", if status.active.load(Ordering::Relaxed) { "active" } else { "standby" })
        .detail("problem", status.problem())
}
