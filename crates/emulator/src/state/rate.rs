//! Per-key fixed windows (one minute by default, the shape of the real platform's per-client
//! limit; tests shorten it so a window boundary costs seconds, not a minute).

use crate::clock::Clock;
use std::collections::HashMap;
use std::time::Duration;
use tokio::time::Instant;

#[derive(Debug, Default)]
pub struct RateBook {
    windows: HashMap<String, Window>,
    clock: Clock,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    count: u32,
}

/// The outcome of counting one request against a key's window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateDecision {
    pub allowed: bool,
    pub limit: u32,
    /// Requests counted in the window, this one included when allowed.
    pub count: u32,
    pub remaining: u32,
    /// Whole seconds (at least 1) until the window resets.
    pub reset_after_seconds: u64,
    /// Unix time of the reset.
    pub reset_at_unix: u64,
}

impl RateBook {
    /// Windows on `clock`.
    pub fn new(clock: Clock) -> RateBook {
        RateBook { windows: HashMap::new(), clock }
    }

    pub fn check(&mut self, key: &str, limit: u32, length: Duration) -> RateDecision {
        let now = self.clock.now();
        // Look up before inserting so a known key (every request but a token's first) allocates nothing.
        let window = match self.windows.get_mut(key) {
            Some(window) => window,
            None => self.windows.entry(key.to_string()).or_insert(Window { started: now, count: 0 }),
        };
        if now.duration_since(window.started) >= length {
            *window = Window { started: now, count: 0 };
        }
        let allowed = window.count < limit;
        if allowed {
            window.count += 1;
        }
        let left = length.saturating_sub(now.duration_since(window.started));
        let reset_after_seconds = left.as_secs_f64().ceil().max(1.0) as u64;
        let unix_now = u64::try_from(self.clock.utc_ms() / 1_000).unwrap_or(0);
        RateDecision {
            allowed,
            limit,
            count: window.count,
            remaining: limit.saturating_sub(window.count),
            reset_after_seconds,
            reset_at_unix: unix_now + reset_after_seconds,
        }
    }

    pub fn clear(&mut self) {
        self.windows.clear();
    }
}
