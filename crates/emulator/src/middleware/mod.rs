//! The layers around the handlers, outermost first: `metrics::observe` (who is calling, counters,
//! Prometheus), `faults::inject`, then for `/api/v2/*` `auth::authenticate`,
//! `rate_limit::limit` and (unless strict) `etag::etag`.

pub mod auth;
pub mod etag;
pub mod faults;
pub mod metrics;
pub mod rate_limit;

/// The org a request speaks for, as far as its token tells; set by `metrics::observe` for the
/// layers that must know it before authentication (faults, counters).
#[derive(Debug, Clone, Default)]
pub struct RequestOrg {
    pub org_id: Option<String>,
    pub org_name: Option<String>,
    pub client_id: Option<String>,
}

/// The bearer token of a request, if it carries one.
pub fn bearer_token(headers: &axum::http::HeaderMap) -> Option<&str> {
    let value = headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token.trim()).filter(|token| !token.is_empty())
}
