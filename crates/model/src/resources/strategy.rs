//! Routing strategies (seed 002/004 extension; the real platform has none): weighted targets.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutingStrategy {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
    pub targets: Vec<Target>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub target_type: TargetType,
    /// Id (or name in desired state) of the flow or queue.
    pub id: String,
    /// Percentage 0–100 of traffic.
    pub weight: f64,
    /// Lower is tried first when weights tie or a target fails.
    #[serde(default)]
    pub priority: i32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetType {
    Flow,
    Queue,
}

impl RoutingStrategy {
    pub fn total_weight(&self) -> f64 {
        self.targets.iter().map(|target| target.weight).sum()
    }
}

super::resource!(RoutingStrategy, "routing_strategy");
