//! An always-valid test for "B's rate is higher than A's": the mixture sequential probability ratio
//! test (Robbins 1970; Johari, Koomen, Pekelis & Walsh 2017, "Peeking at A/B tests"), over data that
//! arrives in strata (analysis intervals).
//!
//! Why strata: a canary's share changes between steps (5 % then 25 %...), and the base rate drifts
//! during the day. Pooling all calls would compare B's later-weighted calls with A's earlier ones
//! (Simpson's paradox). Each interval's difference is combined with Mantel–Haenszel weights
//! `w = nA·nB/(nA+nB)`, which depend on counts only, never on outcomes, so under "same rate in each
//! interval" the combined sum is a zero-mean martingale whatever the allocation.
//!
//! The statistic: with S = Σ w·(p̂B − p̂A) and its variance V = Σ w²·p̄(1−p̄)(1/nA + 1/nB) (pooled
//! within each interval), the normal mixture over the drift with prior N(0, τ²) on the difference
//! gives the likelihood ratio Λ = √(V / (V + τ²W²)) · exp(S²τ²W² / (2V(V + τ²W²))), W = Σw (the
//! Johari form in sum units). Λ is an e-value: under the null, P(sup Λ ≥ 1/α) ≤ α (Ville), so the
//! test may be looked at after every interval and stopped at the first Λ ≥ 1/α without inflating
//! the error. Only the harmful direction (S > 0) can reject. The normal approximation needs some
//! events: `min_events` guards the first looks.

use super::{StatsError, check_probability};

/// One analysis interval's counts: events (abandons, errors...) out of trials (calls) per arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct ProportionStratum {
    pub trials_a: u64,
    pub events_a: u64,
    pub trials_b: u64,
    pub events_b: u64,
}

/// What the test says after the strata seen so far.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SequentialEvidence {
    pub trials_a: u64,
    pub events_a: u64,
    pub trials_b: u64,
    pub events_b: u64,
    /// The Mantel–Haenszel difference in rates, B − A.
    pub difference: f64,
    /// The mixture likelihood ratio now (an e-value: large is evidence that B is worse).
    pub e_value: f64,
    /// Always-valid p-value: 1 / the largest e-value seen so far, capped at 1.
    pub p_value: f64,
    /// Λ ≥ 1/α with B worse: stop and reject.
    pub reject: bool,
}

/// The running test. Accumulates sums; bounded memory however long it runs.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MixtureSprt {
    alpha: f64,
    tau: f64,
    min_events: u64,
    weighted_difference: f64,
    weight: f64,
    variance: f64,
    totals: ProportionStratum,
    max_e_value: f64,
}

impl MixtureSprt {
    /// `alpha`: the error rate under continuous monitoring; `tau`: the prior's spread on the
    /// difference in rates (the effect size the test is tuned for, e.g. 0.05 = five points);
    /// `min_events`: events in both arms together before the test may reject.
    pub fn new(alpha: f64, tau: f64, min_events: u64) -> Result<MixtureSprt, StatsError> {
        let alpha = check_probability("alpha", alpha)?;
        if !(tau.is_finite() && tau > 0.0) {
            return Err(StatsError::InvalidParameter { name: "tau", expected: "positive", value: tau });
        }
        Ok(MixtureSprt {
            alpha,
            tau,
            min_events,
            weighted_difference: 0.0,
            weight: 0.0,
            variance: 0.0,
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
            let w = na * nb / (na + nb);
            let difference = stratum.events_b as f64 / nb - stratum.events_a as f64 / na;
            let pooled = (stratum.events_a + stratum.events_b) as f64 / (na + nb);
            self.weighted_difference += w * difference;
            self.weight += w;
            self.variance += w * w * pooled * (1.0 - pooled) * (1.0 / na + 1.0 / nb);
        }
        Ok(self.evidence())
    }

    /// The evidence so far, without adding data.
    pub fn evidence(&self) -> SequentialEvidence {
        let (s, v, w) = (self.weighted_difference, self.variance, self.weight);
        let difference = if w > 0.0 { s / w } else { 0.0 };
        let prior = self.tau * self.tau * w * w;
        let e_value = if v > 0.0 && prior > 0.0 {
            let log = 0.5 * (v / (v + prior)).ln() + s * s * prior / (2.0 * v * (v + prior));
            log.min(700.0).exp()
        } else {
            1.0
        };
        let events = self.totals.events_a + self.totals.events_b;
        let reject = difference > 0.0 && events >= self.min_events && e_value >= 1.0 / self.alpha;
        let max_e_value = self.max_e_value.max(if difference > 0.0 { e_value } else { 1.0 });
        SequentialEvidence {
            trials_a: self.totals.trials_a,
            events_a: self.totals.events_a,
            trials_b: self.totals.trials_b,
            events_b: self.totals.events_b,
            difference,
            e_value,
            p_value: (1.0 / max_e_value).min(1.0),
            reject,
        }
    }

    /// Records the current e-value in the running maximum (for the always-valid p-value); call
    /// once per look, after [`observe`](Self::observe).
    pub fn look(&mut self) -> SequentialEvidence {
        let evidence = self.evidence();
        if evidence.difference > 0.0 {
            self.max_e_value = self.max_e_value.max(evidence.e_value);
        }
        self.evidence()
    }
}
