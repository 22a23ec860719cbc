//! The admin listener, served through `switchboard-service`: `/health/live` (the process
//! serves), `/health/ready` (it takes new sessions: the `accepting` check fails while draining),
//! `/metrics` (Prometheus text). Only the readiness fact is the gateway's.

use crate::hub::Hub;
use axum::Router;
use prometheus_client::registry::Registry;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use switchboard_service::{MetricsSource, ReadyReport, health_app};

#[derive(Clone)]
pub struct AdminState {
    pub hub: Arc<Hub>,
    pub ready: Arc<AtomicBool>,
}

impl MetricsSource for Hub {
    fn registry(&self) -> &Registry {
        self.metrics.registry()
    }
}

pub fn app(state: AdminState) -> Router {
    let ready = state.ready;
    health_app(
        move || {
            let accepting = ready.load(Ordering::SeqCst);
            async move { ReadyReport::default().check("accepting", accepting) }
        },
        state.hub,
    )
}
