//! Adaptive concurrency for one org: a semaphore caps requests in flight; the rate-limit headers
//! of every response steer it. When the estimated requests left in the window drop below the low
//! water mark, new requests are held until the window resets and then run one at a time until a
//! response confirms a fresh window. A 429 holds everyone for its `Retry-After`.
//!
//! The estimate subtracts requests still in flight from what the server reported, so a wide
//! burst cannot overshoot the window; the cost is at most `low_water + max_in_flight` unused
//! requests per window (about 6% of a 300/min budget with the defaults).

use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::{Semaphore, SemaphorePermit};
use tokio::time::Instant;

use crate::rate_headers::RateSnapshot;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitConfig {
    /// Requests in flight at once while the window has room.
    pub max_in_flight: usize,
    /// Hold new requests when fewer than this many are left (capped at a quarter of the limit,
    /// so a tiny limit is still usable).
    pub low_water: u32,
    /// Extra wait after the announced reset, for clock granularity between client and server.
    pub reset_margin: Duration,
    /// Shortest hold, so a server that reports "resets now" but still counts the old window is
    /// probed gently rather than hammered.
    pub min_hold: Duration,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        Self { max_in_flight: 8, low_water: 10, reset_margin: Duration::from_millis(50), min_hold: Duration::from_millis(250) }
    }
}

#[derive(Debug, Default)]
struct State {
    /// Requests believed left in the window (None until a response carried headers).
    remaining: Option<i64>,
    limit: Option<u32>,
    reset_at: Option<Instant>,
    hold_until: Option<Instant>,
    /// One request at a time until a response shows the window has room again.
    narrowed: bool,
    in_flight: i64,
}

#[derive(Debug)]
pub struct AdaptiveLimiter {
    config: RateLimitConfig,
    wide: Semaphore,
    narrow: Semaphore,
    state: Mutex<State>,
}

/// Held for the duration of one HTTP attempt.
pub struct Permit<'a> {
    limiter: &'a AdaptiveLimiter,
    _wide: SemaphorePermit<'a>,
    _narrow: Option<SemaphorePermit<'a>>,
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        self.limiter.with_state(|state| state.in_flight -= 1);
    }
}

/// The limiter would hold the request past the caller's deadline.
#[derive(Debug, Clone, Copy)]
pub struct HeldPastDeadline {
    pub wait: Duration,
}

impl AdaptiveLimiter {
    pub fn new(config: RateLimitConfig) -> Self {
        Self {
            wide: Semaphore::new(config.max_in_flight.max(1)),
            narrow: Semaphore::new(1),
            state: Mutex::new(State::default()),
            config,
        }
    }

    fn with_state<R>(&self, body: impl FnOnce(&mut State) -> R) -> R {
        // A poisoned lock only means another thread panicked mid-update; the counters stay usable.
        let mut guard = self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        body(&mut guard)
    }

    fn low_water(&self, state: &State) -> i64 {
        let cap = state.limit.map_or(self.config.low_water, |limit| (limit / 4).max(1));
        i64::from(self.config.low_water.min(cap))
    }

    /// Waits until a request may be sent, or fails if that would pass `deadline`.
    pub async fn acquire(&self, deadline: Instant) -> Result<Permit<'_>, HeldPastDeadline> {
        loop {
            if let Some(until) = self.with_state(|state| state.hold_until.filter(|t| *t > Instant::now())) {
                if until > deadline {
                    return Err(HeldPastDeadline { wait: until - Instant::now() });
                }
                tokio::time::sleep_until(until).await;
                continue;
            }
            let past = || HeldPastDeadline { wait: Duration::ZERO };
            let wide = tokio::time::timeout_at(deadline, self.wide.acquire()).await.map_err(|_| past())?;
            let wide = wide.map_err(|_| past())?;
            let narrow = if self.with_state(|state| state.narrowed) {
                let permit = tokio::time::timeout_at(deadline, self.narrow.acquire()).await.map_err(|_| past())?;
                Some(permit.map_err(|_| past())?)
            } else {
                None
            };
            let admitted = self.with_state(|state| {
                let now = Instant::now();
                if state.hold_until.is_some_and(|t| t > now) || (state.narrowed && narrow.is_none()) {
                    return false;
                }
                if let (Some(left), Some(reset_at)) = (state.remaining, state.reset_at)
                    && left < self.low_water(state)
                    && reset_at > now
                {
                    state.hold_until = Some(reset_at.max(now + self.config.min_hold) + self.config.reset_margin);
                    state.narrowed = true;
                    return false;
                }
                state.remaining = state.remaining.map(|left| left - 1);
                state.in_flight += 1;
                true
            });
            if admitted {
                return Ok(Permit { limiter: self, _wide: wide, _narrow: narrow });
            }
        }
    }

    /// Feeds one response's headers back. Call while still holding the request's permit.
    pub fn observe(&self, snapshot: RateSnapshot) {
        let now = Instant::now();
        let reset_at = now + snapshot.reset_in;
        self.with_state(|state| {
            // A slow response from an older window must not overwrite a newer reading.
            if state.reset_at.is_some_and(|known| reset_at + Duration::from_millis(500) < known) {
                return;
            }
            let others_in_flight = (state.in_flight - 1).max(0);
            let left = i64::from(snapshot.remaining) - others_in_flight;
            state.limit = snapshot.limit.or(state.limit);
            state.remaining = Some(left);
            state.reset_at = Some(reset_at);
            if left < self.low_water(state) {
                state.narrowed = true;
                state.hold_until = Some(reset_at.max(now + self.config.min_hold) + self.config.reset_margin);
            } else {
                state.narrowed = false;
            }
        });
    }

    /// A 429 arrived: hold every request for the server's `Retry-After` (or the minimum hold).
    pub fn throttled(&self, retry_after: Option<Duration>) {
        let until = Instant::now() + retry_after.unwrap_or(self.config.min_hold);
        // `remaining` is left alone: the server's Retry-After, not our window estimate, says when
        // to try again, and the probe after the hold brings fresh headers.
        self.with_state(|state| {
            state.narrowed = true;
            state.hold_until = Some(state.hold_until.map_or(until, |t| t.max(until)));
        });
    }
}

#[cfg(test)]
mod tests;
