//! The gate in front of `/api/v2/*`: bearer authentication, the per-token rate limit and (unless
//! strict) the seeds' ETag layer, in that order, as one layer (see `edge` for why one).

use super::metrics::Metrics;
use super::{auth, etag, rate_limit};
use crate::state::{AppState, Rates, Settings, Tokens};
use axum::extract::{FromRef, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// What the gate touches: tokens, rate windows, the rate-limit settings and metrics, and the
/// ETag reader. Shared behind one `Arc`, so a request clones one pointer.
pub struct ApiGate {
    tokens: Tokens,
    rates: Rates,
    settings: Arc<Settings>,
    metrics: Arc<Metrics>,
    /// `None` in strict mode: the real platform has no ETags.
    etag: Option<etag::EtagReader>,
}

impl ApiGate {
    pub fn new(state: &AppState, etag: Option<etag::EtagReader>) -> Arc<ApiGate> {
        Arc::new(ApiGate {
            tokens: Tokens::from_ref(state),
            rates: Rates::from_ref(state),
            settings: Arc::from_ref(state),
            metrics: Arc::from_ref(state),
            etag,
        })
    }
}

pub async fn gate(State(gate): State<Arc<ApiGate>>, mut request: Request, next: Next) -> Response {
    let caller = match auth::authenticate(&gate.tokens, &mut request) {
        Ok(caller) => caller,
        Err(refusal) => return refusal.into_response(),
    };
    let (decision, refusal) = rate_limit::decide(&gate.rates, &gate.settings, &gate.metrics, &caller);
    let mut response = match (refusal, &gate.etag) {
        (Some(refusal), _) => refusal,
        (None, Some(reader)) => etag::around(reader, request, next).await,
        (None, None) => next.run(request).await,
    };
    rate_limit::add_headers(response.headers_mut(), &decision, gate.settings.strict);
    response
}
