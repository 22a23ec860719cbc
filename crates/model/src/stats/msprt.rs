//! An always-valid test for "B's event rate is higher than A's" (abandons, flow errors), looked at
//! after every analysis interval: a mixture sequential probability ratio test (Robbins 1970) on the
//! conditional binomial model.
//!
//! Why conditional: event rates here are small (1–5 %), where the normal approximation behind the
//! usual two-proportion mSPRT fails badly in the first intervals (a single early event at a 5 %
//! canary looks like a large effect). Conditioning on an interval's total events `x = xA + xB`, under
//! "same rate in both arms" each event lands in B with probability `π = nB/(nA+nB)` (the share of
//! the interval's calls B had); under "B's rate is ρ times A's" with probability
//! `ρπ/(ρπ + 1 − π)`. The likelihood ratio of each interval multiplies across intervals, and the
//! allocation may change between intervals (5 % then 25 %...): π is the interval's own, which also
//! keeps a drifting base rate from being read as harm (each interval compares like with like).
//!
//! The statistic Λ averages the likelihood ratio over a grid of ratios ρ = r, r², r³... (up to about
//! 20×), so no single effect size must be guessed. Under the null Λ is a nonnegative martingale with
//! mean 1 for Poisson event counts, and a supermartingale for binomial counts (given the total, B's
//! count is hypergeometric, which Hoeffding (1963) shows is below the binomial in convex order), so
//! Ville's inequality gives P(ever Λ ≥ 1/α) ≤ α: it may be looked at after every interval and
//! stopped at the first Λ ≥ 1/α without inflating the error. Only ratios above 1 are in the
//! mixture, so a better B never rejects.

use super::{StatsError, check_probability};

/// One analysis interval's counts: events (abandons, errors...) out of trials (calls) per arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct ProportionStratum {
    pub trials_a: u64,
    pub events_a: u64,
    pub trials_b: u64,
    pub events_b: u64,
}

/// What the test says after the intervals seen so far.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SequentialEvidence {
    pub trials_a: u64,
    pub events_a: u64,
    pub trials_b: u64,
    pub events_b: u64,
    /// Mantel–Haenszel difference in rates, B − A (interval weights nA·nB/(nA+nB)).
    pub difference: f64,
    /// The mixture likelihood ratio now (an e-value: large is evidence that B is worse).
    pub e_value: f64,
    /// Always-valid p-value: 1 / the largest e-value seen so far, capped at 1.
    pub p_value: f64,
    /// Λ ≥ 1/α with at least `min_events` events in B: stop and reject.
    pub reject: bool,
}

/// Largest ratio in the mixture grid.
const MAX_RATIO: f64 = 20.0;

/// The running test: a log-likelihood per grid ratio and a few sums; bounded memory.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MixtureSprt {
    alpha: f64,
    min_events: u64,
    ratios: Vec<f64>,
    log_likelihoods: Vec<f64>,
    weighted_difference: f64,
    weight: f64,
    totals: ProportionStratum,
    max_e_value: f64,
}

impl MixtureSprt {
    /// `alpha`: the error rate under continuous monitoring; `min_ratio` (> 1): the smallest harm,
    /// as a ratio of rates, the mixture puts weight on (the grid is its powers up to 20×);
    /// `min_events`: events in arm B before the test may reject.
    pub fn new(alpha: f64, min_ratio: f64, min_events: u64) -> Result<MixtureSprt, StatsError> {
        let alpha = check_probability("alpha", alpha)?;
        if !(min_ratio.is_finite() && min_ratio > 1.0 && min_ratio <= MAX_RATIO) {
            return Err(StatsError::InvalidParameter { name: "min_ratio", expected: "in (1, 20]", value: min_ratio });
        }
        let mut ratios = vec![min_ratio];
        while let Some(last) = ratios.last().copied()
            && last * min_ratio <= MAX_RATIO * 1.0001
        {
            ratios.push(last * min_ratio);
        }
        let log_likelihoods = vec![0.0; ratios.len()];
        Ok(MixtureSprt {
            alpha,
            min_events,
            ratios,
            log_likelihoods,
            weighted_difference: 0.0,
            weight: 0.0,
            totals: ProportionStratum::default(),
            max_e_value: 1.0,
        })
    }

    pub fn alpha(&self) -> f64 {
        self.alpha
    }

    /// Adds one interval. An interval where an arm had no trials carries no comparison and only
    /// counts towards the totals.
    pub fn observe(&mut self, stratum: ProportionStratum) -> Result<SequentialEvidence, StatsError> {
        if stratum.events_a > stratum.trials_a {
            return Err(StatsError::EventsExceedTrials { name: "arm a", events: stratum.events_a, trials: stratum.trials_a });
        }
        if stratum.events_b > stratum.trials_b {
            return Err(StatsError::EventsExceedTrials { name: "arm b", events: stratum.events_b, trials: stratum.trials_b });
        }
        self.totals.trials_a += stratum.trials_a;
        self.totals.events_a += stratum.events_a;
        self.totals.trials_b += stratum.trials_b;
        self.totals.events_b += stratum.events_b;
        if stratum.trials_a > 0 && stratum.trials_b > 0 {
            let (na, nb) = (stratum.trials_a as f64, stratum.trials_b as f64);
            let (xa, xb) = (stratum.events_a as f64, stratum.events_b as f64);
            let w = na * nb / (na + nb);
            self.weighted_difference += w * (xb / nb - xa / na);
            self.weight += w;
            let share = nb / (na + nb);
            for (log_likelihood, ratio) in self.log_likelihoods.iter_mut().zip(&self.ratios) {
                let denominator = ratio * share + 1.0 - share;
                // log of (ρπ/d / π)^xB · ((1−π)/d / (1−π))^xA = xB·ln ρ − (xA + xB)·ln d.
                *log_likelihood += xb * ratio.ln() - (xa + xb) * denominator.ln();
            }
        }
        Ok(self.evidence())
    }

    /// The evidence so far, without adding data.
    pub fn evidence(&self) -> SequentialEvidence {
        let count = self.log_likelihoods.len().max(1) as f64;
        let e_value = self.log_likelihoods.iter().map(|log| log.min(700.0).exp()).sum::<f64>() / count;
        let difference = if self.weight > 0.0 { self.weighted_difference / self.weight } else { 0.0 };
        let reject = self.totals.events_b >= self.min_events && e_value >= 1.0 / self.alpha;
        SequentialEvidence {
            trials_a: self.totals.trials_a,
            events_a: self.totals.events_a,
            trials_b: self.totals.trials_b,
            events_b: self.totals.events_b,
            difference,
            e_value,
            p_value: (1.0 / self.max_e_value.max(e_value)).min(1.0),
            reject,
        }
    }

    /// Records the current e-value in the running maximum (for the always-valid p-value); call
    /// once per look, after [`observe`](Self::observe).
    pub fn look(&mut self) -> SequentialEvidence {
        self.max_e_value = self.max_e_value.max(self.evidence().e_value);
        self.evidence()
    }
}
