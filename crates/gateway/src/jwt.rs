//! Agent JWTs: HS256 verification against a ring of keys (any may sign; `kid` picks one), and
//! `mint` for tests, the load generator and the demo. Only HS256 is accepted: `alg: none` and
//! algorithm confusion are refused before any signature check.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::hmac;
use serde::{Deserialize, Serialize};
use std::time::{SystemTime, UNIX_EPOCH};

/// The claims the gateway reads. Times are NumericDate seconds, fractions allowed (RFC 7519),
/// so tests can use tokens that live a second or two.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claims {
    /// The agent (user id); sessions of one agent share its ordering channel.
    pub sub: String,
    pub exp: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    #[error("token is not three base64url parts")]
    Malformed,
    #[error("token algorithm {0} is not accepted (HS256 only)")]
    Algorithm(String),
    #[error("token signature does not verify")]
    BadSignature,
    #[error("token expired")]
    Expired,
    #[error("no verification keys are loaded")]
    NoKeys,
}

/// One HS256 key and its id (the key file's name).
#[derive(Clone)]
pub struct Key {
    pub kid: String,
    key: hmac::Key,
}

impl Key {
    pub fn new(kid: impl Into<String>, secret: &[u8]) -> Self {
        Key { kid: kid.into(), key: hmac::Key::new(hmac::HMAC_SHA256, secret) }
    }
}

impl std::fmt::Debug for Key {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret.
        write!(formatter, "Key({})", self.kid)
    }
}

#[derive(Debug, Deserialize)]
struct Header {
    alg: String,
    #[serde(default)]
    kid: Option<String>,
}

pub fn now_seconds() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|elapsed| elapsed.as_secs_f64()).unwrap_or(0.0)
}

/// Verifies `token` with `keys` at time `now` (seconds since the epoch).
pub fn verify(token: &str, keys: &[Key], now: f64) -> Result<Claims, JwtError> {
    if keys.is_empty() {
        return Err(JwtError::NoKeys);
    }
    let mut parts = token.trim().splitn(3, '.');
    let (Some(header_part), Some(claims_part), Some(signature_part)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(JwtError::Malformed);
    };
    let header_bytes = URL_SAFE_NO_PAD.decode(header_part).map_err(|_| JwtError::Malformed)?;
    let header: Header = serde_json::from_slice(&header_bytes).map_err(|_| JwtError::Malformed)?;
    if header.alg != "HS256" {
        return Err(JwtError::Algorithm(header.alg));
    }
    let signature = URL_SAFE_NO_PAD.decode(signature_part).map_err(|_| JwtError::Malformed)?;
    let signed = &token.trim().as_bytes()[..header_part.len() + 1 + claims_part.len()];
    let candidates = keys.iter().filter(|key| header.kid.as_ref().is_none_or(|kid| *kid == key.kid));
    let verified = candidates.into_iter().any(|key| hmac::verify(&key.key, signed, &signature).is_ok());
    if !verified {
        return Err(JwtError::BadSignature);
    }
    let claims_bytes = URL_SAFE_NO_PAD.decode(claims_part).map_err(|_| JwtError::Malformed)?;
    let claims: Claims = serde_json::from_slice(&claims_bytes).map_err(|_| JwtError::Malformed)?;
    if claims.sub.is_empty() || !claims.exp.is_finite() {
        return Err(JwtError::Malformed);
    }
    if now >= claims.exp {
        return Err(JwtError::Expired);
    }
    Ok(claims)
}

/// Signs `claims` with `key` (HS256, `kid` in the header).
pub fn mint(claims: &Claims, key: &Key) -> String {
    let header = serde_json::json!({"alg": "HS256", "typ": "JWT", "kid": key.kid});
    let header = URL_SAFE_NO_PAD.encode(header.to_string());
    let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap_or_default());
    let signed = format!("{header}.{body}");
    let signature = hmac::sign(&key.key, signed.as_bytes());
    format!("{signed}.{}", URL_SAFE_NO_PAD.encode(signature.as_ref()))
}

/// A token for `sub` valid `lifetime_seconds` from now.
pub fn mint_for(sub: &str, lifetime_seconds: f64, key: &Key) -> String {
    let now = now_seconds();
    mint(&Claims { sub: sub.to_string(), exp: now + lifetime_seconds, iat: Some(now) }, key)
}

#[cfg(test)]
mod tests;
