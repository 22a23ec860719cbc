//! Telephony: SIP trunks with failover, and DIDs (phone numbers) pointing at inbound flows.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trunk {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
    /// SIP servers, `host:port`, tried in order.
    #[serde(default)]
    pub sip_servers: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failover: Option<Failover>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Failover {
    /// The trunk that takes calls when this one fails.
    pub backup_trunk: String,
    /// Consecutive failed calls (or OPTIONS pings) before failing over.
    #[serde(default = "default_failures")]
    pub failures_before_failover: u32,
    /// Move calls back once the primary is healthy again.
    #[serde(default)]
    pub revert_automatically: bool,
}

fn default_failures() -> u32 {
    3
}

/// A phone number and the inbound flow it starts. Named by its number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Did {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// E.164, e.g. `+13175550100`.
    pub number: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
    /// Flow name (desired state) or id (live state).
    pub flow: String,
}

super::resource!(Trunk, "trunk");

impl super::Resource for Did {
    const KIND: &'static str = "did";
    fn name(&self) -> &str {
        &self.number
    }
    fn version(&self) -> Option<u64> {
        self.version
    }
}
