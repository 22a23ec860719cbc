//! Known values for every function, and the sequential test's two promises checked by simulation:
//! an A/A comparison (same rate in both arms) is rejected no more often than alpha however often
//! it is looked at, and a clearly worse arm is rejected nearly always, early.

use super::*;

/// SplitMix64: a tiny seeded generator so these tests need no dependency.
struct SplitMix(u64);

impl SplitMix {
    fn next_f64(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }

    fn binomial(&mut self, trials: u64, p: f64) -> u64 {
        (0..trials).filter(|_| self.next_f64() < p).count() as u64
    }
}

fn close(actual: f64, expected: f64, tolerance: f64) {
    assert!((actual - expected).abs() <= tolerance, "{actual} is not within {tolerance} of {expected}");
}

#[test]
fn normal_cdf_and_quantile_match_tables() {
    close(normal_cdf(0.0), 0.5, 1e-7);
    close(normal_cdf(1.959_964), 0.975, 1e-6);
    close(normal_cdf(-1.0), 0.158_655_25, 1e-6);
    close(normal_cdf(3.0), 0.998_650_1, 1e-6);
    close(normal_quantile(0.975), 1.959_964, 1e-5);
    close(normal_quantile(0.05), -1.644_854, 1e-5);
    close(normal_quantile(0.001), -3.090_232, 1e-4);
    for p in [1e-6, 0.01, 0.2, 0.5, 0.77, 0.999] {
        close(normal_cdf(normal_quantile(p)), p, 1e-7_f64.max(p * 1e-5));
    }
    assert!(normal_quantile(1.5).is_nan());
}

#[test]
fn two_proportion_z_matches_a_hand_computation() {
    // 10 % of 1,000 against 15 % of 1,000: pooled 0.125, se = sqrt(0.125·0.875·0.002) = 0.014790.
    let test = two_proportion_z(100, 1000, 150, 1000).expect("valid counts");
    close(test.difference, 0.05, 1e-12);
    close(test.z, 0.05 / 0.014_790, 1e-3);
    assert!(test.p_greater < 0.001 && test.p_two_sided < 0.002);
    assert!(matches!(two_proportion_z(5, 4, 1, 1), Err(StatsError::EventsExceedTrials { .. })));
    assert!(matches!(two_proportion_z(0, 0, 1, 1), Err(StatsError::Empty { .. })));
}

#[test]
fn fixed_horizon_sample_size_matches_the_formula() {
    // Equal allocation, 10 % vs 15 %, one-sided alpha 0.05, power 0.8: 540 per arm (hand computed:
    // ((1.6449·0.46771 + 0.84162·0.46637)² / 0.05²).
    assert_eq!(fixed_horizon_sample_size(0.10, 0.15, 0.05, 0.8, 1.0), Ok(540));
    // A 5 % canary needs fewer canary calls than equal allocation would per arm, never more.
    let canary = fixed_horizon_sample_size(0.10, 0.15, 0.05, 0.8, 19.0).expect("valid");
    assert!(canary < 540 && canary > 250, "{canary}");
    assert!(fixed_horizon_sample_size(0.1, 0.1, 0.05, 0.8, 1.0).is_err());
}

#[test]
fn mann_whitney_counts_pairs_and_ties() {
    let separated = mann_whitney_u(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]).expect("samples");
    close(separated.u_b, 9.0, 1e-12);
    close(separated.effect, 1.0, 1e-12);
    // b = [2, 3, 3] against a = [1, 2, 2]: pairs b > a: 2>1 (1), 3>all (3 each → 6); ties 2=2 twice → 1.
    let tied = mann_whitney_u(&[1.0, 2.0, 2.0], &[2.0, 3.0, 3.0]).expect("samples");
    close(tied.u_b, 8.0, 1e-12);
    // Identical samples: no evidence either way.
    let same = mann_whitney_u(&[5.0; 10], &[5.0; 10]).expect("samples");
    close(same.effect, 0.5, 1e-12);
    assert!(same.p_greater > 0.49);
    // A large shift is significant; the same shift the other way is not "greater".
    let a: Vec<f64> = (0..60).map(f64::from).collect();
    let b: Vec<f64> = (0..60).map(|v| f64::from(v) + 30.0).collect();
    assert!(mann_whitney_u(&a, &b).expect("samples").p_greater < 1e-4);
    assert!(mann_whitney_u(&b, &a).expect("samples").p_greater > 0.99);
    assert!(mann_whitney_u(&[], &[1.0]).is_err());
}

