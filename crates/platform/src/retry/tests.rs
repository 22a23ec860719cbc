use super::*;
use rand::SeedableRng;
use rand::rngs::StdRng;

fn policy() -> RetryPolicy {
    RetryPolicy { max_attempts: 5, base_delay: Duration::from_millis(100), max_delay: Duration::from_secs(1) }
}

#[test]
fn ceiling_doubles_then_caps() {
    let ceilings: Vec<u128> = (0..6).map(|n| policy().backoff_ceiling(n).as_millis()).collect();
    assert_eq!(ceilings, vec![100, 200, 400, 800, 1000, 1000]);
    // Huge retry numbers saturate instead of overflowing.
    assert_eq!(policy().backoff_ceiling(200), Duration::from_secs(1));
}

#[test]
fn full_jitter_stays_in_window_and_spreads() {
    let mut rng = StdRng::seed_from_u64(7);
    let draws: Vec<Duration> = (0..2000).map(|_| policy().full_jitter(3, &mut rng)).collect();
    assert!(draws.iter().all(|d| *d <= Duration::from_millis(800)));
    // Full jitter covers the whole window, not only its top: both halves get draws.
    let low = draws.iter().filter(|d| **d < Duration::from_millis(400)).count();
    assert!((800..1200).contains(&low), "low half got {low} of 2000");
}

#[test]
fn retry_after_is_a_floor() {
    let mut rng = StdRng::seed_from_u64(1);
    for _ in 0..100 {
        let delay = policy().delay(0, Some(Duration::from_secs(2)), &mut rng);
        assert!(delay >= Duration::from_secs(2) && delay <= Duration::from_millis(2100), "{delay:?}");
    }
}

#[test]
fn retryable_statuses_respect_idempotence() {
    let table = [(429, false, true), (503, false, true), (502, false, false), (502, true, true), (504, true, true), (500, true, false), (409, true, false)];
    for (status, idempotent, expected) in table {
        assert_eq!(status_is_retryable(status, idempotent), expected, "{status} idempotent={idempotent}");
    }
}

#[test]
fn retry_after_parsing() {
    assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
    assert_eq!(parse_retry_after(" 0.5 "), Some(Duration::from_millis(500)));
    assert_eq!(parse_retry_after("-1"), None);
    assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), Some(Duration::ZERO), "a date long past: retry now");
}

#[test]
fn jitter_repeats_for_a_seed_and_differs_between_calls_and_seeds() {
    use super::JitterSeeds;
    use rand::Rng;
    let draws = |seeds: &JitterSeeds| -> Vec<u64> { (0..4).map(|_| seeds.rng().random::<u64>()).collect() };
    let first = draws(&JitterSeeds::new(7));
    assert_eq!(first, draws(&JitterSeeds::new(7)), "a fixed seed repeats: the client draws nothing from the OS");
    assert_ne!(first, draws(&JitterSeeds::new(8)));
    assert!(first.windows(2).all(|pair| pair[0] != pair[1]), "each call gets its own generator: {first:?}");
}
