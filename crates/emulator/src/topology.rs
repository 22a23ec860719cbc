//! The topology an emulator starts with: orgs (a tree) and what each holds. Loaded from YAML
//! (`--config`) or built in (`Topology::default()`: `global` with four regional sub-orgs).

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

impl Default for Topology {
    /// `global` plus `na-east-1`, `na-east-2`, `eu-central-1`, `eu-central-2`.
    fn default() -> Self {
        let mut orgs = vec![OrgSpec { name: "global".to_string(), region: Some("global".to_string()), licenses: 500, ..OrgSpec::default() }];
        let regions = [("na-east-1", "us-east-1", "+1317555"), ("na-east-2", "us-east-2", "+1614555"), ("eu-central-1", "eu-central-1", "+4930555"), ("eu-central-2", "eu-central-2", "+4969555")];
        for (index, (name, region, prefix)) in regions.into_iter().enumerate() {
            orgs.push(regional_org(name, region, prefix, index));
        }
        Topology { orgs, contact_center: None }
    }
}

fn regional_org(name: &str, region: &str, prefix: &str, index: usize) -> OrgSpec {
    let queues = ["Sales", "Support", "Billing"];
    let users = (1..=6)
        .map(|number| UserSpec {
            name: format!("Agent {number} ({name})"),
            email: Some(format!("agent{number}@{name}.example.com")),
            queues: vec![queues[number % 3].to_string(), queues[(number + 1) % 3].to_string()],
            on_queue: number <= 4,
        })
        .collect();
    OrgSpec {
        name: name.to_string(),
        parent: Some("global".to_string()),
        region: Some(region.to_string()),
        licenses: 100,
        queues: queues.iter().map(|queue| QueueSpec { name: queue.to_string(), description: Some(format!("{queue} queue")) }).collect(),
        users,
        integrations: vec![IntegrationSpec {
            name: "CRM Lookup".to_string(),
            // The emulator's own fake CRM; the placeholder host becomes the bound address at start.
            endpoint_url: format!("{}/crm/lookup", crate::crm::EMULATOR_HOST_PLACEHOLDER),
            method: "GET".to_string(),
            timeout_ms: 5_000,
        }],
        flows: vec![crate::state::seed::default_flow()],
        dids: (0..2)
            .map(|number| DidSpec { number: format!("{prefix}{:04}", index * 100 + number), flow: Some(crate::state::seed::DEFAULT_FLOW.to_string()) })
            .collect(),
        ..OrgSpec::default()
    }
}
