//! What the judge sees per interval: each arm's calls that finished in the window. Both drivers
//! fill it — the simulation from its interval tallies, the live driver from the analytics API.

use serde::{Deserialize, Serialize};

/// One arm's calls in one interval.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArmTally {
    pub calls: u64,
    /// Calls that reached a queue, the denominator of abandonment.
    pub offered: u64,
    pub abandoned: u64,
    pub answered: u64,
    /// Calls the flow ended itself (disconnect blocks and flow errors).
    pub flow_disconnects: u64,
    pub flow_errors: u64,
    /// Queue wait of each answered call (may be empty when the source only has sums).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub answer_waits_ms: Vec<u64>,
}

impl ArmTally {
    pub fn abandon_rate(&self) -> Option<f64> {
        (self.offered > 0).then(|| self.abandoned as f64 / self.offered as f64)
    }

    pub fn disconnect_rate(&self) -> Option<f64> {
        (self.calls > 0).then(|| self.flow_disconnects as f64 / self.calls as f64)
    }

    pub fn mean_answer_ms(&self) -> Option<f64> {
        (!self.answer_waits_ms.is_empty())
            .then(|| self.answer_waits_ms.iter().sum::<u64>() as f64 / self.answer_waits_ms.len() as f64)
    }

    /// Adds another tally (for totals over intervals); waits are not kept in totals.
    pub fn accumulate(&mut self, other: &ArmTally) {
        self.calls += other.calls;
        self.offered += other.offered;
        self.abandoned += other.abandoned;
        self.answered += other.answered;
        self.flow_disconnects += other.flow_disconnects;
        self.flow_errors += other.flow_errors;
    }
}

/// One analysis interval: the active and the candidate arm over the same window.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub start_ms: u64,
    pub end_ms: u64,
    pub active: ArmTally,
    pub candidate: ArmTally,
}
