//! Thin handlers for Architect jobs: register, upload (presigned), poll; export and download;
//! a flow's latest configuration. The rules live in `book.rs`, `content.rs` and `publish.rs`.

use super::book::{Job, JobKind};
use super::content::{self, MAX_CONTENT_BYTES};
use super::publish::publish_definition;
use crate::error::ApiError;
use crate::notifications::NotificationHub;
use crate::routes::extract::{ApiJson, Params};
use crate::routes::flow_actions::client_ref;
use crate::routes::flows::find;
use crate::routes::org_access::read;
use crate::state::{AppState, Caller};
use crate::state::{ArchitectJobs, Directory, Settings};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use std::collections::BTreeMap;
use std::sync::Arc;
use switchboard_api::architect::{
    ArchitectExportJobStateResponse, ArchitectJobStateResponse, RegisterArchitectExportJob, RegisterArchitectExportJobResponse,
    RegisterArchitectJobResponse, job_command, job_status, message_type,
};
use switchboard_model::flow::FlowDefinition;

const UPLOAD_PATH: &str = "/uploads/architect-jobs";
const DOWNLOAD_PATH: &str = "/downloads/architect-jobs";
/// The query parameter that carries a presigned URL's signature, named as S3 names it.
const SIGNATURE: &str = "X-Amz-Signature";
/// The content type the upload must declare (the presigned URL was signed for it).
const UPLOAD_CONTENT_TYPE: &str = "application/octet-stream";

/// Under bearer auth, beside the other flow routes.
pub(crate) fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/api/v2/flows/jobs", post(register))
        .route("/api/v2/flows/jobs/{job}", get(job_state))
        .route("/api/v2/flows/export/jobs", post(register_export))
        .route("/api/v2/flows/export/jobs/{job}", get(export_state))
        .route("/api/v2/flows/{id}/latestconfiguration", get(latest_configuration))
}

/// The presigned URLs: no bearer token, the signature in the query is the credential (as with S3).
pub(crate) fn presigned_routes() -> Router<AppState> {
    Router::new()
        .route(&format!("{UPLOAD_PATH}/{{job}}"), put(upload).layer(DefaultBodyLimit::max(MAX_CONTENT_BYTES)))
        .route(&format!("{DOWNLOAD_PATH}/{{job}}"), get(download))
}

/// `http://<the host the caller used>`: presigned URLs point back at this emulator however it was reached.
fn base_url(headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|value| value.to_str().ok()).unwrap_or("127.0.0.1");
    format!("http://{host}")
}

fn new_signature() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

async fn register(State(directory): State<Directory>, State(jobs): State<ArchitectJobs>, caller: Caller, headers: HeaderMap) -> Result<Json<RegisterArchitectJobResponse>, ApiError> {
    let client = read(&directory, &caller, |org| Ok(client_ref(org, &caller)))?;
    let id = uuid::Uuid::new_v4().to_string();
    let signature = new_signature();
    let presigned_url = format!("{}{UPLOAD_PATH}/{id}?{SIGNATURE}={signature}", base_url(&headers));
    let job = Job {
        org_id: caller.org_id.clone(),
        signature,
        status: job_status::REGISTERED,
        messages: Vec::new(),
        flow: None,
        kind: JobKind::Publish { client },
    };
    jobs.lock().insert(id.clone(), job);
    let headers = BTreeMap::from([("Content-Type".to_string(), UPLOAD_CONTENT_TYPE.to_string())]);
    Ok(Json(RegisterArchitectJobResponse { self_uri: Some(format!("/api/v2/flows/jobs/{id}")), id, presigned_url, headers }))
}

/// As on the real platform, `messages` come only with `expand=messages`.
async fn job_state(
    State(jobs): State<ArchitectJobs>,
    caller: Caller,
    Path(id): Path<String>,
    params: Params,
) -> Result<Json<ArchitectJobStateResponse>, ApiError> {
    let expand_messages = params.0.iter().any(|(key, value)| key == "expand" && value.split(',').any(|field| field.trim() == "messages"));
    let book = jobs.lock();
    let job = book.get(&caller.org_id, &id).filter(|job| matches!(job.kind, JobKind::Publish { .. }));
    let job = job.ok_or_else(|| ApiError::not_found("architect job", &id))?;
    Ok(Json(ArchitectJobStateResponse {
        self_uri: Some(format!("/api/v2/flows/jobs/{id}")),
        id,
        flow: job.flow.clone(),
        status: job.status.to_string(),
        command: Some(job_command::PUBLISH.to_string()),
        messages: if expand_messages { job.messages.clone() } else { Vec::new() },
    }))
}

