//! Issued OAuth tokens. Kept in memory only: after a restart clients get 401 and fetch a new
//! token, as they would after a real token revocation.
//!
//! Issuing is O(log n): tokens also sit in a min-heap by expiry, and each issue drops only the
//! tokens that have expired since (amortized), where it used to scan every live token. The
//! book holds at most `limits::TOKENS_LIVE_MAX` tokens; past that the one closest to expiry is
//! revoked early (its client gets 401 and asks for a new one, as after any revocation).

use crate::clock::Clock;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
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
    /// Every token in `tokens` by expiry, earliest on top. A revoked token stays here until it
    /// surfaces; it is then skipped, so the heap is never longer than the tokens issued within
    /// one lifetime (and `TOKENS_LIVE_MAX` bounds those).
    by_expiry: BinaryHeap<Reverse<(Instant, String)>>,
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
        TokenBook { tokens: HashMap::new(), by_expiry: BinaryHeap::new(), clock }
    }

    pub fn issue(&mut self, org_id: &str, client_id: &str, lifetime: Duration) -> String {
        let token = format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
        let now = self.clock.now();
        self.drop_expired(now);
        while self.tokens.len() >= crate::limits::TOKENS_LIVE_MAX && self.pop_earliest().is_some() {}
        let caller = Caller { org_id: org_id.to_string(), client_id: client_id.to_string(), token: token.clone() };
        let expires_at = now + lifetime;
        self.tokens.insert(token.clone(), Issued { caller, expires_at });
        self.by_expiry.push(Reverse((expires_at, token.clone())));
        token
    }

    /// Drops the tokens that expired by `now` (and revoked ones that surface on the way).
    fn drop_expired(&mut self, now: Instant) {
        while self.by_expiry.peek().is_some_and(|Reverse((expires_at, _))| *expires_at <= now) {
            self.pop_earliest();
        }
    }

    /// Removes the heap's top and its token (when it is still the live one); `None` when empty.
    fn pop_earliest(&mut self) -> Option<()> {
        let Reverse((expires_at, token)) = self.by_expiry.pop()?;
        if self.tokens.get(&token).is_some_and(|issued| issued.expires_at == expires_at) {
            self.tokens.remove(&token);
        }
        Some(())
    }

    pub fn check(&self, token: &str) -> Result<Caller, TokenRefusal> {
        let issued = self.tokens.get(token).ok_or(TokenRefusal::Unknown)?;
        if issued.expires_at <= self.clock.now() {
            return Err(TokenRefusal::Expired);
        }
        Ok(issued.caller.clone())
    }

    /// Revokes every token of one client of one org: the client was deleted, and on the real
    /// platform a deleted client's credentials lose access at once. Rare, so a scan.
    pub fn revoke_client(&mut self, org_id: &str, client_id: &str) {
        self.tokens.retain(|_, issued| !(issued.caller.org_id == org_id && issued.caller.client_id == client_id));
        // Revoked entries wait in the heap until they surface; rebuild it when they outnumber
        // the live ones, so revocations cannot grow it past twice the book.
        if self.by_expiry.len() > 2 * self.tokens.len() + 1_024 {
            self.by_expiry = self.tokens.iter().map(|(token, issued)| Reverse((issued.expires_at, token.clone()))).collect();
        }
    }

    /// Drops every token (used by `/_emulator/reset`).
    pub fn clear(&mut self) {
        self.tokens.clear();
        self.by_expiry.clear();
    }

    /// Tokens currently held (live, or expired and not yet dropped).
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.tokens.len()
    }
}

#[cfg(test)]
mod tests;
