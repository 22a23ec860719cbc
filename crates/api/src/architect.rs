//! Architect jobs: how the real platform takes and gives flow content (Archy YAML).
//!
//! Publishing: `POST /api/v2/flows/jobs` registers a job and answers a presigned upload URL with the
//! headers to send; the YAML is `PUT` there; `GET /api/v2/flows/jobs/{jobId}` is polled until
//! `status` is `Success` or `Failure`. Exporting: `POST /api/v2/flows/export/jobs` with the flows to
//! export; `GET /api/v2/flows/export/jobs/{jobId}` until a `downloadUrl` serves the YAML. Shapes are
//! the official SDK's `RegisterArchitectJobResponse`, `ArchitectJobStateResponse`,
//! `RegisterArchitectExportJob(Response)` and `ArchitectExportJobStateResponse`.

use crate::common::EntityRef;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `status` of an Architect job.
pub mod job_status {
    pub const REGISTERED: &str = "Registered";
    pub const STARTED: &str = "Started";
    pub const SUCCESS: &str = "Success";
    pub const FAILURE: &str = "Failure";
}

/// `command` of an Architect job.
pub mod job_command {
    pub const PUBLISH: &str = "Publish";
    pub const EXPORT: &str = "Export";
}

/// `type` of an Architect job message.
pub mod message_type {
    pub const ERROR: &str = "Error";
    pub const WARNING: &str = "Warning";
}

/// Body of `POST /api/v2/flows/jobs` (optional on the real platform).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegisterArchitectJobRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_stubs: Option<bool>,
}

/// `Debug` by hand below: the presigned URL's query is a credential.
#[derive(Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegisterArchitectJobResponse {
    pub id: String,
    /// Where the flow's YAML is uploaded (`PUT`), without a bearer token.
    pub presigned_url: String,
    /// Headers the upload must carry.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_uri: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArchitectJobMessage {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_time: Option<String>,
    /// `Error`, `Warning` or `Unknown`.
    #[serde(rename = "type", default)]
    pub message_type: String,
    #[serde(default)]
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArchitectJobStateResponse {
    pub id: String,
    /// The flow the job created or updated, once it is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow: Option<EntityRef>,
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<ArchitectJobMessage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_uri: Option<String>,
}

/// `ArchitectFlowReference`: a flow to export, by id (optionally a version).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArchitectFlowReference {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub flow_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// `ExportDetails`: one flow of an export job; `exportType` is `Yaml` or `Architect`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportDetails {
    pub flow: ArchitectFlowReference,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub export_type: Option<String>,
}

/// Body of `POST /api/v2/flows/export/jobs`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegisterArchitectExportJob {
    pub flows: Vec<ExportDetails>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegisterArchitectExportJobResponse {
    pub id: String,
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_flows: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_uri: Option<String>,
}

/// `Debug` by hand below: the download URL's query is a credential.
#[derive(Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArchitectExportJobStateResponse {
    pub id: String,
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// Serves the exported YAML once `status` is `Success`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub download_url: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<ArchitectJobMessage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_uri: Option<String>,
}

impl std::fmt::Debug for RegisterArchitectJobResponse {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("RegisterArchitectJobResponse")
            .field("id", &self.id)
            .field("presigned_url", &crate::redact::UrlWithoutQuery(&self.presigned_url))
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("self_uri", &self.self_uri)
            .finish()
    }
}

impl std::fmt::Debug for ArchitectExportJobStateResponse {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("ArchitectExportJobStateResponse")
            .field("id", &self.id)
            .field("status", &self.status)
            .field("command", &self.command)
            .field("download_url", &self.download_url.as_deref().map(crate::redact::UrlWithoutQuery))
            .field("messages", &self.messages)
            .field("self_uri", &self.self_uri)
            .finish()
    }
}
