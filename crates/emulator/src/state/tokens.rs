//! Issued OAuth tokens. Kept in memory only: after a restart clients get 401 and fetch a new
//! token, as they would after a real token revocation.

use crate::clock::Clock;
use std::collections::HashMap;
use std::time::Duration;
use tokio::time::Instant;

/// Who a bearer token speaks for (`Debug` by hand: the token prints `***`).
#[derive(Clone, PartialEq, Eq)]
pub struct Caller {
    pub org_id: String,
    pub client_id: String,
    pub token: String,
}

impl std::fmt::Debug for Caller {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Caller")
            .field("org_id", &self.org_id)
            .field("client_id", &self.client_id)
            .field("token", &switchboard_api::redact::Redacted)
            .finish()
    }
}

#[derive(Debug, Clone)]
struct Issued {
    caller: Caller,
    expires_at: Instant,
}

#[derive(Debug, Default)]
pub struct TokenBook {
    tokens: HashMap<String, Issued>,
    clock: Clock,
}

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenRefusal {
    Unknown,
    Expired,
}

impl TokenBook {
    /// Tokens expire on `clock`.
    pub fn new(clock: Clock) -> TokenBook {
        TokenBook { tokens: HashMap::new(), clock }
    }

    pub fn issue(&mut self, org_id: &str, client_id: &str, lifetime: Duration) -> String {
        let token = format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
        // Expired tokens are dropped here so the map cannot grow without bound.
        let now = self.clock.now();
        self.tokens.retain(|_, issued| issued.expires_at > now);
        let caller = Caller { org_id: org_id.to_string(), client_id: client_id.to_string(), token: token.clone() };
        self.tokens.insert(token.clone(), Issued { caller, expires_at: now + lifetime });
        token
    }

    pub fn check(&self, token: &str) -> Result<Caller, TokenRefusal> {
        let issued = self.tokens.get(token).ok_or(TokenRefusal::Unknown)?;
        if issued.expires_at <= self.clock.now() {
            return Err(TokenRefusal::Expired);
        }
        Ok(issued.caller.clone())
    }

    /// Drops every token of an org (used by `/_emulator/reset`) or all tokens.
    pub fn clear(&mut self) {
        self.tokens.clear();
    }
}
