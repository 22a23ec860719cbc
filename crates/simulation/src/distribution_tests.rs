use super::*;
use rand::SeedableRng;
use rand::rngs::StdRng;

fn mean_of(distribution: DurationDistribution) -> f64 {
    let sampler = distribution.sampler().expect("valid");
    let mut rng = StdRng::seed_from_u64(11);
    let n = 40_000;
    (0..n).map(|_| sampler.sample_finite_ms(&mut rng) as f64).sum::<f64>() / n as f64
}

#[test]
fn sample_means_match_the_configured_means() {
    // Standard error of the mean is sd/√n: 1000/200 = 5 ms for the exponential, so 3% is > 6 SE.
    for distribution in [
        DurationDistribution::Exponential { mean_ms: 1_000.0 },
        DurationDistribution::Lognormal { mean_ms: 1_000.0, sd_ms: 500.0 },
        DurationDistribution::Uniform { min_ms: 500.0, max_ms: 1_500.0 },
        DurationDistribution::Constant { ms: 1_000.0 },
    ] {
        let mean = mean_of(distribution.clone());
        assert!((mean - 1_000.0).abs() < 30.0, "{distribution:?}: {mean}");
    }
}

#[test]
fn bad_parameters_are_rejected_and_infinite_never_ends() {
    assert!(DurationDistribution::Exponential { mean_ms: 0.0 }.sampler().is_err());
    assert!(DurationDistribution::Uniform { min_ms: 5.0, max_ms: 1.0 }.sampler().is_err());
    let mut rng = StdRng::seed_from_u64(1);
    let infinite = DurationDistribution::Infinite.sampler().expect("valid");
    assert_eq!(infinite.sample_ms(&mut rng), None);
}
