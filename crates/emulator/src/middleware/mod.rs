//! The layers around the handlers, outermost first: `durable` (answer only once the request's
//! writes are saved, with `--state-dir`), `edge` (who is calling, fault rules, counters
//! and Prometheus metrics) around everything, then `gate` around `/api/v2/*` (authentication,
//! rate limit and, unless strict, ETags). Each concern keeps its own file; the two layer files
//! only compose them.

pub mod auth;
pub mod durable;
pub mod edge;
pub mod etag;
pub mod faults;
pub mod gate;
pub mod metrics;
pub mod rate_limit;
pub mod rejections;

/// The org a request speaks for, as far as its token tells; set by `metrics::identify` for the
/// layers that must know it before authentication (faults, counters).
#[derive(Debug, Clone, Default)]
pub struct RequestOrg {
    pub org_id: Option<String>,
    pub client_id: Option<String>,
}

/// A request method as a counter key: the standard ones by name, any other as `OTHER`, so
/// callers cannot grow the counters with invented methods.
pub fn method_key(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::TRACE => "TRACE",
        Method::CONNECT => "CONNECT",
        _ => "OTHER",
    }
}

/// The route template a request matched, or `unmatched` for every request no route took, so
/// counters and metrics have one key per route rather than one per path.
pub const UNMATCHED: &str = "unmatched";

/// The bearer token of a request, if it carries one.
pub fn bearer_token(headers: &axum::http::HeaderMap) -> Option<&str> {
    let value = headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token.trim()).filter(|token| !token.is_empty())
}