#[test]
fn mann_whitney_false_positive_rate_is_near_alpha() {
    let mut rng = SplitMix(7);
    let mut rejected = 0;
    let runs = 400;
    for _ in 0..runs {
        let a: Vec<f64> = (0..40).map(|_| (rng.next_f64() * 20.0).floor()).collect();
        let b: Vec<f64> = (0..25).map(|_| (rng.next_f64() * 20.0).floor()).collect();
        if mann_whitney_u(&a, &b).expect("samples").p_greater < 0.05 {
            rejected += 1;
        }
    }
    assert!(rejected <= runs * 7 / 100, "{rejected} of {runs} rejected at alpha 0.05");
}

/// Runs a canary through steps 5/25/50/100 % of `calls_per_interval` calls, 4 intervals per step,
/// and returns the B trials seen when the test rejected, if it did.
fn canary_run(seed: u64, rate_a: f64, rate_b: f64, alpha: f64) -> Option<u64> {
    let mut rng = SplitMix(seed);
    let mut test = MixtureSprt::new(alpha, 1.5, 3).expect("valid parameters");
    let calls_per_interval = 200u64;
    for weight in [5u64, 25, 50, 100] {
        for _ in 0..4 {
            // At 100 % the active arm still finishes calls it already had: keep a small A share.
            let trials_b = (calls_per_interval * weight / 100).min(calls_per_interval - 10);
            let trials_a = calls_per_interval - trials_b;
            let stratum = ProportionStratum {
                trials_a,
                events_a: rng.binomial(trials_a, rate_a),
                trials_b,
                events_b: rng.binomial(trials_b, rate_b),
            };
            test.observe(stratum).expect("counts are valid");
            let evidence = test.look();
            if evidence.reject {
                return Some(evidence.trials_b);
            }
        }
    }
    None
}

#[test]
fn a_a_false_rejections_stay_below_alpha_under_continuous_monitoring() {
    let (alpha, seeds) = (0.05, 400u64);
    for rate in [0.01, 0.02, 0.10, 0.30] {
        let rejected = (0..seeds).filter(|seed| canary_run(*seed, rate, rate, alpha).is_some()).count();
        assert!(
            rejected as f64 <= alpha * seeds as f64,
            "rate {rate}: {rejected} of {seeds} A/A runs rejected, more than alpha {alpha}"
        );
    }
}

#[test]
fn a_clearly_worse_arm_is_rejected_early() {
    let seeds = 200u64;
    let detections: Vec<u64> = (0..seeds).filter_map(|seed| canary_run(seed + 10_000, 0.05, 0.35, 0.05)).collect();
    assert!(detections.len() as u64 >= seeds * 98 / 100, "power {} of {seeds}", detections.len());
    // Most detections within the first step (5 % of 4 × 200 calls = 40 canary calls).
    let first_step = detections.iter().filter(|trials| **trials <= 40).count();
    assert!(first_step as u64 >= seeds * 80 / 100, "{first_step} of {seeds} in the first step");
    // A fixed-horizon test must be sized before the data for the smallest harm worth catching (here
    // twice the base rate); with the same alpha and 80 % power it needs more canary calls than the
    // sequential test takes to stop this bad arm.
    let mut sorted = detections.clone();
    sorted.sort_unstable();
    let median = sorted[sorted.len() / 2];
    let fixed = fixed_horizon_sample_size(0.05, 0.10, 0.05, 0.8, 19.0).expect("valid");
    assert!(median < fixed, "median sequential {median} vs fixed-horizon {fixed}");
}

#[test]
fn the_better_direction_never_rejects_and_bad_input_is_refused() {
    for seed in 0..100 {
        assert_eq!(canary_run(seed, 0.30, 0.05, 0.05), None);
    }
    let mut test = MixtureSprt::new(0.05, 1.5, 3).expect("valid");
    assert!(test.observe(ProportionStratum { trials_a: 1, events_a: 2, trials_b: 1, events_b: 0 }).is_err());
    assert!(MixtureSprt::new(1.5, 1.5, 5).is_err());
    assert!(MixtureSprt::new(0.05, 1.0, 5).is_err());
}
