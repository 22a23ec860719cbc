//! Durations drawn at random: handle and wrap-up times, caller patience, integration latency.
//!
//! Written in scenarios as `{ type: exponential, mean_ms: 180000 }`; checked once at load and turned
//! into a [`Sampler`] so the hot path only draws numbers.

use rand::RngCore;
use rand_distr::{Distribution as _, Exp, LogNormal, Uniform};
use serde::{Deserialize, Serialize};

/// A distribution of durations in milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum DurationDistribution {
    Constant {
        ms: f64,
    },
    Exponential {
        mean_ms: f64,
    },
    /// Log-normal with the given mean and standard deviation of the duration itself (not of its log).
    Lognormal {
        mean_ms: f64,
        sd_ms: f64,
    },
    Uniform {
        min_ms: f64,
        max_ms: f64,
    },
    /// Never ends; only meaningful for patience (callers who never hang up).
    Infinite,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DistributionError(pub String);

/// A checked distribution, ready to draw from.
#[derive(Debug, Clone)]
pub enum Sampler {
    Constant(u64),
    Exponential(Exp<f64>),
    Lognormal(LogNormal<f64>),
    Uniform(Uniform<f64>),
    Infinite,
}

impl DurationDistribution {
    pub fn sampler(&self) -> Result<Sampler, DistributionError> {
        let positive = |name: &str, value: f64| {
            if value.is_finite() && value > 0.0 {
                Ok(value)
            } else {
                Err(DistributionError(format!("{name} must be a positive number, got {value}")))
            }
        };
        Ok(match *self {
            DurationDistribution::Constant { ms } => {
                if !(ms.is_finite() && ms >= 0.0) {
                    return Err(DistributionError(format!("ms must be zero or more, got {ms}")));
                }
                Sampler::Constant(ms.round() as u64)
            }
            DurationDistribution::Exponential { mean_ms } => Sampler::Exponential(
                Exp::new(1.0 / positive("mean_ms", mean_ms)?).map_err(|error| DistributionError(error.to_string()))?,
            ),
            DurationDistribution::Lognormal { mean_ms, sd_ms } => {
                let mean = positive("mean_ms", mean_ms)?;
                let sd = positive("sd_ms", sd_ms)?;
                // Moment matching: σ² = ln(1 + sd²/mean²), μ = ln(mean) − σ²/2.
                let variance_of_log = (1.0 + (sd * sd) / (mean * mean)).ln();
                let mu = mean.ln() - variance_of_log / 2.0;
                Sampler::Lognormal(
                    LogNormal::new(mu, variance_of_log.sqrt()).map_err(|error| DistributionError(error.to_string()))?,
                )
            }
            DurationDistribution::Uniform { min_ms, max_ms } => {
                if !(min_ms.is_finite() && max_ms.is_finite() && 0.0 <= min_ms && min_ms <= max_ms) {
                    return Err(DistributionError(format!("need 0 <= min_ms <= max_ms, got {min_ms}..{max_ms}")));
                }
                Sampler::Uniform(
                    Uniform::new_inclusive(min_ms, max_ms).map_err(|error| DistributionError(error.to_string()))?,
                )
            }
            DurationDistribution::Infinite => Sampler::Infinite,
        })
    }

    /// The mean in milliseconds (`None` for infinite).
    pub fn mean_ms(&self) -> Option<f64> {
        match *self {
            DurationDistribution::Constant { ms } => Some(ms),
            DurationDistribution::Exponential { mean_ms } | DurationDistribution::Lognormal { mean_ms, .. } => {
                Some(mean_ms)
            }
            DurationDistribution::Uniform { min_ms, max_ms } => Some((min_ms + max_ms) / 2.0),
            DurationDistribution::Infinite => None,
        }
    }
}

impl Sampler {
    /// One draw in whole milliseconds; `None` means "never".
    pub fn sample_ms(&self, rng: &mut dyn RngCore) -> Option<u64> {
        let value = match self {
            Sampler::Constant(ms) => return Some(*ms),
            Sampler::Exponential(exp) => exp.sample(rng),
            Sampler::Lognormal(lognormal) => lognormal.sample(rng),
            Sampler::Uniform(uniform) => uniform.sample(rng),
            Sampler::Infinite => return None,
        };
        Some(value.round().max(0.0) as u64)
    }

    /// A draw for durations that cannot be infinite; infinite reads as zero.
    pub fn sample_finite_ms(&self, rng: &mut dyn RngCore) -> u64 {
        self.sample_ms(rng).unwrap_or(0)
    }
}

#[cfg(test)]
#[path = "distribution_tests.rs"]
mod tests;
