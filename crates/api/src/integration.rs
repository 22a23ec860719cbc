//! Integrations (`/api/v2/integrations`), data actions (`/api/v2/integrations/actions`) and the
//! seeds' health check (`POST /api/v2/integrations/{id}/healthcheck`, seed 001).

use crate::common::EntityRef;
use serde::{Deserialize, Serialize};

/// The real `Integration`. The endpoint lives in `config.current.properties.endpointUrl`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Integration {
    #[serde(default)]
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integration_type: Option<EntityRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// `ENABLED`, `DISABLED` or `DELETED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intended_state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<IntegrationConfigurationInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_uri: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntegrationConfigurationInfo {
    pub current: IntegrationConfiguration,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntegrationConfiguration {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default)]
    pub version: u64,
    /// Free-form on the real platform; we use `endpointUrl` (and optionally `method`).
    #[serde(default)]
    pub properties: serde_json::Map<String, serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

impl Integration {
    /// The integration's endpoint (`config.current.properties.endpointUrl`), if configured.
    pub fn endpoint_url(&self) -> Option<&str> {
        self.config.as_ref()?.current.properties.get("endpointUrl")?.as_str()
    }
}

/// The real data-action `Action` (`/api/v2/integrations/actions`), plus the seeds' retry config.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Action {
    #[serde(default)]
    pub id: String,
    pub name: String,
    pub integration_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default)]
    pub version: u64,
    #[serde(default)]
    pub secure: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<ActionConfig>,
    /// Seed 001 extension: retry policy applied by the caller of the action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_config: Option<RetryConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_uri: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<u64>,
    pub request: RequestConfig,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestConfig {
    pub request_url_template: String,
    /// `GET`, `PUT`, `POST`, `PATCH`, `DELETE`.
    pub request_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_template: Option<String>,
    #[serde(default)]
    pub headers: std::collections::BTreeMap<String, String>,
}

/// Seed 001's `retryConfig`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RetryConfig {
    pub max_attempts: u32,
    /// `exponential` or `fixed`.
    pub backoff_strategy: String,
    pub initial_delay_ms: u64,
    pub max_delay_ms: u64,
}

/// Seed 001's health-check request; every field defaults from the integration.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthcheckRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_status_code: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
}

/// The health-check outcome: the endpoint was really called and timed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthcheckResponse {
    pub integration_id: String,
    pub endpoint_url: String,
    pub method: String,
    /// True when the call answered `expected_status_code` within the timeout.
    pub healthy: bool,
    #[serde(default)]
    pub status_code: Option<u16>,
    pub expected_status_code: u16,
    pub latency_ms: u64,
    pub timeout_ms: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// RFC 3339 time of the check.
    pub checked_at: String,
}
