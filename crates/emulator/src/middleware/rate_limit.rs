//! Per-token rate limiting: 429 with `Retry-After` past the limit, and the limit headers on
//! every answer — the real platform's `inin-ratelimit-*` always, the seeds' `X-RateLimit-*`
//! unless strict.

use crate::error::ApiError;
use crate::middleware::metrics::Metrics;
use crate::state::rate::RateDecision;
use crate::state::{Caller, Rates, Settings};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use switchboard_api::rate_limit as names;

/// Counts the request against its token's window; `Err` is the 429 to answer with.
pub fn decide(rates: &Rates, settings: &Settings, metrics: &Metrics, caller: &Caller) -> (RateDecision, Option<Response>) {
    let decision = rates.lock().check(&caller.token, settings.rate_limit_per_minute, settings.rate_limit_window);
    if decision.allowed {
        return (decision, None);
    }
    metrics.rate_limited.inc();
    let refusal = ApiError::too_many_requests(decision.reset_after_seconds).into_response();
    (decision, Some(refusal))
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
