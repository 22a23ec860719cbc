//! OAuth client-credentials wire types (`POST /oauth/token`).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `bearer` on the real platform.
    pub token_type: String,
    /// Seconds until the token expires.
    pub expires_in: u64,
}

/// The OAuth error body (RFC 6749 §5.2), as the real token endpoint returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OAuthError {
    pub error: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
}
