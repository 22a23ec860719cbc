//! Agent JWTs: HS256 (shared secrets) and RS256 (an identity provider's RSA public keys, PEM)
//! verified against a ring of keys (any may sign; `kid` picks one), and `mint` for tests, the
//! load generator and the demo. Each key verifies only its own algorithm, so an RSA public key
//! can never be used as an HMAC secret (algorithm confusion), and `alg: none` is refused before
//! any signature check. ring does the cryptography, the same ring rustls already uses.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::{hmac, rand::SystemRandom, signature};
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
    #[error("token algorithm {0} is not accepted (HS256 or RS256 only)")]
    Algorithm(String),
    #[error("token signature does not verify")]
    BadSignature,
    #[error("token expired")]
    Expired,
    #[error("no verification keys are loaded")]
    NoKeys,
}

#[derive(Clone)]
enum Verifier {
    Hs256(hmac::Key),
    /// The PKCS#1 `RSAPublicKey` DER (2,048 to 8,192 bits, as ring requires).
    Rs256(Vec<u8>),
}

/// One verification key and its id (the key file's name).
#[derive(Clone)]
pub struct Key {
    pub kid: String,
    verifier: Verifier,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyParseError {
    #[error("not a PEM PUBLIC KEY: {0}")]
    Pem(String),
    #[error("the PUBLIC KEY is not an RSA key")]
    NotRsa,
    #[error("the RSA key is refused: {0}")]
    Rejected(String),
}

impl Key {
    /// An HS256 secret.
    pub fn new(kid: impl Into<String>, secret: &[u8]) -> Self {
        Key { kid: kid.into(), verifier: Verifier::Hs256(hmac::Key::new(hmac::HMAC_SHA256, secret)) }
    }

    /// An RS256 public key from a PEM `PUBLIC KEY` (SubjectPublicKeyInfo).
    pub fn rsa_public_pem(kid: impl Into<String>, pem: &[u8]) -> Result<Self, KeyParseError> {
        use rustls::pki_types::SubjectPublicKeyInfoDer;
        use rustls::pki_types::pem::PemObject;
        let spki = SubjectPublicKeyInfoDer::from_pem_slice(pem).map_err(|error| KeyParseError::Pem(error.to_string()))?;
        let der = spki::rsa_public_key(spki.as_ref()).ok_or(KeyParseError::NotRsa)?;
        // ring would refuse such a key at every verification; say so once, when it is loaded.
        match spki::rsa_modulus_bits(der) {
            Some(bits) if (2048..=8192).contains(&bits) => {}
            Some(bits) => return Err(KeyParseError::Rejected(format!("{bits}-bit modulus; RS256 keys must have 2,048 to 8,192 bits"))),
            None => return Err(KeyParseError::Rejected("malformed RSAPublicKey".into())),
        }
        Ok(Key { kid: kid.into(), verifier: Verifier::Rs256(der.to_vec()) })
    }

    /// `HS256` or `RS256`: the only `alg` this key verifies.
    pub fn algorithm(&self) -> &'static str {
        match self.verifier {
            Verifier::Hs256(_) => "HS256",
            Verifier::Rs256(_) => "RS256",
        }
    }

    fn verifies(&self, signed: &[u8], signature: &[u8]) -> bool {
        match &self.verifier {
            Verifier::Hs256(key) => hmac::verify(key, signed, signature).is_ok(),
            Verifier::Rs256(der) => signature::UnparsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, der).verify(signed, signature).is_ok(),
        }
    }
}

impl std::fmt::Debug for Key {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret.
        write!(formatter, "Key({}, {})", self.kid, self.algorithm())
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
    if header.alg != "HS256" && header.alg != "RS256" {
        return Err(JwtError::Algorithm(header.alg));
    }
    let signature = URL_SAFE_NO_PAD.decode(signature_part).map_err(|_| JwtError::Malformed)?;
    let signed = &token.trim().as_bytes()[..header_part.len() + 1 + claims_part.len()];
    // A key verifies only its own algorithm: an RS256 public key is never tried as an HS256 secret.
    let candidates = keys.iter().filter(|key| key.algorithm() == header.alg && header.kid.as_ref().is_none_or(|kid| *kid == key.kid));
    let verified = candidates.into_iter().any(|key| key.verifies(signed, &signature));
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

fn encode(header: serde_json::Value, claims: &Claims) -> String {
    let header = URL_SAFE_NO_PAD.encode(header.to_string());
    let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap_or_default());
    format!("{header}.{body}")
}

/// Signs `claims` with `key` (HS256, `kid` in the header). An RS256 key cannot sign (it is
/// public): use [`RsaSigner`].
pub fn mint(claims: &Claims, key: &Key) -> String {
    let signed = encode(serde_json::json!({"alg": "HS256", "typ": "JWT", "kid": key.kid}), claims);
    let signature = match &key.verifier {
        Verifier::Hs256(secret) => hmac::sign(secret, signed.as_bytes()).as_ref().to_vec(),
        Verifier::Rs256(_) => Vec::new(),
    };
    format!("{signed}.{}", URL_SAFE_NO_PAD.encode(signature))
}

/// An RSA private key that mints RS256 tokens, as an identity provider would (tests, the load
/// generator).
pub struct RsaSigner {
    pub kid: String,
    pair: signature::RsaKeyPair,
}

impl RsaSigner {
    /// From a PEM `PRIVATE KEY` (PKCS#8).
    pub fn from_pem(kid: impl Into<String>, pem: &[u8]) -> Result<Self, KeyParseError> {
        use rustls::pki_types::PrivatePkcs8KeyDer;
        use rustls::pki_types::pem::PemObject;
        let der = PrivatePkcs8KeyDer::from_pem_slice(pem).map_err(|error| KeyParseError::Pem(error.to_string()))?;
        let pair = signature::RsaKeyPair::from_pkcs8(der.secret_pkcs8_der()).map_err(|error| KeyParseError::Rejected(error.to_string()))?;
        Ok(RsaSigner { kid: kid.into(), pair })
    }

    pub fn mint(&self, claims: &Claims) -> String {
        let signed = encode(serde_json::json!({"alg": "RS256", "typ": "JWT", "kid": self.kid}), claims);
        let mut signature = vec![0; self.pair.public().modulus_len()];
        // Fails only on a buffer of the wrong size, which the modulus length rules out.
        if self.pair.sign(&signature::RSA_PKCS1_SHA256, &SystemRandom::new(), signed.as_bytes(), &mut signature).is_err() {
            signature.clear();
        }
        format!("{signed}.{}", URL_SAFE_NO_PAD.encode(signature))
    }

    /// A token for `sub` valid `lifetime_seconds` from now.
    pub fn mint_for(&self, sub: &str, lifetime_seconds: f64) -> String {
        let now = now_seconds();
        self.mint(&Claims { sub: sub.to_string(), exp: now + lifetime_seconds, iat: Some(now) })
    }
}

/// A token for `sub` valid `lifetime_seconds` from now.
pub fn mint_for(sub: &str, lifetime_seconds: f64, key: &Key) -> String {
    let now = now_seconds();
    mint(&Claims { sub: sub.to_string(), exp: now + lifetime_seconds, iat: Some(now) }, key)
}

mod spki;

#[cfg(test)]
mod tests;
