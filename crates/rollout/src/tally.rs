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
    /// Totals over intervals keep the count and sum of the waits instead of each one (for ASA).
    #[serde(default)]
    pub waits_counted: u64,
    #[serde(default)]
    pub waits_total_ms: u64,
}

impl ArmTally {
    pub fn abandon_rate(&self) -> Option<f64> {
        (self.offered > 0).then(|| self.abandoned as f64 / self.offered as f64)
    }

    pub fn disconnect_rate(&self) -> Option<f64> {
        (self.calls > 0).then(|| self.flow_disconnects as f64 / self.calls as f64)
    }

    /// Average speed of answer over the waits this tally knows (each one, or the totals' sums).
    pub fn mean_answer_ms(&self) -> Option<f64> {
        let count = self.waits_counted + self.answer_waits_ms.len() as u64;
        let total = self.waits_total_ms + self.answer_waits_ms.iter().sum::<u64>();
        (count > 0).then(|| total as f64 / count as f64)
    }

    /// Adds another tally (for totals over intervals); waits are kept as a count and a sum.
    pub fn accumulate(&mut self, other: &ArmTally) {
        self.waits_counted += other.waits_counted + other.answer_waits_ms.len() as u64;
        self.waits_total_ms += other.waits_total_ms + other.answer_waits_ms.iter().sum::<u64>();
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
