//! What the engine hands out per finished call, and where it goes.

use crate::runtime::CallPath;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// How a call ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CallOutcome {
    /// Ended in a flow (disconnect block, flow error, loop guard, unknown queue with no failure path).
    FlowDisconnect {
        reason: Arc<str>,
    },
    /// Ended in a voicemail box (`transfer_to_voicemail`).
    Voicemail {
        target: Arc<str>,
    },
    Abandoned {
        wait_ms: u64,
    },
    Answered {
        wait_ms: u64,
        talk_ms: u64,
        wrapup_ms: u64,
        agent: u32,
    },
}

/// One finished call. Times are virtual milliseconds since the start of the run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallRecord {
    pub call_id: u64,
    pub did: Arc<str>,
    pub arrived_at_ms: u64,
    pub ended_at_ms: u64,
    /// Flow the call spent before reaching the queue (or before disconnecting).
    pub flow_ms: u64,
    pub queue: Option<Arc<str>>,
    pub queued_at_ms: Option<u64>,
    pub outcome: CallOutcome,
    pub path: CallPath,
    pub participant_data: BTreeMap<String, String>,
    /// Arrived during the warm-up: simulated but not counted in the metrics.
    pub in_warmup: bool,
}

/// Receives every finished call as it finishes, so a million calls need no million-element vector.
pub trait CallSink {
    fn on_call_finished(&mut self, record: &CallRecord);
}

impl<F: FnMut(&CallRecord)> CallSink for F {
    fn on_call_finished(&mut self, record: &CallRecord) {
        self(record)
    }
}

/// Discards records.
#[derive(Debug, Default, Clone, Copy)]
pub struct NullSink;

impl CallSink for NullSink {
    fn on_call_finished(&mut self, _record: &CallRecord) {}
}

/// Keeps the first `limit` records.
#[derive(Debug, Default, Clone)]
pub struct VecSink {
    pub records: Vec<CallRecord>,
    pub limit: usize,
    /// Records seen beyond the limit.
    pub dropped: u64,
}

impl VecSink {
    pub fn with_limit(limit: usize) -> VecSink {
        VecSink { records: Vec::new(), limit, dropped: 0 }
    }
}

impl CallSink for VecSink {
    fn on_call_finished(&mut self, record: &CallRecord) {
        if self.records.len() < self.limit {
            self.records.push(record.clone());
        } else {
            self.dropped += 1;
        }
    }
}
