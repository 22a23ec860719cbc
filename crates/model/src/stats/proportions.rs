//! Two-sample proportions at a fixed horizon: the pooled z-test and the sample size a fixed-horizon
//! test needs for a given power. The sequential judge does not use the z-test to decide (peeking at
//! it every interval inflates its error rate); it is here to report, and to state how many calls a
//! fixed-horizon design would have exposed.

use super::normal::{normal_cdf, normal_quantile};
use super::{StatsError, check_probability};

/// The pooled two-proportion z-test of B against A.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TwoProportions {
    pub rate_a: f64,
    pub rate_b: f64,
    /// rate_b − rate_a.
    pub difference: f64,
    pub z: f64,
    /// One-sided p-value for "B's rate is higher than A's".
    pub p_greater: f64,
    pub p_two_sided: f64,
}

fn check_counts(name: &'static str, events: u64, trials: u64) -> Result<(), StatsError> {
    if trials == 0 {
        return Err(StatsError::Empty { name });
    }
    if events > trials {
        return Err(StatsError::EventsExceedTrials { name, events, trials });
    }
    Ok(())
}

/// `events_a` of `trials_a` against `events_b` of `trials_b`.
pub fn two_proportion_z(events_a: u64, trials_a: u64, events_b: u64, trials_b: u64) -> Result<TwoProportions, StatsError> {
    check_counts("sample a", events_a, trials_a)?;
    check_counts("sample b", events_b, trials_b)?;
    let (na, nb) = (trials_a as f64, trials_b as f64);
    let (rate_a, rate_b) = (events_a as f64 / na, events_b as f64 / nb);
    let pooled = (events_a + events_b) as f64 / (na + nb);
    let se = (pooled * (1.0 - pooled) * (1.0 / na + 1.0 / nb)).sqrt();
    let difference = rate_b - rate_a;
    let z = if se > 0.0 { difference / se } else { 0.0 };
    Ok(TwoProportions {
        rate_a,
        rate_b,
        difference,
        z,
        p_greater: 1.0 - normal_cdf(z),
        p_two_sided: (2.0 * (1.0 - normal_cdf(z.abs()))).min(1.0),
    })
}

/// Trials of sample B a one-sided fixed-horizon z-test needs to detect `rate_b` against `rate_a`
/// with significance `alpha` and `power`, when A gets `ratio` trials for each of B's (a 5 % canary
/// has ratio 19). The classic formula (Fleiss, Levin & Paik 2003, §4.2) with unequal allocation.
pub fn fixed_horizon_sample_size(rate_a: f64, rate_b: f64, alpha: f64, power: f64, ratio: f64) -> Result<u64, StatsError> {
    let alpha = check_probability("alpha", alpha)?;
    let power = check_probability("power", power)?;
    for (name, rate) in [("rate_a", rate_a), ("rate_b", rate_b)] {
        if !(0.0..=1.0).contains(&rate) {
            return Err(StatsError::InvalidParameter { name, expected: "a proportion in 0..1", value: rate });
        }
    }
    if !(ratio.is_finite() && ratio > 0.0) {
        return Err(StatsError::InvalidParameter { name: "ratio", expected: "positive", value: ratio });
    }
    let delta = (rate_b - rate_a).abs();
    if delta == 0.0 {
        return Err(StatsError::InvalidParameter { name: "rate_b", expected: "different from rate_a", value: rate_b });
    }
    let pooled = (rate_b + ratio * rate_a) / (1.0 + ratio);
    let null_sd = (pooled * (1.0 - pooled) * (1.0 + 1.0 / ratio)).sqrt();
    let alternative_sd = (rate_b * (1.0 - rate_b) + rate_a * (1.0 - rate_a) / ratio).sqrt();
    let n = (normal_quantile(1.0 - alpha) * null_sd + normal_quantile(power) * alternative_sd).powi(2) / (delta * delta);
    Ok(n.ceil() as u64)
}
