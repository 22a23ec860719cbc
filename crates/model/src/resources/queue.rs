//! Routing queues: where the ACD holds calls for agents who are members.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutingQueue {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Seconds an offered call rings an agent before it goes to the next one.
    #[serde(default = "default_alerting_timeout")]
    pub alerting_timeout_seconds: u32,
    /// Service-level target: share of calls answered within `service_level_seconds`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_level_percentage: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_level_seconds: Option<u32>,
}

fn default_alerting_timeout() -> u32 {
    8
}

super::resource!(RoutingQueue, "queue");
