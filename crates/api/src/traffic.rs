//! The emulator's traffic control (`/_emulator/traffic`, `/_emulator/calls`): Poisson call
//! arrivals per DID and single test calls, with the path each call took. Emulator-only.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `POST /_emulator/traffic`: start arrivals on one number.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TrafficRequest {
    /// Org id or name.
    pub org: String,
    /// The dialled number (`did` and `dnis` are synonyms).
    #[serde(default, alias = "dnis")]
    pub did: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calls_per_minute: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calls_per_hour: Option<f64>,
    /// 24 multipliers, one per hour of the (UTC) day, applied to the rate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub curve: Option<Vec<f64>>,
    /// Time runs this many times faster than the wall clock (arrivals, prompts, waits, handling).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speed_up: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Caller numbers drawn for the calls; a fixed test range when absent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub anis: Vec<String>,
}

/// `PUT`/`PATCH /_emulator/traffic/{id}`: change the rate or curve of a running stream.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TrafficUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calls_per_minute: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calls_per_hour: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub curve: Option<Vec<f64>>,
}

/// A running arrival stream.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrafficStream {
    pub id: String,
    pub org: String,
    pub did: String,
    pub calls_per_minute: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub curve: Option<Vec<f64>>,
    pub speed_up: f64,
    pub seed: u64,
    pub calls_placed: u64,
    /// RFC 3339.
    pub started_at: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TrafficList {
    #[serde(default)]
    pub streams: Vec<TrafficStream>,
}

/// `POST /_emulator/calls`: place one call and (by default) wait until its flow part is over.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlaceCallRequest {
    pub org: String,
    #[serde(default, alias = "dnis")]
    pub did: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ani: Option<String>,
    /// Participant data the call starts with.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speed_up: Option<f64>,
    /// Answer at once with just the conversation id instead of waiting for the flow to end.
    #[serde(default)]
    pub no_wait: bool,
    /// Wait at most this long (default 30 s); the answer then says `finished: false`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
    /// Also wait for the queue part (answer or abandon), not only the flow.
    #[serde(default)]
    pub wait_for_end: bool,
    /// Keys the caller presses, in order (`0`–`9`, `*`, `#`): each menu takes one key, each input
    /// prompt takes digits up to its terminator or maximum. Once used up, the caller presses
    /// nothing (menus take their default). Without it, menus get a seeded random choice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dtmf: Option<String>,
    /// Run this flow (id or name; its published version) instead of the one `did` routes to, which
    /// then only sets DNIS: the review's fault drills call a flow that no number reaches yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow: Option<String>,
}

/// The answer of `POST /_emulator/calls` and `GET /_emulator/calls/{id}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlacedCall {
    pub conversation_id: String,
    pub org: String,
    pub did: String,
    /// Whether the flow part is over (and `path` complete).
    pub flow_finished: bool,
    /// Whether the whole call is over.
    pub ended: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<CallPathView>,
    /// `answered`, `abandoned`, `disconnected` (in the flow) or `in_progress`.
    pub outcome: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    /// Flow time the call spent in its flows (modelled prompts and waits, real data-action
    /// latency and backoff), ms; set once `flow_finished`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow_ms: Option<u64>,
}

/// What the call did in its flows: the runtime's record in wire form.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallPathView {
    #[serde(default)]
    pub visits: Vec<BlockVisitView>,
    #[serde(default)]
    pub data_actions: Vec<DataActionAttemptView>,
    /// What the caller gave at menus and input prompts, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<CallerInputView>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminal: Option<TerminalView>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallerInputView {
    pub flow_id: String,
    pub block: String,
    /// The key, digits or speech term; absent for no input.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    /// `script` (the call's `dtmf`), `scenario` or `random`.
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BlockVisitView {
    pub flow_id: String,
    pub flow_version: String,
    pub block: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataActionAttemptView {
    pub block: String,
    pub integration: String,
    pub attempt: u32,
    /// `success`, `failure` or `timeout`.
    pub outcome: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    pub latency_ms: u64,
    pub started_at_ms: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backoff_ms: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TerminalView {
    pub flow_id: String,
    pub flow_version: String,
    pub block: String,
    /// `queue`, `disconnect` or `voicemail`.
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<String>,
    /// The voicemail box (user or queue) of a `voicemail` end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voicemail: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl CallPathView {
    /// Names of the blocks visited, in order.
    pub fn blocks(&self) -> Vec<&str> {
        self.visits.iter().map(|visit| visit.block.as_str()).collect()
    }
}
