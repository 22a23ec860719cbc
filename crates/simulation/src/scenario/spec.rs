//! The scenario file format (serde). Times in flows and distributions are milliseconds, like the
//! flow format; scenario-level spans are minutes because a day is easier to read that way.

use crate::distribution::DurationDistribution;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use switchboard_model::flow::FlowDefinition;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSpec {
    #[serde(default = "default_name")]
    pub name: String,
    /// The default seed; `run` takes the seed explicitly so the CLI can override it.
    #[serde(default)]
    pub seed: u64,
    /// How long calls arrive. The run then drains: calls already in the system finish.
    pub duration_minutes: f64,
    /// Calls arriving before this are simulated but left out of the metrics (steady-state studies).
    #[serde(default)]
    pub warmup_minutes: f64,
    #[serde(default = "default_interval_minutes")]
    pub interval_minutes: f64,
    /// Service level threshold: answered within this many seconds.
    #[serde(default = "default_service_level_seconds")]
    pub service_level_seconds: f64,
    /// Caller patience in queue, unless a queue overrides it. Default: callers never hang up.
    #[serde(default = "infinite")]
    pub patience: DurationDistribution,
    pub flows: Vec<FlowSpec>,
    #[serde(default)]
    pub integrations: Vec<IntegrationSpec>,
    #[serde(default)]
    pub datatables: Vec<DatatableSpec>,
    pub queues: Vec<QueueSpec>,
    /// Agents who belong to several queues (in addition to each queue's own `agents`).
    #[serde(default)]
    pub agent_groups: Vec<AgentGroupSpec>,
    pub dids: Vec<DidSpec>,
    /// Data-table changes at given times (a cutover, a canary weight change).
    #[serde(default)]
    pub table_updates: Vec<TableUpdateSpec>,
}

fn default_name() -> String {
    "scenario".to_string()
}
fn default_interval_minutes() -> f64 {
    15.0
}
fn default_service_level_seconds() -> f64 {
    20.0
}
fn infinite() -> DurationDistribution {
    DurationDistribution::Infinite
}
fn default_version() -> String {
    "1".to_string()
}
fn no_wrapup() -> DurationDistribution {
    DurationDistribution::Constant { ms: 0.0 }
}
fn default_failure_status() -> u16 {
    503
}
fn default_retry_after_ms() -> u64 {
    1_000
}

/// A published flow version. `id` defaults to the flow's name; several entries may share a name
/// with different ids and versions (a transfer by name takes the last one listed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowSpec {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default = "default_version")]
    pub version: String,
    /// Whether entering this flow stamps `Flow_Version`; by default every flow but a router (one
    /// with a `transfer_to_flow` block, like a Traffic Cop) does, as on live emulator calls.
    #[serde(default)]
    pub stamp_flow_version: Option<bool>,
    #[serde(default)]
    pub definition: Option<FlowDefinition>,
    /// A flow file in either format: Archy YAML (as exported from Architect) or ours.
    #[serde(default)]
    pub file: Option<String>,
    /// `{{name}}` values for an Archy template in `file` (CX-as-Code's `substitutions`).
    #[serde(default)]
    pub substitutions: std::collections::BTreeMap<String, String>,
}

/// An integration modelled by its latency and failure rates. A latency above the data action's
/// timeout is a timeout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntegrationSpec {
    pub name: String,
    pub latency: DurationDistribution,
    #[serde(default)]
    pub failure_probability: f64,
    #[serde(default = "default_failure_status")]
    pub failure_status: u16,
    /// Share of attempts answered 429 with `Retry-After: retry_after_ms`.
    #[serde(default)]
    pub rate_limit_probability: f64,
    #[serde(default = "default_retry_after_ms")]
    pub retry_after_ms: u64,
    /// Response fields of a successful call.
    #[serde(default)]
    pub outputs: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatatableSpec {
    pub name: String,
    /// Rows by key; each row maps column names to values.
    #[serde(default)]
    pub rows: BTreeMap<String, BTreeMap<String, String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueSpec {
    pub name: String,
    #[serde(default)]
    pub id: Option<String>,
    /// Agents dedicated to this queue, on queue all day.
    #[serde(default)]
    pub agents: u32,
    pub handle: DurationDistribution,
    #[serde(default = "no_wrapup")]
    pub wrapup: DurationDistribution,
    #[serde(default)]
    pub patience: Option<DurationDistribution>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentGroupSpec {
    pub name: String,
    pub count: u32,
    pub queues: Vec<String>,
}

/// A phone number: the flow it points at and its Poisson arrival rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DidSpec {
    pub number: String,
    pub flow: String,
    pub calls_per_hour: f64,
    /// 24 factors, one per hour of the day from the start of the run, multiplying `calls_per_hour`.
    #[serde(default)]
    pub curve: Option<Vec<f64>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableUpdateSpec {
    pub at_minute: f64,
    pub datatable: String,
    pub key: String,
    /// Columns to set on the row (the row is created if absent).
    pub set: BTreeMap<String, String>,
}
