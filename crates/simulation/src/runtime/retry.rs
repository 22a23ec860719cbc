//! Delays between data-action attempts.
//!
//! Exponential backoff uses "equal jitter": the nominal delay `base = min(max, initial·2^(n-1))` is
//! split in half, one half kept and the other drawn uniformly. The delay after attempt `n` lies in
//! `[base/2, base)`, so successive delays still grow (until the cap), unlike "full jitter" where a
//! later retry can come sooner than an earlier one. Fixed backoff waits `initial` with no jitter.
//! A server's `Retry-After` is a floor: we never retry sooner than it asked.

use super::program::RetrySettings;
use rand::{Rng, RngCore};
use switchboard_model::flow::Backoff;

/// The nominal (un-jittered) delay after failed attempt `attempt` (1-based).
pub fn nominal_delay_ms(retry: &RetrySettings, attempt: u32) -> u64 {
    match retry.backoff {
        Backoff::Fixed => retry.initial_delay_ms,
        Backoff::Exponential => {
            let doublings = attempt.saturating_sub(1).min(62);
            retry.initial_delay_ms.saturating_mul(1u64 << doublings).min(retry.max_delay_ms)
        }
    }
}

/// The delay after failed attempt `attempt`, with jitter and the `Retry-After` floor applied.
pub fn backoff_delay_ms(
    retry: &RetrySettings,
    attempt: u32,
    retry_after_ms: Option<u64>,
    rng: &mut dyn RngCore,
) -> u64 {
    let base = nominal_delay_ms(retry, attempt);
    let jittered = match retry.backoff {
        Backoff::Fixed => base,
        Backoff::Exponential => {
            let half = base / 2;
            let spread = base - half;
            if spread == 0 { base } else { half + rng.random_range(0..spread) }
        }
    };
    jittered.max(retry_after_ms.unwrap_or(0))
}

/// Whether a failure is worth another attempt: timeouts, connection errors, 429 and 5xx.
/// Other 4xx answers will not change on retry, so they go straight to `on_error`.
pub fn is_retryable(status: Option<u16>) -> bool {
    match status {
        None => true,
        Some(code) => code == 429 || code == 408 || code >= 500,
    }
}

#[cfg(test)]
#[path = "retry_tests.rs"]
mod tests;
