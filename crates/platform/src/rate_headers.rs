//! Reads a response's rate-limit headers, from either family: the real platform's
//! `inin-ratelimit-allowed/count/reset` (reset in seconds from now) and the seeds'
//! `X-RateLimit-Limit/Remaining/Reset` (reset as a Unix time). When both are present the more
//! cautious reading wins: fewer remaining, later reset.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderMap;
use switchboard_api::rate_limit as names;

/// One response's view of the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateSnapshot {
    pub limit: Option<u32>,
    pub remaining: u32,
    /// Time from the response until the window resets.
    pub reset_in: Duration,
}

/// Unix times below this are taken as "seconds from now" instead (some servers send a delta in
/// `X-RateLimit-Reset`); 10^9 s is 2001, earlier than any real reset time.
const UNIX_TIME_FLOOR: u64 = 1_000_000_000;

pub fn parse(headers: &HeaderMap, now: SystemTime) -> Option<RateSnapshot> {
    let inin = parse_inin(headers);
    let seed = parse_seed(headers, now);
    match (inin, seed) {
        (Some(a), Some(b)) => Some(RateSnapshot {
            limit: a.limit.or(b.limit).map(|l| b.limit.map_or(l, |m| l.min(m))),
            remaining: a.remaining.min(b.remaining),
            reset_in: a.reset_in.max(b.reset_in),
        }),
        (one, other) => one.or(other),
    }
}

fn number(headers: &HeaderMap, name: &str) -> Option<f64> {
    let value: f64 = headers.get(name)?.to_str().ok()?.trim().parse().ok()?;
    (value.is_finite() && value >= 0.0).then_some(value)
}

fn parse_inin(headers: &HeaderMap) -> Option<RateSnapshot> {
    let allowed = number(headers, names::ININ_ALLOWED)?;
    let count = number(headers, names::ININ_COUNT)?;
    let reset = number(headers, names::ININ_RESET).unwrap_or(0.0);
    Some(RateSnapshot {
        limit: Some(clamp_u32(allowed)),
        remaining: clamp_u32((allowed - count).max(0.0)),
        reset_in: Duration::from_secs_f64(reset.min(3600.0)),
    })
}

fn parse_seed(headers: &HeaderMap, now: SystemTime) -> Option<RateSnapshot> {
    let remaining = number(headers, names::X_REMAINING)?;
    let limit = number(headers, names::X_LIMIT).map(clamp_u32);
    let reset = number(headers, names::X_RESET).unwrap_or(0.0);
    let reset_in = if reset >= UNIX_TIME_FLOOR as f64 {
        let now_secs = now.duration_since(UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or(0.0);
        // Whole-second resolution: the window may end anywhere in that second, so wait it out.
        Duration::from_secs_f64((reset - now_secs).clamp(0.0, 3600.0))
    } else {
        Duration::from_secs_f64(reset.min(3600.0))
    };
    Some(RateSnapshot { limit, remaining: clamp_u32(remaining), reset_in })
}

fn clamp_u32(value: f64) -> u32 {
    value.min(u32::MAX as f64) as u32
}

#[cfg(test)]
mod tests;
