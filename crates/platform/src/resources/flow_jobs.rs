//! The one flow path: flow content goes in and out as Archy YAML through Architect jobs, exactly as
//! `archy publish` and CX-as-Code's `genesyscloud_flow` do, so the same call publishes to the
//! emulator and to a real org.
//!
//! Publish: register a job (`POST /api/v2/flows/jobs`), `PUT` the YAML to the presigned URL with
//! the headers it came with, poll `GET /api/v2/flows/jobs/{id}` to `Success` (the flow) or
//! `Failure` (its messages, as [`PlatformError::FlowJobFailed`]). Export: register an export job,
//! poll it, download the YAML from its `downloadUrl`.

use reqwest::Method;
use switchboard_api::EntityRef;
use switchboard_api::architect::{
    ArchitectExportJobStateResponse, ArchitectFlowReference, ArchitectJobMessage, ArchitectJobStateResponse, ExportDetails,
    RegisterArchitectExportJob, RegisterArchitectExportJobResponse, RegisterArchitectJobRequest, RegisterArchitectJobResponse,
    job_status, message_type,
};
use switchboard_model::flow::FlowDefinition;
use tokio::time::Instant;

use super::flows::{Flows, OperationWait};
use crate::error::{PlatformError, Result};
use crate::platform::Platform;
use crate::request::ApiRequest;
use crate::typed::{fetch, segment};

/// What to publish: Archy YAML as people keep it in Git, or a flow in our format (sent as Archy YAML).
#[derive(Debug, Clone, Copy)]
pub enum FlowSource<'a> {
    ArchyYaml(&'a str),
    Definition(&'a FlowDefinition),
}

impl FlowSource<'_> {
    fn yaml(self) -> String {
        match self {
            FlowSource::ArchyYaml(text) => text.to_string(),
            FlowSource::Definition(definition) => switchboard_model::archy::export(definition),
        }
    }
}

/// A finished publish job: the flow it created or updated and the warnings Architect reported.
#[derive(Debug, Clone)]
pub struct PublishedFlow {
    pub job_id: String,
    pub flow: EntityRef,
    pub warnings: Vec<ArchitectJobMessage>,
}

impl<P: Platform + ?Sized> Flows<'_, P> {
    /// Publishes a flow through an Architect job and waits for it; `progress` sees each new job
    /// status (`Registered`, `Started`, ...).
    pub async fn publish(self, source: FlowSource<'_>, wait: OperationWait, mut progress: impl FnMut(&str)) -> Result<PublishedFlow> {
        let body = RegisterArchitectJobRequest::default();
        let registered: RegisterArchitectJobResponse =
            fetch(self.platform, ApiRequest::post("/api/v2/flows/jobs").about("architect job", None).json(&body)?).await?;
        progress(job_status::REGISTERED);
        let mut upload = ApiRequest::presigned(Method::PUT, registered.presigned_url.clone())
            .about("architect job upload", Some(&registered.id))
            .raw("application/octet-stream", source.yaml().into_bytes());
        for (name, value) in &registered.headers {
            upload = upload.header(name.clone(), value.clone());
        }
        self.platform.execute(upload).await?;
        let state = self.poll_job(&registered.id, wait, &mut progress).await?;
        let failed = state.status == job_status::FAILURE;
        match state.flow {
            Some(flow) if !failed => Ok(PublishedFlow { job_id: state.id, flow, warnings: warnings(state.messages) }),
            _ => Err(PlatformError::FlowJobFailed { job: state.id, messages: texts(&state.messages) }),
        }
    }

    async fn poll_job(self, job_id: &str, wait: OperationWait, progress: &mut impl FnMut(&str)) -> Result<ArchitectJobStateResponse> {
        let give_up = Instant::now() + wait.give_up_after;
        let path = format!("/api/v2/flows/jobs/{}", segment(job_id));
        let mut last_status = job_status::REGISTERED.to_string();
        loop {
            let state: ArchitectJobStateResponse = fetch(self.platform, ApiRequest::get(path.clone()).query("expand", "messages").about("architect job", Some(job_id))).await?;
            if state.status != last_status {
                progress(&state.status);
                last_status.clone_from(&state.status);
            }
            if state.status == job_status::SUCCESS || state.status == job_status::FAILURE {
                return Ok(state);
            }
            if Instant::now() + wait.poll_every > give_up {
                return Err(PlatformError::Timeout { after: wait.give_up_after });
            }
            tokio::time::sleep(wait.poll_every).await;
        }
    }

    /// Exports a flow (its latest version, or `version`) as Archy YAML through an export job.
    pub async fn export(self, flow_id: &str, version: Option<&str>, wait: OperationWait) -> Result<String> {
        let body = RegisterArchitectExportJob {
            flows: vec![ExportDetails {
                flow: ArchitectFlowReference { id: flow_id.to_string(), version: version.map(str::to_string), ..Default::default() },
                file_name: None,
                export_type: Some("Yaml".to_string()),
            }],
        };
        let request = ApiRequest::post("/api/v2/flows/export/jobs").about("architect export job", Some(flow_id)).json(&body)?;
        let registered: RegisterArchitectExportJobResponse = fetch(self.platform, request).await?;
        let path = format!("/api/v2/flows/export/jobs/{}", segment(&registered.id));
        let give_up = Instant::now() + wait.give_up_after;
        let download_url = loop {
            let state: ArchitectExportJobStateResponse =
                fetch(self.platform, ApiRequest::get(path.clone()).about("architect export job", Some(&registered.id))).await?;
            if state.status == job_status::FAILURE {
                return Err(PlatformError::FlowJobFailed { job: state.id, messages: texts(&state.messages) });
            }
            if let Some(url) = state.download_url.filter(|_| state.status == job_status::SUCCESS) {
                break url;
            }
            if Instant::now() + wait.poll_every > give_up {
                return Err(PlatformError::Timeout { after: wait.give_up_after });
            }
            tokio::time::sleep(wait.poll_every).await;
        };
        let download = ApiRequest::presigned(Method::GET, download_url).about("architect export download", Some(&registered.id));
        let response = self.platform.execute(download).await?;
        String::from_utf8(response.body)
            .map_err(|error| PlatformError::Decode { what: "exported flow YAML".to_string(), message: error.to_string() })
    }
}

fn warnings(messages: Vec<ArchitectJobMessage>) -> Vec<ArchitectJobMessage> {
    messages.into_iter().filter(|message| message.message_type != message_type::ERROR).collect()
}

fn texts(messages: &[ArchitectJobMessage]) -> Vec<String> {
    if messages.is_empty() {
        return vec!["the job failed without messages".to_string()];
    }
    messages.iter().map(|message| format!("{}: {}", message.message_type, message.text)).collect()
}
