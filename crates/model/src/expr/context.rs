//! What an evaluation may depend on besides variables: the current time and a random source, both
//! given by the caller so that the model never reads a clock and every run can be reproduced.

use chrono::{DateTime, Utc};

/// A source of random numbers; the simulation hands in its seeded generator.
pub trait RandomSource {
    fn next_u64(&mut self) -> u64;
}

/// Any `FnMut() -> u64` is a source, so a caller can write `&mut || rng.next_u64()`.
impl<F: FnMut() -> u64> RandomSource for F {
    fn next_u64(&mut self) -> u64 {
        self()
    }
}

/// SplitMix64: a small seeded generator for callers that have none of their own (tests, the
/// convenience `evaluate`).
#[derive(Debug, Clone)]
pub struct SeededRandom {
    state: u64,
}

impl SeededRandom {
    pub fn new(seed: u64) -> SeededRandom {
        SeededRandom { state: seed }
    }
}

impl RandomSource for SeededRandom {
    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut mixed = self.state;
        mixed = (mixed ^ (mixed >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        mixed = (mixed ^ (mixed >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        mixed ^ (mixed >> 31)
    }
}

/// The evaluation context: `GetCurrentDateTimeUtc()` returns `now`; `Random` draws from `random`.
pub struct EvalContext<'a> {
    pub now: DateTime<Utc>,
    pub random: &'a mut dyn RandomSource,
}

impl<'a> EvalContext<'a> {
    pub fn new(now: DateTime<Utc>, random: &'a mut dyn RandomSource) -> EvalContext<'a> {
        EvalContext { now, random }
    }

    /// A uniformly drawn integer in `low..=high` (`low <= high`).
    pub(crate) fn random_between(&mut self, low: i64, high: i64) -> i64 {
        let span = (high as i128 - low as i128 + 1) as u128;
        // Modulo bias is below 2^-60 for spans a flow uses; determinism matters more here.
        let offset = (self.random.next_u64() as u128) % span;
        (low as i128 + offset as i128) as i64
    }

    /// A uniformly drawn decimal in `[0, 1)`.
    pub(crate) fn random_unit(&mut self) -> f64 {
        (self.random.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The fixed instant the convenience `evaluate` uses as "now": 2000-01-01T00:00:00Z.
pub fn fixed_now() -> DateTime<Utc> {
    DateTime::from_timestamp(946_684_800, 0).unwrap_or(DateTime::UNIX_EPOCH)
}
