//! The seeds' ETag/If-Match layer (not served in strict mode). The ETag of a resource is a hash
//! of its JSON representation, so it changes exactly when what a GET returns changes. A PUT,
//! PATCH or DELETE with `If-Match` is first compared against a GET of the same path, made
//! in-process through an un-layered copy of the API router; a mismatch is 412.

use crate::error::ApiError;
use crate::state::Caller;
use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;

/// Responses larger than this are not hashed (none of ours are).
const MAX_HASHED_BODY: usize = 16 * 1024 * 1024;

/// The API routes without this layer, for reading current representations.
#[derive(Clone)]
pub struct EtagReader(pub Router);

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
    if conditional && let Some(if_match) = if_match {
        let path = request.uri().path().to_string();
        let caller = request.extensions().get::<Caller>().cloned();
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
    let Ok(bytes) = axum::body::to_bytes(body, MAX_HASHED_BODY).await else {
        return ApiError::internal("response body could not be read").into_response();
    };
    if let Ok(value) = HeaderValue::from_str(&etag_of(&bytes)) {
        parts.headers.insert(header::ETAG, value);
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The ETag a GET of the request's path would carry now, or `None` when there is nothing there.
async fn current_etag(reader: &EtagReader, path: &str, caller: Option<Caller>) -> Option<String> {
    let mut get = Request::builder().method(Method::GET).uri(path).body(Body::empty()).ok()?;
    if let Some(caller) = caller {
        get.extensions_mut().insert(caller);
    }
    let response = reader.0.clone().oneshot(get).await.ok()?;
    if !response.status().is_success() {
        return None;
    }
    let bytes = axum::body::to_bytes(response.into_body(), MAX_HASHED_BODY).await.ok()?;
    Some(etag_of(&bytes))
}
