//! `ClientConfig`: everything one `OrgClient` needs, with defaults that suit a real org.
//! The login host is derived the way the official SDKs do it (`api.X` → `login.X`).

use std::time::Duration;

use crate::error::{PlatformError, Result};
use crate::rate_limit::RateLimitConfig;
use crate::retry::RetryPolicy;
use crate::secret::Secret;

/// Timeouts on every stage of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// TCP + TLS connect.
    pub connect: Duration,
    /// One HTTP attempt, from send to the last body byte.
    pub request: Duration,
    /// The whole call: rate-limit waits, token fetches, every retry and backoff.
    pub total: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        // `total` exceeds one 60 s rate-limit window so a call held for a window reset still
        // completes instead of failing at the deadline.
        Self {
            connect: Duration::from_secs(5),
            request: Duration::from_secs(30),
            total: Duration::from_secs(90),
        }
    }
}

/// When to refresh the cached token.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TokenPolicy {
    /// Fraction of the lifetime after which the background task refreshes (seed 002: 0.8).
    pub refresh_fraction: f64,
}

impl Default for TokenPolicy {
    fn default() -> Self {
        Self { refresh_fraction: 0.8 }
    }
}

#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// API base, e.g. `https://api.mypurecloud.com` or `http://127.0.0.1:8080`.
    pub base_url: String,
    /// OAuth host; `None` derives it from `base_url` (see [`ClientConfig::login_base`]).
    pub login_url: Option<String>,
    pub client_id: String,
    pub client_secret: Secret,
    /// Label for logs and errors (the org name in an environment); never a secret.
    pub org_label: String,
    pub timeouts: Timeouts,
    pub retry: RetryPolicy,
    pub rate_limit: RateLimitConfig,
    pub token: TokenPolicy,
    pub user_agent: String,
    /// Seed of the retry and token-refresh jitter. `new` derives it from the client id, so
    /// clients of different orgs jitter apart and a test repeats; a process edge (the CLI) may
    /// mix in randomness from the OS. The library never draws from the OS itself.
    pub jitter_seed: u64,
    /// The emulator's control credential, sent only on `/_emulator/*` calls
    /// (`PlatformExt::emulator`); `None` for a real org.
    pub control_token: Option<Secret>,
}

impl ClientConfig {
    /// `jitter_seed` from the client id (FNV-1a): stable per client, different across clients.
    fn with_seed_from_client_id(mut self) -> Self {
        self.jitter_seed = self.client_id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3));
        self
    }

    pub fn new(base_url: impl Into<String>, client_id: impl Into<String>, client_secret: impl Into<Secret>) -> Self {
        Self {
            base_url: base_url.into(),
            login_url: None,
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            org_label: String::new(),
            timeouts: Timeouts::default(),
            retry: RetryPolicy::default(),
            rate_limit: RateLimitConfig::default(),
            token: TokenPolicy::default(),
            user_agent: concat!("switchboard/", env!("CARGO_PKG_VERSION")).to_owned(),
            jitter_seed: 0,
            control_token: None,
        }
        .with_seed_from_client_id()
    }

    /// The API base without a trailing slash, validated.
    pub fn api_base(&self) -> Result<String> {
        let parsed = parse_url("base_url", &self.base_url)?;
        Ok(parsed.as_str().trim_end_matches('/').to_owned())
    }

    /// The OAuth base: `login_url` if given; else `base_url` with a leading `api.` host label
    /// replaced by `login.` (real Genesys regions); else `base_url` itself (the emulator serves
    /// `/oauth/token` on the API host).
    pub fn login_base(&self) -> Result<String> {
        if let Some(login) = &self.login_url {
            let parsed = parse_url("login_url", login)?;
            return Ok(parsed.as_str().trim_end_matches('/').to_owned());
        }
        let mut parsed = parse_url("base_url", &self.base_url)?;
        let host = parsed.host_str().unwrap_or_default().to_owned();
        if let Some(rest) = host.strip_prefix("api.") {
            let login_host = format!("login.{rest}");
            parsed.set_host(Some(&login_host)).map_err(|error| PlatformError::Config {
                message: format!("base_url {}: cannot derive login host: {error}", self.base_url),
            })?;
            // The login service lives at the root, whatever path the API base carried.
            parsed.set_path("");
        }
        Ok(parsed.as_str().trim_end_matches('/').to_owned())
    }
}

fn parse_url(field: &str, value: &str) -> Result<reqwest::Url> {
    let parsed = reqwest::Url::parse(value)
        .map_err(|error| PlatformError::Config { message: format!("{field} {value:?}: {error}") })?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(PlatformError::Config { message: format!("{field} {value:?}: expected an http(s) URL with a host") });
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests;
