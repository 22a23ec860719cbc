//! The seeds' ETag/If-Match layer (not served in strict mode). The ETag of a resource is a hash
//! of its JSON representation, so it changes exactly when what a GET returns changes. A PUT,
//! PATCH or DELETE with `If-Match` is first compared against a GET of the same path, made
//! in-process through an un-layered copy of the API router; a mismatch is 412.
//!
//! Compare and write are one atomic step: a conditional write holds the write side of its org's
//! ordering lock from its comparison to the end of its handler, and every other write of that
//! org holds the read side, so nothing can change the resource in between. Of two writers with
//! the same ETag exactly one wins; the other sees the new ETag and gets 412. The locks are per
//! org (a handler reaches only its caller's org), so one org's writes never wait on another's.
//! Reads take no lock, a write's body is read before the lock is taken (a slow client never
//! holds it), and the requests that wait on the outside world and change no resource (the
//! health check and the data-action test call an endpoint the caller chose) take none either,
//! so a hanging endpoint cannot hold the org's conditional writes.

use crate::error::ApiError;
use crate::state::Caller;
use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::Arc;
use tower::ServiceExt;

/// Responses larger than this go out without an ETag.
const MAX_HASHED_BODY: usize = 16 * 1024 * 1024;

/// One org's write-ordering lock.
type OrderLock = Arc<tokio::sync::RwLock<()>>;

/// The API routes without this layer, for reading current representations, and the per-org
/// locks that order writes around `If-Match` comparisons. The map's keys are org ids of
/// authenticated callers, so it holds at most one entry per org.
#[derive(Clone)]
pub struct EtagReader {
    api: Router,
    writes: Arc<std::sync::Mutex<HashMap<String, OrderLock>>>,
}

impl EtagReader {
    pub fn new(api: Router) -> EtagReader {
        EtagReader { api, writes: Arc::default() }
    }

    /// The ordering lock of `org_id` (made on first use).
    fn order_lock(&self, org_id: &str) -> OrderLock {
        let mut locks = crate::state::relock(self.writes.lock());
        locks.entry(org_id.to_string()).or_default().clone()
    }
}

/// Writes that call an endpoint the caller chose and change no stored resource: not ordered,
/// so a slow or hanging endpoint holds no lock (see the module comment).
fn waits_on_outside(method: &Method, path: &str) -> bool {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    *method == Method::POST
        && matches!(
            segments.as_slice(),
            ["", "api", "v2", "integrations", _, "healthcheck"]
                | ["", "api", "v2", "integrations", "actions", _, "test"]
                | ["", "api", "v2", "integrations", "actions", _, "draft", "test"]
        )
}

pub fn etag_of(body: &[u8]) -> String {
    format!("\"{:016x}\"", crate::state::ids::hash64(body))
}

fn if_match_accepts(if_match: &str, current: &str) -> bool {
    if_match.split(',').map(str::trim).any(|candidate| candidate == "*" || candidate.trim_start_matches("W/") == current)
}

/// Checks `If-Match` on writes against the current representation (412 on mismatch), runs the
/// request, and stamps an `ETag` on successful JSON answers.
pub async fn around(reader: &EtagReader, request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let conditional = matches!(method, Method::PUT | Method::PATCH | Method::DELETE);
    let if_match = request.headers().get(header::IF_MATCH).map(|value| value.to_str().unwrap_or_default().to_string());
    let is_read = matches!(method, Method::GET | Method::HEAD | Method::OPTIONS);
    // A write's body is read before the lock is taken, so a slow client cannot hold it.
    let request = if is_read {
        request
    } else {
        match buffered(request).await {
            Ok(request) => request,
            Err(refusal) => return refusal.into_response(),
        }
    };
    // Held until the handler has answered; see the module comment.
    let caller = request.extensions().get::<Caller>().cloned();
    let ordered = !is_read && !waits_on_outside(&method, request.uri().path());
    let _order = match (&caller, ordered) {
        (Some(caller), true) => {
            let lock = reader.order_lock(&caller.org_id);
            Some(if conditional && if_match.is_some() { Order::Exclusive(lock.write_owned().await) } else { Order::Shared(lock.read_owned().await) })
        }
        _ => None,
    };
    if conditional && let Some(if_match) = if_match {
        let path = request.uri().path().to_string();
        if let Some(current) = current_etag(reader, &path, caller).await
            && !if_match_accepts(&if_match, &current)
        {
            return ApiError::precondition_failed(format!(
                "If-Match {if_match} does not match the current ETag {current}; read the resource again"
            ))
            .into_response();
        }
    }
    let response = next.run(request).await;
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"));
    if !response.status().is_success() || !is_json || method == Method::DELETE {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    // A body that may exceed what we hash goes out as it is, without an ETag: never a 500.
    if http_body::Body::size_hint(&body).upper().is_none_or(|upper| upper > MAX_HASHED_BODY as u64) {
        return Response::from_parts(parts, body);
    }
    let Ok(bytes) = axum::body::to_bytes(body, MAX_HASHED_BODY).await else {
        return ApiError::internal("response body could not be read").into_response();
    };
    if let Ok(value) = HeaderValue::from_str(&etag_of(&bytes)) {
        parts.headers.insert(header::ETAG, value);
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The request with its body read into memory (within the body limit and read timeout).
async fn buffered(request: Request) -> Result<Request, ApiError> {
    let (parts, body) = request.into_parts();
    match axum::body::to_bytes(body, crate::limits::BODY_BYTES_MAX).await {
        Ok(bytes) => Ok(Request::from_parts(parts, Body::from(bytes))),
        Err(error) => {
            let text = std::error::Error::source(&error).map_or_else(|| error.to_string(), ToString::to_string);
            let status = if text.contains("length limit") {
                axum::http::StatusCode::PAYLOAD_TOO_LARGE
            } else {
                axum::http::StatusCode::BAD_REQUEST
            };
            Err(ApiError::for_status(status, format!("The request body could not be read: {text}")))
        }
    }
}

/// A held side of an org's write-ordering lock (only ever dropped).
#[allow(dead_code)]
enum Order {
    Exclusive(tokio::sync::OwnedRwLockWriteGuard<()>),
    Shared(tokio::sync::OwnedRwLockReadGuard<()>),
}

/// The ETag a GET of the request's path would carry now, or `None` when there is nothing there.
async fn current_etag(reader: &EtagReader, path: &str, caller: Option<Caller>) -> Option<String> {
    let mut get = Request::builder().method(Method::GET).uri(path).body(Body::empty()).ok()?;
    if let Some(caller) = caller {
        get.extensions_mut().insert(caller);
    }
    let response = reader.api.clone().oneshot(get).await.ok()?;
    if !response.status().is_success() {
        return None;
    }
    let bytes = axum::body::to_bytes(response.into_body(), MAX_HASHED_BODY).await.ok()?;
    Some(etag_of(&bytes))
}
