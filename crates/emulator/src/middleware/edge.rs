//! The outer layer of every emulated service: refuses heads and paths over the limits, identifies the
//! caller, applies fault rules, gives every error the Genesys body, and counts the request by
//! its route template. One layer rather than two because every `from_fn` layer clones its inner
//! service and boxes a future per request, which showed in the emulator benchmark.

use super::metrics::Metrics;
use super::{faults, metrics, rejections};
use crate::error::ApiError;
use crate::state::{AppState, Counters, Directory, Faults, Settings, Tokens};
use axum::extract::{ConnectInfo, FromRef, MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use std::sync::Arc;
use switchboard_api::emulator::CONTROL_TOKEN_HEADER;

/// What the edge layer touches: tokens (to tell the org), fault rules (and org names for their
/// filters), counters and metrics. Shared behind one `Arc`, so a request clones one pointer.
pub struct Edge {
    tokens: Tokens,
    faults: Faults,
    directory: Directory,
    counters: Counters,
    metrics: Arc<Metrics>,
}

impl Edge {
    pub fn new(state: &AppState) -> Arc<Edge> {
        Arc::new(Edge {
            tokens: Tokens::from_ref(state),
            faults: Faults::from_ref(state),
            directory: Directory::from_ref(state),
            counters: Counters::from_ref(state),
            metrics: Arc::from_ref(state),
        })
    }
}

pub async fn edge(State(edge): State<Arc<Edge>>, mut request: Request, next: Next) -> Response {
    let method = super::method_key(request.method());
    let template = request.extensions().get::<MatchedPath>().map(|matched| matched.as_str().to_string());
    let org = metrics::identify(&edge.tokens, &mut request);
    if let Err(refusal) = crate::limits::head(&request).and_then(|()| crate::limits::path(request.uri().path())) {
        let response = refusal.into_response();
        metrics::record(&edge.counters, &edge.metrics, &org, method, template, response.status().as_u16());
        return response;
    }
    let answered_by_fault = match faults::decide(&edge.faults, &edge.directory, &request) {
        Some(fault) => faults::apply(&edge.metrics, fault).await,
        None => None,
    };
    let response = match answered_by_fault {
        Some(response) => response,
        None => rejections::genesys_body(next.run(request).await).await,
    };
    metrics::record(&edge.counters, &edge.metrics, &org, method, template, response.status().as_u16());
    response
}

/// The control routes' layer: the same head limit and Genesys error bodies, without faults or
/// counters (a test must be able to remove a fault rule that matches `/**`). `/_emulator/*`
/// also needs a loopback peer and the control credential: being on loopback is no authority,
/// since the emulator's own outbound calls (data actions, health checks) come from there.
pub async fn control_edge(State(settings): State<Arc<Settings>>, request: Request, next: Next) -> Response {
    if let Err(refusal) = crate::limits::head(&request) {
        return refusal.into_response();
    }
    if request.uri().path().starts_with(CONTROL_PREFIX)
        && let Err(refusal) = control_access(&settings, &request)
    {
        return rejections::genesys_body(refusal.into_response()).await;
    }
    rejections::genesys_body(next.run(request).await).await
}

/// Every control route lives under this prefix.
const CONTROL_PREFIX: &str = "/_emulator/";

/// A loopback peer (or a request served in-process, which has no peer) that sends the control
/// credential. A wrong or missing credential is 401 whoever asks.
fn control_access(settings: &Settings, request: &Request) -> Result<(), ApiError> {
    if let Some(ConnectInfo(peer)) = request.extensions().get::<ConnectInfo<SocketAddr>>()
        && !peer.ip().is_loopback()
    {
        return Err(ApiError::forbidden("The emulator control API is only served to loopback clients."));
    }
    let presented = request.headers().get(CONTROL_TOKEN_HEADER).map(|value| value.as_bytes()).unwrap_or_default();
    if settings.control_token.matches(presented) {
        Ok(())
    } else {
        Err(ApiError::unauthorized(format!(
            "The emulator control API needs the control credential in the {CONTROL_TOKEN_HEADER} header (RunningEmulator::control_token, or the file `switchboard emulator --control-token-file` wrote)."
        )))
    }
}
