//! The flow definition format: a typed graph of blocks that the runtime executes and the review validates.
//!
//! A flow is a map of named blocks plus a `start` block name. Every block names its successor(s)
//! by block name, so the graph is explicit and checkable without running it. String fields may
//! hold template variables (`{{ENV_REGION}}`) that deploy resolves per org; see `docs/flow-format.md`.

mod archy_extras;
mod block;
mod expression;
mod voice;

pub use archy_extras::*;
pub use block::*;
pub use expression::*;
pub use voice::*;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Participant data every call starts with, set by the runtime (virtual time and wall clock alike):
/// the Architect-style `Call.Ani` / `Call.Dnis` and the bare attribute names `ANI` / `DNIS`.
/// Flows read them without declaring them; `Flow_Version` is stamped when a versioned flow is entered.
pub const SYSTEM_VARIABLES: &[&str] = &["Call.Ani", "Call.Dnis", "ANI", "DNIS", "Flow_Version"];

/// The participant data a new call starts with, in `SYSTEM_VARIABLES` order (less `Flow_Version`).
pub fn call_start_variables(ani: &str, dnis: &str) -> [(String, String); 4] {
    [
        ("Call.Ani".to_string(), ani.to_string()),
        ("Call.Dnis".to_string(), dnis.to_string()),
        ("ANI".to_string(), ani.to_string()),
        ("DNIS".to_string(), dnis.to_string()),
    ]
}

/// A complete flow definition, as stored in a flow version and as written in YAML/JSON by users.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowDefinition {
    /// Flow name; unique per org and flow type.
    pub name: String,
    #[serde(default = "default_flow_type")]
    pub flow_type: FlowType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Participant-data variables the flow reads or writes, with their types.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub variables: BTreeMap<String, VariableDeclaration>,
    /// The name of the first block a call enters.
    pub start: String,
    /// Blocks by name. A BTreeMap keeps serialization stable for diffs.
    pub blocks: BTreeMap<String, Block>,
    /// What an imported Archy document had beyond the blocks, for export; absent for flows written
    /// in this format (which then serialize exactly as before).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archy: Option<ArchyExtras>,
}

impl FlowDefinition {
    /// A router (a Traffic Cop) hands calls to other flows; it does not stamp `Flow_Version`, so
    /// the attribute names the version that does the work. Both clocks use this one rule.
    pub fn is_router(&self) -> bool {
        self.blocks.values().any(|block| matches!(block, Block::TransferToFlow { .. }))
    }
}

fn default_flow_type() -> FlowType {
    FlowType::InboundCall
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowType {
    InboundCall,
    InQueueCall,
    /// A reusable module other flows call (`callCommonModule`); Archy's `commonModule`.
    CommonModule,
    Workflow,
}

impl FlowType {
    /// The platform's name for the type, as the real API spells it (`INBOUNDCALL`).
    pub fn platform_name(self) -> &'static str {
        match self {
            FlowType::InboundCall => "INBOUNDCALL",
            FlowType::InQueueCall => "INQUEUECALL",
            FlowType::CommonModule => "COMMONMODULE",
            FlowType::Workflow => "WORKFLOW",
        }
    }

    pub fn from_platform_name(name: &str) -> Option<FlowType> {
        match name.to_ascii_uppercase().as_str() {
            "INBOUNDCALL" => Some(FlowType::InboundCall),
            "INQUEUECALL" => Some(FlowType::InQueueCall),
            "COMMONMODULE" => Some(FlowType::CommonModule),
            "WORKFLOW" => Some(FlowType::Workflow),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariableDeclaration {
    #[serde(rename = "type")]
    pub variable_type: VariableType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VariableType {
    String,
    Integer,
    Decimal,
    Boolean,
}

/// A participant-data value. Participant data on the real platform is string-typed; we keep the
/// declared type so checks can catch `"5" + 1` style mistakes before a call hits them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    Boolean(bool),
    Integer(i64),
    Decimal(f64),
    String(String),
}

impl Value {
    /// The participant-attribute form of the value (the platform stores attributes as strings).
    pub fn to_attribute_string(&self) -> String {
        match self {
            Value::Boolean(value) => value.to_string(),
            Value::Integer(value) => value.to_string(),
            Value::Decimal(value) => value.to_string(),
            Value::String(value) => value.clone(),
        }
    }
}
