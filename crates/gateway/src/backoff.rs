//! Reconnect delays: exponential backoff with full jitter (a uniform draw between zero and the
//! capped exponential), so channels that dropped together do not reconnect together.

use rand::Rng;
use std::time::Duration;

pub fn full_jitter(attempt: u32, base: Duration, max: Duration, rng: &mut impl Rng) -> Duration {
    let ceiling = base.saturating_mul(2u32.saturating_pow(attempt.min(20))).min(max);
    let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
    Duration::from_nanos(rng.random_range(0..=nanos))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn delays_stay_under_the_capped_exponential_and_vary() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let base = Duration::from_millis(100);
        let max = Duration::from_secs(2);
        let delays: Vec<Duration> = (0..10).map(|attempt| full_jitter(attempt, base, max, &mut rng)).collect();
        for (attempt, delay) in delays.iter().enumerate() {
            assert!(*delay <= base.saturating_mul(1 << attempt).min(max), "attempt {attempt}: {delay:?}");
        }
        assert!(delays.windows(2).any(|pair| pair[0] != pair[1]));
    }
}