/// `PUT` of the flow's YAML to the presigned URL: starts the job, which finishes in the background.
async fn upload(
    State(directory): State<Directory>,
    State(hub): State<NotificationHub>,
    State(jobs): State<ArchitectJobs>,
    State(settings): State<Arc<Settings>>,
    Path(id): Path<String>,
    params: Params,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let signature = params.get(SIGNATURE).unwrap_or_default();
    let (org_id, client) = {
        let mut book = jobs.lock();
        let job = book.signed(&id, signature).ok_or_else(forbidden_signature)?;
        let (org_id, client) = match &job.kind {
            JobKind::Publish { client } => (job.org_id.clone(), client.clone()),
            JobKind::Export { .. } => return Err(forbidden_signature()),
        };
        if !book.start(&id) {
            return Err(ApiError::conflict(format!("architect job {id} already received its upload")));
        }
        (org_id, client)
    };
    let delay = settings.publish_delay;
    tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        run_publish(&directory, &hub, &jobs, &id, &org_id, &client, body).await;
    });
    Ok(StatusCode::OK)
}

fn forbidden_signature() -> ApiError {
    ApiError::forbidden("The request signature does not match this presigned URL")
}

/// Checks and publishes the uploaded flow, recording the outcome on the job. Parsing and
/// validation are the caller's work: they run on a blocking thread under no lock, against a
/// catalog of the org read beforehand, and only the publish itself takes the org's write lock
/// (so one large upload never stalls other requests, of this org or any other).
async fn run_publish(directory: &Directory, hub: &NotificationHub, jobs: &ArchitectJobs, job_id: &str, org_id: &str, client: &switchboard_api::EntityRef, body: Bytes) {
    let now = directory.now();
    let outcome = match directory.with_org(org_id, content::catalog) {
        None => Err(vec![content::message(message_type::ERROR, "the organization no longer exists", &now)]),
        Some(catalog) => {
            let stamp = now.clone();
            let checked = tokio::task::spawn_blocking(move || content::check(&body, "flow.yaml", &catalog, &stamp)).await;
            match checked {
                Ok(Ok(checked)) => publish_checked(directory, org_id, client, checked, &now),
                Ok(Err(messages)) => Err(messages),
                Err(_) => Err(vec![content::message(message_type::ERROR, "the flow could not be checked", &now)]),
            }
        }
    };
    let flow_id = outcome.as_ref().ok().map(|(flow, _)| flow.id.clone());
    jobs.lock().update(job_id, |job| match outcome {
        Ok((flow, warnings)) => {
            job.status = job_status::SUCCESS;
            job.flow = Some(flow);
            job.messages = bounded(warnings, &now);
        }
        Err(messages) => {
            job.status = job_status::FAILURE;
            job.messages = bounded(messages, &now);
        }
    });
    if let Some(flow_id) = flow_id {
        crate::notifications::events::flow_changed(directory, hub, org_id, &flow_id);
    }
}

type Published = Result<(switchboard_api::EntityRef, Vec<switchboard_api::architect::ArchitectJobMessage>), Vec<switchboard_api::architect::ArchitectJobMessage>>;

/// The publish itself, under the org's write lock: a name lookup and an insert.
fn publish_checked(directory: &Directory, org_id: &str, client: &switchboard_api::EntityRef, checked: content::Checked, now: &str) -> Published {
    let now_ms = directory.now_millis();
    let outcome = directory.with_org_mut(org_id, |org| {
        let flow = publish_definition(org, checked.definition, client, now_ms)
            .map_err(|error| vec![content::message(message_type::ERROR, error.message, now)])?;
        Ok::<_, Vec<_>>((flow, checked.warnings))
    });
    outcome.unwrap_or_else(|| Err(vec![content::message(message_type::ERROR, "the organization no longer exists", now)]))
}

/// A job keeps its first `limits::JOB_MESSAGES_MAX` messages (the ones that explain a failure)
/// and one more that counts the rest, so polling a job never answers an unbounded body.
fn bounded(mut messages: Vec<switchboard_api::architect::ArchitectJobMessage>, now: &str) -> Vec<switchboard_api::architect::ArchitectJobMessage> {
    let keep = crate::limits::JOB_MESSAGES_MAX - 1;
    if messages.len() > crate::limits::JOB_MESSAGES_MAX {
        let rest = messages.split_off(keep);
        let kind = if rest.iter().any(|message| message.message_type == message_type::ERROR) { message_type::ERROR } else { message_type::WARNING };
        messages.push(content::message(kind, format!("{} more messages not shown", rest.len()), now));
    }
    messages
}

