//! The gate in front of `/api/v2/*`: bearer authentication, the per-token rate limit and (unless
//! strict) the seeds' ETag layer, in that order, as one layer (see `edge` for why one).

use super::{auth, etag, rate_limit};
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

#[derive(Clone)]
pub struct ApiGate {
    pub state: AppState,
    /// `None` in strict mode: the real platform has no ETags.
    pub etag: Option<etag::EtagReader>,
}

pub async fn gate(State(gate): State<ApiGate>, mut request: Request, next: Next) -> Response {
    let caller = match auth::authenticate(&gate.state, &mut request) {
        Ok(caller) => caller,
        Err(refusal) => return refusal.into_response(),
    };
    let (decision, refusal) = rate_limit::decide(&gate.state, &caller);
    let mut response = match (refusal, &gate.etag) {
        (Some(refusal), _) => refusal,
        (None, Some(reader)) => etag::around(reader, request, next).await,
        (None, None) => next.run(request).await,
    };
    rate_limit::add_headers(response.headers_mut(), &decision, gate.state.strict());
    response
}
