//! Routing queues (`/api/v2/routing/queues`) and their members.

use crate::common::{Division, EntityRef};
use crate::user::RoutingStatus;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The real `Queue`. Queues are last-write-wins on the real platform (no body version).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Queue {
    #[serde(default)]
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub division: Option<Division>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_modified: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_count: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_member_count: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub joined_member_count: Option<u32>,
    /// Per media type (`call`, `chat`, ...) alerting timeout and service level.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub media_settings: BTreeMap<String, MediaSettings>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acw_settings: Option<AcwSettings>,
    /// `NONE`, `BEST` or `ALL` on the real platform.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skill_evaluation_method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_flow: Option<EntityRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_uri: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MediaSettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alerting_timeout_seconds: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_level: Option<ServiceLevel>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceLevel {
    /// Fraction (0..1) of interactions to answer within `duration_ms`.
    pub percentage: f64,
    pub duration_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AcwSettings {
    /// `OPTIONAL`, `MANDATORY`, `MANDATORY_TIMEOUT`, `MANDATORY_FORCED_TIMEOUT`, `AGENT_REQUESTED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wrapup_prompt: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
}

/// One entry of `GET /api/v2/routing/queues/{id}/members`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueMember {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<EntityRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ring_number: Option<u32>,
    pub joined: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routing_status: Option<RoutingStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_uri: Option<String>,
}

/// Body item of `POST /api/v2/routing/queues/{id}/members` (`?delete=true` removes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WritableEntity {
    pub id: String,
}

/// Body of `PATCH /api/v2/routing/queues/{id}/members/{memberId}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueMemberPatch {
    pub joined: bool,
}

/// `GET /api/v2/routing/queues/{id}/members`: the real `QueueMemberEntityListing` pages by
/// links only (no `total`, `pageCount` or `lastUri`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueMemberListing {
    pub entities: Vec<QueueMember>,
    pub page_size: u32,
    pub page_number: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_uri: Option<String>,
}

impl From<crate::paging::EntityListing<QueueMember>> for QueueMemberListing {
    fn from(listing: crate::paging::EntityListing<QueueMember>) -> Self {
        QueueMemberListing {
            entities: listing.entities,
            page_size: listing.page_size,
            page_number: listing.page_number,
            self_uri: listing.self_uri,
            first_uri: listing.first_uri,
            next_uri: listing.next_uri,
            previous_uri: listing.previous_uri,
        }
    }
}
