//! A Genesys-Cloud-compatible platform emulator: `app(state)` is the axum router, `spawn` runs
//! it on a socket. The REST dialect, auth, rate limits, concurrency rules and faults follow the
//! real platform, plus the seeds' extensions unless `strict`.

mod analytics;
mod architect;
mod clock;
mod connection;
mod contact_center;
mod control_token;
mod crm;
mod domain;
mod error;
mod flow_body;
mod limits;
mod middleware;
mod notifications;
mod outbound;
mod routes;
mod server;
mod state;
mod topology;

pub use connection::ConnectionTimeouts;
pub use contact_center::routes::path_view;
pub use contact_center::{CallError, CallRequest, CenterOptions, LiveCall, Outcome, Phase, TrafficError, placed_call};
pub use crm::tls::{CrmTlsConfig, CrmTlsServer, serve_crm_tls};
pub use error::{ApiError, EmulatorError};
pub use notifications::{NotificationConfig, NotificationHub};
pub use server::{ConnectionKill, ControlTokenOption, EmulatorOptions, RunningEmulator, control_client, serve, spawn};
pub use state::{AppState, Directory, Settings};
pub use topology::{DEFAULT_SCALE_SEED, ScaleSpec, Topology, load_topology, scaled};

use axum::Router;
use axum::extract::FromRef;
use std::sync::Arc;
use axum::middleware::from_fn_with_state;
use middleware::{durable, edge, etag, gate};

/// The emulator's whole HTTP surface.
pub fn app(state: AppState) -> Router {
    app_with(state, notifications::api_routes(), notifications::socket_routes())
}

/// `app` plus extra routes: `extra_api` is served under the same auth, rate limit and ETag
/// layers as `/api/v2/*`; `extra_public` only under metrics and faults (e.g. WebSocket connect
/// URIs, fake external services).
pub fn app_with(state: AppState, extra_api: Router<AppState>, extra_public: Router<AppState>) -> Router {
    let api = routes::api_routes(state.strict()).merge(extra_api);
    // The ETag layer reads current representations through an un-layered copy of the API.
    let etag = (!state.strict()).then(|| etag::EtagReader::new(api.clone().with_state(state.clone())));
    let api = api.layer(from_fn_with_state(gate::ApiGate::new(&state, etag), gate::gate));
    Router::new()
        .merge(api)
        .merge(routes::public_routes(state.strict()))
        .merge(extra_public)
        .fallback(|| async { ApiError::no_route() })
        .layer(from_fn_with_state(edge::Edge::new(&state), edge::edge))
        // Control and health routes are outside faults and counters on purpose: a test must be
        // able to remove a fault rule that matches `/**`. Their rejections still get the body.
        .merge(routes::control_routes(state.strict()).layer(from_fn_with_state(Arc::<Settings>::from_ref(&state), edge::control_edge)))
        .layer(axum::extract::DefaultBodyLimit::max(limits::BODY_BYTES_MAX))
        // Outermost, so no layer answers before the request's writes are on disk.
        .layer(from_fn_with_state(state.directory().clone(), durable::durable))
        .with_state(state)
}
