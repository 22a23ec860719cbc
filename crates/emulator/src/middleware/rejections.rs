//! Gives every error answer the Genesys error body: responses that reach the edge without one
//! (axum's empty 405, extractor rejections in `text/plain`, a WebSocket route called without
//! upgrade headers, a 413 over the body limit) are rebuilt through `ApiError`, keeping their
//! status, their text as the message, and their `Allow` header.

use crate::error::ApiError;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The most of a rejection's text body that becomes the message.
const MESSAGE_BYTES_MAX: usize = 4 * 1024;

fn has_json_body(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"))
}

fn default_message(status: StatusCode) -> String {
    match status {
        StatusCode::METHOD_NOT_ALLOWED => "The requested HTTP method is not supported on this resource.".to_string(),
        StatusCode::PAYLOAD_TOO_LARGE => {
            format!("The request body is larger than {} bytes.", crate::limits::BODY_BYTES_MAX)
        }
        other => other.canonical_reason().unwrap_or("The request could not be processed.").to_string(),
    }
}

/// Rebuilds an error answer without a JSON body as an `ApiError`; anything else passes as is.
pub async fn genesys_body(response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || has_json_body(&response) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, MESSAGE_BYTES_MAX).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&text).trim().to_string();
    let message = if text.is_empty() { default_message(status) } else { text };
    let mut rebuilt = ApiError::for_status(status, message).into_response();
    for name in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(value) = parts.headers.get(&name) {
            rebuilt.headers_mut().insert(name, value.clone());
        }
    }
    rebuilt
}
