//! The platform's error body: `{"message","code","status",...}`.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    pub message: String,
    pub code: String,
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_id: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<serde_json::Value>,
}

/// Error codes the real platform uses, by status.
pub mod codes {
    pub const BAD_REQUEST: &str = "bad.request";
    pub const INVALID_VALUE: &str = "invalid.value";
    pub const UNAUTHORIZED: &str = "authentication.required";
    pub const BAD_CREDENTIALS: &str = "bad.credentials";
    pub const FORBIDDEN: &str = "not.authorized";
    pub const NOT_FOUND: &str = "not.found";
    pub const CONFLICT: &str = "conflict";
    pub const PRECONDITION_FAILED: &str = "precondition.failed";
    pub const TOO_MANY_REQUESTS: &str = "too.many.requests.retry.after";
    pub const INTERNAL: &str = "internal.server.error";
    pub const SERVICE_UNAVAILABLE: &str = "service.unavailable";
}