async fn register_export(
    State(directory): State<Directory>,
    State(jobs): State<ArchitectJobs>,
    State(settings): State<Arc<Settings>>,
    caller: Caller,
    ApiJson(body): ApiJson<RegisterArchitectExportJob>,
) -> Result<Json<RegisterArchitectExportJobResponse>, ApiError> {
    let [details] = body.flows.as_slice() else {
        return Err(ApiError::invalid_value(format!(
            "flows: the emulator exports exactly one flow per job (got {})",
            body.flows.len()
        )));
    };
    if details.export_type.as_deref().is_some_and(|kind| !kind.eq_ignore_ascii_case("yaml")) {
        return Err(ApiError::invalid_value("flows[0].exportType: the emulator exports `Yaml` only"));
    }
    let (version_id, name) = read(&directory, &caller, |org| {
        let record = find(org, &details.flow.id)?;
        let stored = match &details.flow.version {
            Some(version) => org.version(&details.flow.id, version).ok_or_else(|| ApiError::not_found("flow version", version))?,
            None => record.versions.last().ok_or_else(|| ApiError::invalid_value(format!("flows[0].flow: flow {} has no version", record.flow.id)))?,
        };
        Ok((stored.version.id.clone(), record.flow.name.clone()))
    })?;
    let id = uuid::Uuid::new_v4().to_string();
    let file_name = details.file_name.clone().unwrap_or_else(|| format!("{name}.yaml"));
    let job = Job {
        org_id: caller.org_id.clone(),
        signature: new_signature(),
        status: job_status::STARTED,
        messages: Vec::new(),
        flow: None,
        kind: JobKind::Export { flow_id: details.flow.id.clone(), version_id, file_name },
    };
    jobs.lock().insert(id.clone(), job);
    let delay = settings.publish_delay;
    let job_id = id.clone();
    tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        jobs.lock().update(&job_id, |job| job.status = job_status::SUCCESS);
    });
    Ok(Json(RegisterArchitectExportJobResponse {
        self_uri: Some(format!("/api/v2/flows/export/jobs/{id}")),
        id,
        status: job_status::STARTED.to_string(),
        total_flows: Some(1),
    }))
}

async fn export_state(
    State(jobs): State<ArchitectJobs>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<ArchitectExportJobStateResponse>, ApiError> {
    let book = jobs.lock();
    let job = book.get(&caller.org_id, &id).filter(|job| matches!(job.kind, JobKind::Export { .. }));
    let job = job.ok_or_else(|| ApiError::not_found("architect export job", &id))?;
    let download_url = (job.status == job_status::SUCCESS).then(|| format!("{}{DOWNLOAD_PATH}/{id}?{SIGNATURE}={}", base_url(&headers), job.signature));
    Ok(Json(ArchitectExportJobStateResponse {
        self_uri: Some(format!("/api/v2/flows/export/jobs/{id}")),
        id,
        status: job.status.to_string(),
        command: Some(job_command::EXPORT.to_string()),
        download_url,
        messages: job.messages.clone(),
    }))
}

async fn download(State(directory): State<Directory>, State(jobs): State<ArchitectJobs>, Path(id): Path<String>, params: Params) -> Result<Response, ApiError> {
    let signature = params.get(SIGNATURE).unwrap_or_default();
    let (org_id, flow_id, version_id, file_name) = {
        let book = jobs.lock();
        let job = book.signed(&id, signature).ok_or_else(forbidden_signature)?;
        match &job.kind {
            JobKind::Export { flow_id, version_id, file_name } if job.status == job_status::SUCCESS => {
                (job.org_id.clone(), flow_id.clone(), version_id.clone(), file_name.clone())
            }
            _ => return Err(ApiError::not_found("export download", &id)),
        }
    };
    let yaml = directory
        .with_org(&org_id, |org| org.version(&flow_id, &version_id).map(|stored| switchboard_model::archy::export(&stored.definition)))
        .flatten()
        .ok_or_else(|| ApiError::not_found("flow version", &version_id))?;
    let disposition = format!("attachment; filename=\"{}\"", file_name.replace(['"', '\\', '\r', '\n'], "_"));
    Ok(([(header::CONTENT_TYPE, "application/x-yaml".to_string()), (header::CONTENT_DISPOSITION, disposition)], yaml).into_response())
}

/// The latest saved version's configuration. The real platform answers Architect's internal
/// document here; the emulator answers the flow in our format (documented in docs/emulator.md).
async fn latest_configuration(State(directory): State<Directory>, caller: Caller, Path(id): Path<String>) -> Result<Json<FlowDefinition>, ApiError> {
    read(&directory, &caller, |org| {
        let record = find(org, &id)?;
        let latest = record.versions.last().ok_or_else(|| ApiError::not_found("flow configuration", &id))?;
        Ok(Json(latest.definition.clone()))
    })
}
