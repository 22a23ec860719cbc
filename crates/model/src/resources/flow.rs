//! Flows as platform resources: a named flow with saved, checked-in and published versions.

use crate::flow::{FlowDefinition, FlowType};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Flow {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub name: String,
    pub flow_type: FlowType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
    #[serde(default)]
    pub versions: Vec<FlowVersion>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowVersion {
    /// 1, 2, 3… as the platform numbers versions.
    pub number: u32,
    pub state: FlowVersionState,
    pub definition: FlowDefinition,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowVersionState {
    Saved,
    CheckedIn,
    Published,
}

impl Flow {
    /// The version calls run: the highest-numbered published one.
    pub fn published(&self) -> Option<&FlowVersion> {
        self.versions
            .iter()
            .filter(|version| version.state == FlowVersionState::Published)
            .max_by_key(|version| version.number)
    }
}

super::resource!(Flow, "flow");
