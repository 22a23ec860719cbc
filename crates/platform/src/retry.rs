//! Retry policy: which outcomes are retried, and how long to sleep between attempts
//! (exponential backoff with full jitter, or the server's `Retry-After` when it sent one).
//!
//! What is retried:
//! - 429 and 503, for every method: the server says it did not process the request.
//! - Connect errors, for every method: nothing reached the server.
//! - 502, 504, timeouts and resets after the request was sent, only for idempotent calls
//!   (GET, HEAD, PUT, DELETE, or a call marked `idempotent`): the server may have acted, so a
//!   retried POST could create twice.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included. 1 disables retries.
    pub max_attempts: u32,
    /// Backoff unit: attempt n (0-based) sleeps up to `base · 2^n`.
    pub base_delay: Duration,
    /// Cap on one computed backoff (not on `Retry-After`, which the server decides).
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self { max_attempts: 8, base_delay: Duration::from_millis(200), max_delay: Duration::from_secs(10) }
    }
}

impl RetryPolicy {
    /// The ceiling of the full-jitter window for retry number `retry` (0 = first retry):
    /// `min(cap, base · 2^retry)`, saturating instead of overflowing.
    pub fn backoff_ceiling(&self, retry: u32) -> Duration {
        let factor = 2u32.checked_pow(retry).unwrap_or(u32::MAX);
        self.base_delay.checked_mul(factor).unwrap_or(Duration::MAX).min(self.max_delay)
    }

    /// Full jitter: a uniform draw from `[0, backoff_ceiling(retry)]`.
    pub fn full_jitter(&self, retry: u32, rng: &mut impl Rng) -> Duration {
        let ceiling = self.backoff_ceiling(retry);
        let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(rng.random_range(0..=nanos))
    }

    /// The sleep before retry number `retry`. A `Retry-After` is honoured as a floor, plus a small
    /// jitter (up to one base delay) so callers released together do not stampede.
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>, rng: &mut impl Rng) -> Duration {
        match retry_after {
            Some(after) => {
                let nanos = u64::try_from(self.base_delay.as_nanos()).unwrap_or(u64::MAX);
                after + Duration::from_nanos(rng.random_range(0..=nanos))
            }
            None => self.full_jitter(retry, rng),
        }
    }
}

/// Statuses worth another attempt, given whether repeating the call is safe.
pub fn status_is_retryable(status: u16, idempotent: bool) -> bool {
    match status {
        429 | 503 => true,
        502 | 504 => idempotent,
        _ => false,
    }
}

/// `Retry-After` as `switchboard_api::retry_after` reads it (seconds, fractions, or an HTTP-date
/// measured from the system clock).
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    switchboard_api::retry_after::parse_retry_after(value, SystemTime::now())
}

/// Generators for the jitter of one call each, seeded in turn from the client's configured seed
/// (`ClientConfig::jitter_seed`, splitmix64 steps): concurrent calls jitter apart, and a run with
/// a fixed seed repeats. Nothing here reads the operating system's randomness.
#[derive(Debug)]
pub(crate) struct JitterSeeds {
    next: AtomicU64,
}

impl JitterSeeds {
    pub(crate) fn new(seed: u64) -> JitterSeeds {
        JitterSeeds { next: AtomicU64::new(seed) }
    }

    /// A generator of its own for one call (or one token fetch).
    pub(crate) fn rng(&self) -> StdRng {
        const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut z = self.next.fetch_add(GOLDEN_GAMMA, Ordering::Relaxed).wrapping_add(GOLDEN_GAMMA);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        StdRng::seed_from_u64(z ^ (z >> 31))
    }
}

#[cfg(test)]
mod tests;
