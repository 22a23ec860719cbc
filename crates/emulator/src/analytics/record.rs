//! What analytics knows about one call: its flow segments and its queue segment, with epoch-ms
//! timestamps. Wall-clock calls fill one in as they run; a virtual-time run can build the same
//! records, so every query works the same on both.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationRecord {
    pub conversation_id: String,
    pub ani: String,
    pub dnis: String,
    pub start_ms: i64,
    /// `None` while the call is live.
    pub end_ms: Option<i64>,
    /// Flows in the order the call entered them.
    pub flows: Vec<FlowSegment>,
    pub queue: Option<QueueSegment>,
    /// The `Flow_Version` participant attribute, once set.
    pub flow_version_attribute: Option<String>,
    /// Modelled time per wall-clock time (a call's speed-up): timers are spans × this, so a sped-up
    /// demo still reports modelled waits. 1 for real-time and virtual-time records.
    #[serde(default = "one")]
    pub time_scale: f64,
}

fn one() -> f64 {
    1.0
}

/// One stay in one flow version.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct FlowSegment {
    pub flow_id: String,
    pub flow_name: String,
    pub flow_version: String,
    pub entered_ms: i64,
    /// `None` while the call is still in this flow.
    pub exited_ms: Option<i64>,
    pub exit: FlowExit,
    /// A flow error, or a data action whose last attempt failed.
    pub failed: bool,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FlowExit {
    #[default]
    InFlow,
    TransferToFlow,
    TransferToQueue { queue_id: String },
    /// The call ended in the flow (`reason` from the disconnect block, or `error`, `loop`...).
    Disconnect { reason: String },
    /// The caller hung up while in the flow.
    CallerHangup,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct QueueSegment {
    pub queue_id: String,
    pub entered_ms: i64,
    pub answered_ms: Option<i64>,
    pub abandoned_ms: Option<i64>,
    pub agent_id: Option<String>,
    /// When the agent finished talking (wrap-up starts).
    pub talk_end_ms: Option<i64>,
    /// When wrap-up finished.
    pub wrapup_end_ms: Option<i64>,
}

impl Default for ConversationRecord {
    fn default() -> Self {
        ConversationRecord {
            conversation_id: String::new(),
            ani: String::new(),
            dnis: String::new(),
            start_ms: 0,
            end_ms: None,
            flows: Vec::new(),
            queue: None,
            flow_version_attribute: None,
            time_scale: 1.0,
        }
    }
}

impl ConversationRecord {
    /// A timer's value: the wall-clock span scaled to modelled time.
    pub fn span_ms(&self, from_ms: i64, to_ms: i64) -> u64 {
        let scale = if self.time_scale.is_finite() && self.time_scale > 0.0 { self.time_scale } else { 1.0 };
        ((to_ms - from_ms).max(0) as f64 * scale).round() as u64
    }

    /// The flow that handed the call to a queue (or the last flow), for conversation `flowId`.
    pub fn routing_flow(&self) -> Option<&FlowSegment> {
        self.flows
            .iter()
            .rev()
            .find(|segment| matches!(segment.exit, FlowExit::TransferToQueue { .. }))
            .or_else(|| self.flows.last())
    }

    /// The version a call belongs to: its `Flow_Version` attribute, else the routing flow's.
    pub fn flow_version(&self) -> Option<&str> {
        self.flow_version_attribute
            .as_deref()
            .or_else(|| self.routing_flow().map(|segment| segment.flow_version.as_str()))
    }
}
