//! OAuth client-credentials wire types (`POST /oauth/token`).

use crate::redact::{Redacted, optional};
use serde::{Deserialize, Serialize};
use std::fmt;

/// `Debug` by hand below: the token is a credential.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
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
/// `Debug` by hand below: the secret is a credential.
#[derive(Clone, PartialEq, Default, Serialize, Deserialize)]
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

impl fmt::Debug for TokenResponse {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("TokenResponse")
            .field("access_token", &Redacted)
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

impl fmt::Debug for OAuthClient {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("OAuthClient")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("description", &self.description)
            .field("access_token_validity_seconds", &self.access_token_validity_seconds)
            .field("authorized_grant_type", &self.authorized_grant_type)
            .field("secret", &optional(&self.secret))
            .field("role_ids", &self.role_ids)
            .field("state", &self.state)
            .field("date_created", &self.date_created)
            .field("self_uri", &self.self_uri)
            .finish()
    }
}
