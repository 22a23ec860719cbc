//! API usage: the real `POST /api/v2/usage/query` + result polling, and the seeds'
//! `GET /api/v2/usage/sessions/current` (seed 001, license headroom).

use serde::{Deserialize, Serialize};

/// The real `ApiUsageOrganizationQuery`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageQuery {
    /// ISO-8601 interval `start/end`.
    pub interval: String,
    /// `Day`, `Week` or `Month`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub granularity: Option<String>,
    #[serde(default)]
    pub metrics: Vec<String>,
    /// `OAuthClientId`, `OrganizationId`, `UserId`, `TemplateUri`, `HttpMethod`.
    #[serde(default)]
    pub group_by: Vec<String>,
}

/// The real `UsageExecutionResult` (answer to the query POST).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageExecutionResult {
    pub execution_id: String,
    pub results_uri: String,
}

/// The real `ApiUsageQueryResult` (`queryStatus`: `Running` or `Complete`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageQueryResult {
    pub results: Vec<UsageRow>,
    pub query_status: String,
}

/// The real `ApiUsageRow`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageRow {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_method: Option<String>,
    pub status200: u64,
    pub status300: u64,
    pub status400: u64,
    pub status500: u64,
    pub status429: u64,
    pub requests: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}

/// Seed-only: `GET /api/v2/usage/sessions/current`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionsCurrent {
    pub license_type: String,
    pub metric: String,
    pub total: u64,
    pub used: u64,
    pub available: u64,
}
