//! The rollout policy: weight steps, analysis interval and the judge's thresholds. From flags or a
//! YAML policy file; every field has a default, and `check` names the field that is wrong.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    /// Candidate share of new calls at each step, in percent, increasing; reaching 100 promotes.
    pub steps: Vec<u8>,
    /// Length of one analysis interval.
    pub interval_ms: u64,
    /// Error rate of the whole judgement under continuous monitoring (split over the metrics).
    pub alpha: f64,
    /// Smallest harm worth stopping for, as a ratio of the candidate's rate to the active's (the
    /// sequential tests mix over its powers up to 20×).
    pub harm_ratio: f64,
    /// Events on the candidate before a proportion test may fail it.
    pub min_events: u64,
    /// Candidate calls in a step before it may pass.
    pub min_calls_per_step: u64,
    /// Intervals in a step before it may pass.
    pub min_intervals_per_step: u32,
    /// A step that has not passed after this many intervals (too little traffic) pauses the
    /// rollout at its weight for the operator to decide.
    pub max_intervals_per_step: u32,
    /// Answered calls per arm in an interval before speed of answer is tested.
    pub min_answered_for_asa: u64,
    /// Smallest Mann-Whitney effect P(candidate waits longer) that fails the candidate.
    pub max_asa_effect: f64,
    /// Synthetic calls to the smoke DID before any weight moves (0: no smoke test).
    pub smoke_calls: u32,
    /// Blocks of the candidate a smoke call may end at; empty: every transfer block.
    pub smoke_terminals: Vec<String>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            steps: vec![5, 25, 50, 100],
            interval_ms: 60_000,
            alpha: 0.05,
            harm_ratio: 1.5,
            min_events: 3,
            min_calls_per_step: 100,
            min_intervals_per_step: 1,
            max_intervals_per_step: 30,
            min_answered_for_asa: 20,
            max_asa_effect: 0.6,
            smoke_calls: 3,
            smoke_terminals: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("policy: {field}: {message}")]
pub struct PolicyError {
    pub field: &'static str,
    pub message: String,
}

fn error(field: &'static str, message: impl Into<String>) -> PolicyError {
    PolicyError { field, message: message.into() }
}

impl Policy {
    /// Every field within its range; the first problem names its field.
    pub fn check(&self) -> Result<(), PolicyError> {
        if self.steps.is_empty() {
            return Err(error("steps", "needs at least one step"));
        }
        if self.steps.iter().any(|step| *step == 0 || *step > 100) {
            return Err(error("steps", "each step is a percentage in 1..=100"));
        }
        if self.steps.windows(2).any(|pair| pair[0] >= pair[1]) {
            return Err(error("steps", "steps must increase"));
        }
        if self.interval_ms == 0 {
            return Err(error("interval_ms", "must be positive"));
        }
        if !(self.alpha > 0.0 && self.alpha < 0.5) {
            return Err(error("alpha", "must be in (0, 0.5)"));
        }
        if !(self.harm_ratio > 1.0 && self.harm_ratio <= 20.0) {
            return Err(error("harm_ratio", "must be in (1, 20]"));
        }
        if self.max_intervals_per_step < self.min_intervals_per_step.max(1) {
            return Err(error("max_intervals_per_step", "must be at least min_intervals_per_step and 1"));
        }
        if self.smoke_calls > 100 {
            return Err(error("smoke_calls", "at most 100"));
        }
        if !(self.max_asa_effect > 0.5 && self.max_asa_effect <= 1.0) {
            return Err(error("max_asa_effect", "must be in (0.5, 1]"));
        }
        Ok(())
    }

    /// The steps that are judged (every step below 100 %); a 100 % step is the promotion itself.
    pub fn judged_steps(&self) -> usize {
        self.steps.iter().filter(|step| **step < 100).count()
    }

    /// Looks the speed-of-answer test may take over the whole rollout (its alpha is split over them).
    pub fn max_looks(&self) -> u64 {
        self.judged_steps().max(1) as u64 * u64::from(self.max_intervals_per_step)
    }
}
