//! Organizations: `GET /api/v2/organizations/me` (real) and the org tree of seed 002.

use serde::{Deserialize, Serialize};

/// The real `Organization` (subset the SDKs and our client use).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    pub id: String,
    pub name: String,
    /// The org's short name (the login "organization" field); the real API always sends it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub third_party_org_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_language: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_country_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// Optimistic-concurrency version: a PUT with a stale value is answered 409.
    pub version: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_platform: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_uri: Option<String>,
}

/// Seed-only: one entry of `GET /api/v2/organizations`, the tree visible to the token.
/// The real platform has no such listing; `--strict` answers 404.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrgTreeEntry {
    pub id: String,
    pub name: String,
    /// `parent` for the root of the visible tree's hierarchy, `child` for sub-orgs.
    #[serde(rename = "type")]
    pub org_type: String,
    #[serde(default)]
    pub parent_org_id: Option<String>,
}

/// The real `Limit`: one limit of a namespace (`GET /api/v2/organizations/limits/namespaces/{name}`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Limit {
    pub key: String,
    pub namespace: String,
    pub value: i64,
}

/// The real `LimitsEntityListing`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LimitsEntityListing {
    pub entities: Vec<Limit>,
}

impl LimitsEntityListing {
    /// The value of `key`, if the namespace has it.
    pub fn value(&self, key: &str) -> Option<i64> {
        self.entities.iter().find(|limit| limit.key == key).map(|limit| limit.value)
    }
}

/// One entry of `GET /api/v2/organizations/limits/namespaces` (the SDK types that answer as a
/// free-form object; the platform answers a paged listing of namespace names).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LimitNamespace {
    pub name: String,
}
