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

/// The real `OAuthClient` (`/api/v2/oauth/clients`), the fields the emulator keeps. Only
/// `CLIENT-CREDENTIALS` clients can get tokens from the emulator.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OAuthClient {
    #[serde(default)]
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token_validity_seconds: Option<u64>,
    /// `CLIENT-CREDENTIALS`, `CODE`, `TOKEN`, `SAML2-BEARER` or `PASSWORD`.
    pub authorized_grant_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    #[serde(default)]
    pub role_ids: Vec<String>,
    /// `active`, `disabled` or `inactive`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_uri: Option<String>,
}
