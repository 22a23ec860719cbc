//! The `Deployment_Control` row the Traffic Cop reads on every call: which slot is active, which is
//! the candidate, and the candidate's share of new calls. Writing this one row is how every weight
//! change, abort and promotion reaches calls.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const CONTROL_TABLE: &str = "Deployment_Control";
pub const CONTROL_KEY: &str = "Environment_State";

/// Column names, as the Traffic Cop reads them.
pub const ACTIVE_FLOW_ID: &str = "Active_Flow_ID";
pub const ACTIVE_VERSION: &str = "Active_Version";
pub const CANDIDATE_FLOW_ID: &str = "Candidate_Flow_ID";
pub const CANDIDATE_VERSION: &str = "Candidate_Version";
pub const TRAFFIC_WEIGHT: &str = "Traffic_Weight";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControlRow {
    pub active_flow_id: String,
    pub active_version: String,
    pub candidate_flow_id: String,
    pub candidate_version: String,
    /// Percent of new calls sent to the candidate (0 = none).
    pub traffic_weight: u8,
}

impl ControlRow {
    /// The row's columns as the data table stores them (every value text, as the platform's rows).
    pub fn columns(&self) -> BTreeMap<String, String> {
        BTreeMap::from([
            (ACTIVE_FLOW_ID.to_string(), self.active_flow_id.clone()),
            (ACTIVE_VERSION.to_string(), self.active_version.clone()),
            (CANDIDATE_FLOW_ID.to_string(), self.candidate_flow_id.clone()),
            (CANDIDATE_VERSION.to_string(), self.candidate_version.clone()),
            (TRAFFIC_WEIGHT.to_string(), self.traffic_weight.to_string()),
        ])
    }

    /// Reads a row back; `None` when a column is missing or the weight is not a percentage.
    pub fn from_columns(columns: &BTreeMap<String, String>) -> Option<ControlRow> {
        let text = |name: &str| columns.get(name).cloned();
        let weight = text(TRAFFIC_WEIGHT)?.trim().parse::<u8>().ok().filter(|weight| *weight <= 100)?;
        Some(ControlRow {
            active_flow_id: text(ACTIVE_FLOW_ID)?,
            active_version: text(ACTIVE_VERSION).unwrap_or_default(),
            candidate_flow_id: text(CANDIDATE_FLOW_ID)?,
            candidate_version: text(CANDIDATE_VERSION).unwrap_or_default(),
            traffic_weight: weight,
        })
    }
}
