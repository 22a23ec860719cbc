//! Reconnection backoff with full jitter (seed 000, edge case 2): attempt `n` waits a uniformly
//! random time in `[0, min(max, base × 2ⁿ)]`, so instances that lost their connection together
//! spread their reconnects over the whole window instead of arriving as one storm. The formula is
//! the platform client's (`RetryPolicy::full_jitter`); this names the bridge's two settings.

use rand::Rng;
use std::time::Duration;
use switchboard_platform::RetryPolicy;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub base: Duration,
    pub max: Duration,
}

impl Backoff {
    fn policy(&self) -> RetryPolicy {
        RetryPolicy {
            max_attempts: u32::MAX,
            base_delay: self.base,
            max_delay: self.max,
        }
    }

    /// The ceiling of attempt `attempt` (0-based): `min(max, base × 2^attempt)`.
    pub fn ceiling(&self, attempt: u32) -> Duration {
        self.policy().backoff_ceiling(attempt)
    }

    /// A full-jitter delay for `attempt`.
    pub fn delay(&self, attempt: u32, rng: &mut impl Rng) -> Duration {
        self.policy().full_jitter(attempt, rng)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn ceiling_doubles_to_the_cap_and_delays_stay_under_it() {
        let backoff = Backoff {
            base: Duration::from_millis(100),
            max: Duration::from_secs(2),
        };
        assert_eq!(backoff.ceiling(0), Duration::from_millis(100));
        assert_eq!(backoff.ceiling(3), Duration::from_millis(800));
        assert_eq!(backoff.ceiling(10), Duration::from_secs(2));
        assert_eq!(backoff.ceiling(u32::MAX), Duration::from_secs(2));
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let delays: Vec<Duration> = (0..1_000).map(|_| backoff.delay(4, &mut rng)).collect();
        assert!(
            delays
                .iter()
                .all(|delay| *delay <= Duration::from_millis(1_600))
        );
        // Full jitter: the delays cover the window, not one point of it.
        let mean = delays.iter().map(Duration::as_millis).sum::<u128>() / delays.len() as u128;
        assert!((600..1_000).contains(&mean), "mean {mean} ms");
    }
}
