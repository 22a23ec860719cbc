//! Seed-only routing strategies (`/api/v2/routing/strategies`, seed 002). The real platform has
//! no such resource; `--strict` answers 404. Concurrency is the seeds' ETag/If-Match only.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoutingStrategy {
    #[serde(default)]
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub settings: StrategySettings,
    #[serde(default)]
    pub targets: Vec<StrategyTarget>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_modified: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_uri: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StrategySettings {
    #[serde(default)]
    pub enabled: bool,
    #[serde(default)]
    pub long_running: bool,
}

/// A weighted target: `{"type": "Queue", "id": "...", "weight": 100, "priority": 1}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StrategyTarget {
    #[serde(rename = "type")]
    pub target_type: String,
    pub id: String,
    pub weight: u32,
    pub priority: u32,
}

/// Body of `PATCH /api/v2/routing/strategies/{id}`: any subset of the fields.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoutingStrategyPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<StrategySettings>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub targets: Option<Vec<StrategyTarget>>,
}
