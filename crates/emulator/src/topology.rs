//! The topology an emulator starts with: orgs (a tree) and what each holds. Loaded from YAML
//! (`--config`), built in (`Topology::default()`: the hub `global` with four regional spokes,
//! `hub.rs`) or generated (`--topology-scale`, `scale.rs`).

mod hub;
mod scale;

pub use scale::{DEFAULT_SEED as DEFAULT_SCALE_SEED, ScaleSpec, scaled};

use crate::error::EmulatorError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use switchboard_model::flow::FlowDefinition;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Topology {
    pub orgs: Vec<OrgSpec>,
    /// Handle time, wrap-up and caller patience distributions (YAML: `handle_time: {type:
    /// exponential, mean_ms: 180000}`), and the seed of the live calls' random draws.
    #[serde(default)]
    pub contact_center: Option<crate::contact_center::CenterOptions>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgSpec {
    pub name: String,
    /// Name of the parent org, if this is a sub-org.
    #[serde(default)]
    pub parent: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
    /// Fixed credentials; derived from the org name when absent.
    #[serde(default)]
    pub client_id: Option<String>,
    #[serde(default)]
    pub client_secret: Option<String>,
    /// License pool reported by `/api/v2/usage/sessions/current`.
    #[serde(default = "default_licenses")]
    pub licenses: u64,
    #[serde(default)]
    pub queues: Vec<QueueSpec>,
    #[serde(default)]
    pub users: Vec<UserSpec>,
    #[serde(default)]
    pub integrations: Vec<IntegrationSpec>,
    /// Flows, published at start.
    #[serde(default)]
    pub flows: Vec<FlowDefinition>,
    #[serde(default)]
    pub dids: Vec<DidSpec>,
    #[serde(default)]
    pub datatables: Vec<DataTableSpec>,
    /// Seed-only routing strategies; a target may name a queue of an ancestor org (cross-org).
    #[serde(default)]
    pub strategies: Vec<StrategySpec>,
}

fn default_licenses() -> u64 {
    100
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueSpec {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserSpec {
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
    /// Queue names the user is a member of.
    #[serde(default)]
    pub queues: Vec<String>,
    /// Start on queue (presence `On Queue`, routing status `IDLE`).
    #[serde(default)]
    pub on_queue: bool,
    /// Job title (`Administrator`, `Supervisor`, `Agent`...).
    #[serde(default)]
    pub title: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StrategySpec {
    pub name: String,
    pub targets: Vec<StrategyTargetSpec>,
}

/// A weighted queue target. `org` names the org that holds the queue when it is not this one
/// (it must be an ancestor: sub-orgs reference the hub, never each other).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StrategyTargetSpec {
    pub queue: String,
    #[serde(default)]
    pub org: Option<String>,
    #[serde(default = "default_weight")]
    pub weight: u32,
    #[serde(default = "default_priority")]
    pub priority: u32,
}

fn default_weight() -> u32 {
    100
}

fn default_priority() -> u32 {
    1
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntegrationSpec {
    pub name: String,
    pub endpoint_url: String,
    #[serde(default = "default_method")]
    pub method: String,
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
}

fn default_method() -> String {
    "GET".to_string()
}

fn default_timeout_ms() -> u64 {
    5_000
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DidSpec {
    pub number: String,
    /// Flow name the number routes to (through an IVR config named after the number).
    #[serde(default)]
    pub flow: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataTableSpec {
    pub name: String,
    /// Column name → `string`, `integer`, `number` or `boolean` (the `key` column is implied).
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    #[serde(default)]
    pub rows: Vec<serde_json::Map<String, serde_json::Value>>,
}

/// Parses a YAML topology; errors name `file:line:column`.
pub fn load_topology(text: &str, file_name: &str) -> Result<Topology, EmulatorError> {
    let topology: Topology = switchboard_model::load::parse_yaml(text, file_name).map_err(|error| EmulatorError::Topology {
        file: error.file,
        line: error.line.unwrap_or(0),
        column: error.column.unwrap_or(0),
        message: error.message,
    })?;
    crate::state::seed::validate(&topology)
        .map_err(|message| EmulatorError::TopologyInvalid { file: file_name.to_string(), message })?;
    Ok(topology)
}

