//! The record of what one call did in its flows: blocks visited, data-action attempts, where it ended.
//!
//! Analytics and tests read this instead of re-deriving behaviour from metrics, so it names flows,
//! versions and blocks exactly as the definitions do.

use super::caller::InputSource;
use serde::Serialize;
use std::sync::Arc;

/// One block a call entered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BlockVisit {
    pub flow_id: Arc<str>,
    pub flow_version: Arc<str>,
    pub block: Arc<str>,
}

/// How one data-action attempt ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AttemptOutcome {
    Success,
    /// `status` is the HTTP status; `None` means no response (connection error).
    Failure {
        status: Option<u16>,
    },
    Timeout,
}

/// One attempt of a data action.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DataActionAttempt {
    pub flow_id: Arc<str>,
    pub block: Arc<str>,
    pub integration: Arc<str>,
    /// 1 for the first attempt.
    pub attempt: u32,
    pub outcome: AttemptOutcome,
    pub latency_ms: u64,
    /// Call-relative time (sum of flow time so far) when the attempt started.
    pub started_at_ms: u64,
    /// The wait chosen before the next attempt, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backoff_ms: Option<u64>,
}

/// Where the call left its flows.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TerminalOutcome {
    Queue { queue: String, priority: i32 },
    Disconnect { reason: Arc<str> },
    /// The call ended in a voicemail box (`transfer_to_voicemail`).
    Voicemail { target: String },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Terminal {
    pub flow_id: Arc<str>,
    pub flow_version: Arc<str>,
    pub block: Arc<str>,
    pub outcome: TerminalOutcome,
    /// Why a flow error happened (expression, lookup or transfer failure), for people.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// What the caller gave at a menu or input prompt.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallerInput {
    pub flow_id: Arc<str>,
    pub block: Arc<str>,
    /// The key, digits or speech term given; `None` for no input.
    pub input: Option<String>,
    pub source: InputSource,
}

/// Everything one call did in its flows.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CallPath {
    pub visits: Vec<BlockVisit>,
    pub data_actions: Vec<DataActionAttempt>,
    /// Menu choices and collected digits, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<CallerInput>,
    /// Flow ids the call ran as common modules. A module runs inside the flow that calls it, so
    /// [`CallPath::flows`] (the flow segments analytics show) leaves them out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub modules: Vec<Arc<str>>,
    pub terminal: Option<Terminal>,
}

impl CallPath {
    /// Distinct (flow id, version) pairs in the order the call first entered them, common modules
    /// left out.
    pub fn flows(&self) -> Vec<(Arc<str>, Arc<str>)> {
        let mut out: Vec<(Arc<str>, Arc<str>)> = Vec::new();
        for visit in &self.visits {
            if self.modules.contains(&visit.flow_id) {
                continue;
            }
            if !out.iter().any(|(id, version)| *id == visit.flow_id && *version == visit.flow_version) {
                out.push((visit.flow_id.clone(), visit.flow_version.clone()));
            }
        }
        out
    }
}
