//! Errors: `ApiError` is the one place where failures become HTTP responses (Genesys error
//! bodies), `EmulatorError` is what starting, loading and saving the emulator can fail with.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::path::PathBuf;
use switchboard_api::error::{ErrorBody, codes};

/// An HTTP error answered with the platform's body: `{"message","code","status"}`.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    /// Seconds for a `Retry-After` header (429 and injected faults).
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        ApiError { status, code: code.to_string(), message: message.into(), retry_after: None }
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, codes::BAD_REQUEST, message)
    }
    pub fn invalid_value(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, codes::INVALID_VALUE, message)
    }
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, codes::UNAUTHORIZED, message)
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, codes::FORBIDDEN, message)
    }
    pub fn not_found(what: &str, id: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, codes::NOT_FOUND, format!("{what} {id} not found"))
    }
    pub fn no_route() -> Self {
        Self::new(StatusCode::NOT_FOUND, codes::NOT_FOUND, "The requested resource was not found.")
    }
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, codes::CONFLICT, message)
    }
    /// A stale body `version` (users, IVRs, DIDs, trunks, the org).
    pub fn stale_version(what: &str, sent: u64, current: u64) -> Self {
        Self::conflict(format!(
            "{what} was modified by another request: version {sent} is stale, current version is {current}"
        ))
    }
    pub fn precondition_failed(message: impl Into<String>) -> Self {
        Self::new(StatusCode::PRECONDITION_FAILED, codes::PRECONDITION_FAILED, message)
    }
    pub fn too_many_requests(retry_after: u64) -> Self {
        let mut error = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            codes::TOO_MANY_REQUESTS,
            format!("Rate limit exceeded the maximum. Retry the request in [{retry_after}] seconds"),
        );
        error.retry_after = Some(retry_after);
        error
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, codes::INTERNAL, message)
    }
    /// An error for a bare status (an injected fault, a rejection axum or hyper answered),
    /// with the platform's code for that status.
    pub fn for_status(status: StatusCode, message: impl Into<String>) -> Self {
        let code = match status.as_u16() {
            401 => codes::UNAUTHORIZED,
            403 => codes::FORBIDDEN,
            404 => codes::NOT_FOUND,
            409 => codes::CONFLICT,
            412 => codes::PRECONDITION_FAILED,
            429 => codes::TOO_MANY_REQUESTS,
            503 => codes::SERVICE_UNAVAILABLE,
            400..=499 => codes::BAD_REQUEST,
            _ => codes::INTERNAL,
        };
        Self::new(status, code, message)
    }
    pub fn with_retry_after(mut self, seconds: Option<u64>) -> Self {
        self.retry_after = seconds;
        self
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            message: self.message.clone(),
            code: self.code.clone(),
            status: self.status.as_u16(),
            context_id: None,
            details: Vec::new(),
            errors: Vec::new(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let retry_after = self.retry_after;
        let mut response = (self.status, axum::Json(self.body())).into_response();
        if let Some(seconds) = retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// Failures of starting, configuring or persisting the emulator.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    #[error("{file}:{line}:{column}: {message}")]
    Topology { file: String, line: u64, column: u64, message: String },
    #[error("{file}: {message}")]
    TopologyInvalid { file: String, message: String },
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: std::net::SocketAddr, source: std::io::Error },
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{}: invalid saved state: {message}", path.display())]
    State { path: PathBuf, message: String },
    #[error("internal error: {0}")]
    Internal(String),
}
