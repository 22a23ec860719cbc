//! Per-token rate limiting: 429 with `Retry-After` past the limit, and the limit headers on
//! every answer — the real platform's `inin-ratelimit-*` always, the seeds' `X-RateLimit-*`
//! unless strict.

use crate::error::ApiError;
use crate::state::rate::RateDecision;
use crate::state::{AppState, Caller};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use switchboard_api::rate_limit as names;

pub async fn limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(caller) = request.extensions().get::<Caller>().cloned() else {
        return next.run(request).await;
    };
    let decision = state.rate().check(&caller.token, state.settings().rate_limit_per_minute);
    let mut response = if decision.allowed {
        next.run(request).await
    } else {
        state.metrics().rate_limited.inc();
        ApiError::too_many_requests(decision.reset_after_seconds).into_response()
    };
    add_headers(response.headers_mut(), &decision, state.strict());
    response
}

pub fn add_headers(headers: &mut HeaderMap, decision: &RateDecision, strict: bool) {
    headers.insert(names::ININ_ALLOWED, HeaderValue::from(decision.limit));
    headers.insert(names::ININ_COUNT, HeaderValue::from(decision.count));
    headers.insert(names::ININ_RESET, HeaderValue::from(decision.reset_after_seconds));
    if !strict {
        headers.insert(names::X_LIMIT, HeaderValue::from(decision.limit));
        headers.insert(names::X_REMAINING, HeaderValue::from(decision.remaining));
        headers.insert(names::X_RESET, HeaderValue::from(decision.reset_at_unix));
    }
}
