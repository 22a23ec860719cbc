//! Numbers and their routing: DIDs (`/api/v2/telephony/providers/edges/dids`), IVR configs
//! (`/api/v2/architect/ivrs`, which map DIDs to flows on the real platform) and trunk base
//! settings (`/api/v2/telephony/providers/edges/trunkbasesettings`). All three are versioned:
//! a PUT with a stale `version` is answered 409.

use crate::common::{Division, EntityRef};
use serde::{Deserialize, Serialize};

/// The real `DID`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Did {
    #[serde(default)]
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub division: Option<Division>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default)]
    pub version: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_modified: Option<String>,
    /// `active` or `inactive`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// E.164, e.g. `+13175550100`.
    pub phone_number: String,
    /// The IVR config that routes the number, when one does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<EntityRef>,
    /// `IVR` when an IVR config owns the number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_uri: Option<String>,
}

/// The real `IVR` config: the DNIS numbers it answers and the flow that runs for them.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ivr {
    #[serde(default)]
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub division: Option<Division>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default)]
    pub version: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_modified: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default)]
    pub dnis: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_hours_flow: Option<EntityRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_hours_flow: Option<EntityRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holiday_hours_flow: Option<EntityRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_group: Option<EntityRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_uri: Option<String>,
}

/// The real `TrunkBase` (subset): properties hold the SIP settings, failover among them.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrunkBase {
    #[serde(default)]
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default)]
    pub version: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// `EXTERNAL`, `PHONE` or `EDGE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trunk_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trunk_meta_base: Option<EntityRef>,
    #[serde(default)]
    pub properties: serde_json::Map<String, serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_uri: Option<String>,
}
