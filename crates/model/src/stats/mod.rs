//! Statistics for judging a release on live traffic: the normal distribution, two-sample
//! proportions (fixed-horizon z-test and sample size), an always-valid mixture SPRT for a
//! difference in proportions, and the Mann-Whitney U test. Pure functions over counts and samples;
//! the rollout judge and deploy's org canary share them.

mod mann_whitney;
mod msprt;
mod normal;
mod proportions;

pub use mann_whitney::{MannWhitney, mann_whitney_u};
pub use msprt::{MixtureSprt, ProportionStratum, SequentialEvidence};
pub use normal::{normal_cdf, normal_quantile};
pub use proportions::{TwoProportions, fixed_horizon_sample_size, two_proportion_z};

/// A statistic could not be computed from what was given.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StatsError {
    #[error("{name} must be {expected}, got {value}")]
    InvalidParameter { name: &'static str, expected: &'static str, value: f64 },
    #[error("{name} must not be empty")]
    Empty { name: &'static str },
    #[error("{events} events out of {trials} trials in {name}: events cannot exceed trials")]
    EventsExceedTrials { name: &'static str, events: u64, trials: u64 },
}

/// A probability strictly inside (0, 1), for alpha, power and the like.
pub(crate) fn check_probability(name: &'static str, value: f64) -> Result<f64, StatsError> {
    if value.is_finite() && value > 0.0 && value < 1.0 {
        Ok(value)
    } else {
        Err(StatsError::InvalidParameter { name, expected: "strictly between 0 and 1", value })
    }
}

#[cfg(test)]
mod tests;
