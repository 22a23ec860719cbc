//! The controller hook: at every analysis interval of virtual time the engine hands a controller
//! (a rollout's, say) the tallies of the calls that finished in that interval, per flow, and applies
//! the data-table writes it returns before the next event, so the very next call sees them. The
//! same controller runs against a live org with a wall-clock driver; here hundreds of seeded runs
//! take seconds.

use super::record::{CallOutcome, CallRecord};
use std::collections::BTreeMap;

/// One flow's calls that finished in an interval. A call counts for every flow it entered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlowTally {
    pub calls: u64,
    /// Calls that reached a queue.
    pub offered: u64,
    pub answered: u64,
    pub abandoned: u64,
    /// Calls the flow ended (disconnect blocks and flow errors).
    pub flow_disconnects: u64,
    /// The subset of `flow_disconnects` that were flow errors (`error`, `loop`, `transfer_failed`...).
    pub flow_errors: u64,
    /// (arrival time, queue wait) of each answered call, for speed-of-answer tests; the arrival
    /// lets a judge keep only calls that arrived under the current routing weights.
    pub answered_calls: Vec<(u64, u64)>,
}

/// The calls that finished in `[start_ms, end_ms)`, per flow id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IntervalTallies {
    pub start_ms: u64,
    pub end_ms: u64,
    pub by_flow: BTreeMap<String, FlowTally>,
}

/// A data-table row write: set these columns of `key` in `datatable` (created if missing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowWrite {
    pub datatable: String,
    pub key: String,
    pub set: BTreeMap<String, String>,
}

/// Called at the end of every analysis interval while arrivals last.
pub trait IntervalController {
    /// Rows to write before the first call arrives (a rollout's first step).
    fn start(&mut self) -> Vec<RowWrite> {
        Vec::new()
    }

    fn on_interval(&mut self, tallies: &IntervalTallies) -> Vec<RowWrite>;
}

/// Disconnect reasons that are flow errors rather than designed ends.
const ERROR_REASONS: &[&str] = &["error", "loop", "transfer_failed", "module_missing", "menu_no_input"];

impl IntervalTallies {
    /// Counts a finished call for every flow it entered.
    pub fn add(&mut self, record: &CallRecord) {
        for (flow_id, _version) in record.path.flows() {
            let tally = self.by_flow.entry(flow_id.to_string()).or_default();
            tally.calls += 1;
            if record.queue.is_some() {
                tally.offered += 1;
            }
            match &record.outcome {
                CallOutcome::Answered { wait_ms, .. } => {
                    tally.answered += 1;
                    tally.answered_calls.push((record.arrived_at_ms, *wait_ms));
                }
                CallOutcome::Abandoned { .. } => tally.abandoned += 1,
                CallOutcome::FlowDisconnect { reason } => {
                    tally.flow_disconnects += 1;
                    if ERROR_REASONS.contains(&reason.as_ref()) {
                        tally.flow_errors += 1;
                    }
                }
                CallOutcome::Voicemail { .. } => {}
            }
        }
    }
}
