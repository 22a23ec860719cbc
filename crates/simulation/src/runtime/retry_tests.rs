use super::*;
use rand::SeedableRng;
use rand::rngs::StdRng;

fn exponential() -> RetrySettings {
    RetrySettings { max_attempts: 6, backoff: Backoff::Exponential, initial_delay_ms: 1_000, max_delay_ms: 5_000 }
}

#[test]
fn nominal_delays_double_then_cap() {
    let delays: Vec<u64> = (1..=5).map(|n| nominal_delay_ms(&exponential(), n)).collect();
    assert_eq!(delays, vec![1_000, 2_000, 4_000, 5_000, 5_000]);
}

#[test]
fn equal_jitter_delays_grow_strictly_below_the_cap() {
    let mut rng = StdRng::seed_from_u64(7);
    for _ in 0..200 {
        let first = backoff_delay_ms(&exponential(), 1, None, &mut rng);
        let second = backoff_delay_ms(&exponential(), 2, None, &mut rng);
        let third = backoff_delay_ms(&exponential(), 3, None, &mut rng);
        assert!((500..1_000).contains(&first), "{first}");
        assert!(first < second && second < third, "{first} {second} {third}");
    }
}

#[test]
fn retry_after_is_a_floor_and_fixed_has_no_jitter() {
    let mut rng = StdRng::seed_from_u64(1);
    assert!(backoff_delay_ms(&exponential(), 1, Some(2_000), &mut rng) >= 2_000);
    let fixed = RetrySettings { backoff: Backoff::Fixed, ..exponential() };
    assert_eq!(backoff_delay_ms(&fixed, 4, None, &mut rng), 1_000);
}

#[test]
fn only_transient_failures_are_retried() {
    assert!(is_retryable(Some(503)) && is_retryable(Some(429)) && is_retryable(None));
    assert!(!is_retryable(Some(404)) && !is_retryable(Some(400)));
}
