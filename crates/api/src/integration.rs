//! Integrations (`/api/v2/integrations`), data actions (`/api/v2/integrations/actions`) and the
//! seeds' health check (`POST /api/v2/integrations/{id}/healthcheck`, seed 001), the real
//! data-action test (`TestExecutionResult`) and the session-terminate extension.

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
    /// The integration's id (`GET/PUT /api/v2/integrations/{id}/config/current` carry it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default)]
    pub version: u64,
    /// Free-form on the real platform; we use `endpointUrl` (and optionally `method`).
    #[serde(default)]
    pub properties: serde_json::Map<String, serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_uri: Option<String>,
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
    /// The action's inputs and outputs (`expand=contract` on a real org).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract: Option<ActionContract>,
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
    /// How the answer becomes outputs; kept as sent so an update never drops it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<ResponseConfig>,
}

/// The real `ResponseConfig`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResponseConfig {
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub translation_map: std::collections::BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub translation_map_defaults: std::collections::BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_template: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_template_uri: Option<String>,
}

/// The real `ActionContract`: JSON schemas of the inputs and outputs. The schemas are kept as JSON
/// documents (they nest arbitrarily), so reading and writing one back loses nothing.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionContract {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<ActionInput>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<ActionOutput>,
}

/// The real `ActionInput` (`ActionContractInput` on a draft update has the same `inputSchema`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_schema: Option<serde_json::Value>,
}

/// The real `ActionOutput`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionOutput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_schema: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_schema: Option<serde_json::Value>,
}

/// The real `UpdateDraftInput` (`PATCH /api/v2/integrations/actions/{actionId}/draft`): `version`
/// is the draft's, so a stale update is refused.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateDraftInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<ActionConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract: Option<ActionContract>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secure: Option<bool>,
    pub version: u64,
}

/// The real `PublishDraftInput` (`POST /api/v2/integrations/actions/{actionId}/draft/publish`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublishDraftInput {
    pub version: u64,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestConfig {
    pub request_url_template: String,
    /// `GET`, `PUT`, `POST`, `PATCH`, `DELETE`.
    pub request_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_template: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_template_uri: Option<String>,
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

/// The real `TestExecutionResult` of `POST /api/v2/integrations/actions/{actionId}/test` (and
/// `.../draft/test`): every step the execution went through, whether it succeeded, the action's
/// output (`finalResult`) or the error that stopped it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TestExecutionResult {
    #[serde(default)]
    pub operations: Vec<TestExecutionOperationResult>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<crate::error::ErrorBody>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub final_result: Option<serde_json::Value>,
    #[serde(default)]
    pub success: bool,
}

/// The real `TestExecutionOperationResult`: one step (numbered from 1) of a test execution.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TestExecutionOperationResult {
    pub step: u32,
    pub name: String,
    pub success: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<crate::error::ErrorBody>,
}

impl TestExecutionResult {
    /// The step that executed the remote request (`Execute request`), if the test got that far.
    pub fn request_step(&self) -> Option<&TestExecutionOperationResult> {
        self.operations.iter().find(|operation| operation.name == test_steps::EXECUTE_REQUEST)
    }
}

/// Names of the steps a data-action test reports, as the platform names them.
pub mod test_steps {
    pub const RESOLVE_URL: &str = "Resolve request URL template";
    pub const RESOLVE_HEADERS: &str = "Resolve request headers";
    pub const RESOLVE_BODY: &str = "Resolve request body template";
    pub const EXECUTE_REQUEST: &str = "Execute request";
    pub const RESOLVE_RESPONSE: &str = "Resolve response";
}

/// Integration sessions opened by data actions and how many were terminated (an emulator
/// extension: the real platform has no session API). Served by `GET /_emulator/integrations/sessions`
/// and inside the seed's terminate answer.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntegrationSessionCounts {
    pub organization_id: String,
    pub integration_id: String,
    /// Sessions ever opened (a conversation's first data action on the integration).
    pub opened: u64,
    /// Sessions ever closed: at the end of their flow, or by terminate.
    pub terminated: u64,
    /// Open now.
    pub open: u64,
    /// Dropped from the emulator's bounded book while still open.
    #[serde(default)]
    pub evicted: u64,
}

/// `GET /_emulator/integrations/sessions`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntegrationSessionList {
    pub integrations: Vec<IntegrationSessionCounts>,
}

/// Seed 001's `POST /api/v2/integrations/{id}/terminate` body (optional): one conversation's
/// session, or every open session of the integration when absent.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TerminateRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
}

/// The terminate answer: how many closed now, and the integration's counts after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TerminateResponse {
    pub terminated_now: u64,
    pub sessions: IntegrationSessionCounts,
}
