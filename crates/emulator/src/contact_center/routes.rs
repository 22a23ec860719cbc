//! HTTP surface of the contact center: the conversations API (under bearer auth) and the
//! emulator's `/_emulator/traffic` and `/_emulator/calls` (loopback only, like the fault rules).

use super::call::{LiveCall, Phase, participant_id};
use super::driver::{CallError, CallRequest, place_call_on, placed_call};
use super::traffic::TrafficError;
use super::{ContactCenter, Runtime};
use crate::error::ApiError;
use crate::routes::extract::{ApiJson, Params};
use crate::state::{AppState, Caller};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use std::sync::Arc;
use switchboard_api::conversation::{CallConversation, Conversation, ParticipantAttributes};
use switchboard_api::traffic::{
    BlockVisitView, CallPathView, CallerInputView, DataActionAttemptView, PlaceCallRequest, PlacedCall, TerminalView, TrafficList,
    TrafficRequest, TrafficStream, TrafficUpdate,
};
use switchboard_simulation::runtime::{AttemptOutcome, CallPath, InputSource, TerminalOutcome};

/// `/api/v2/conversations/*`.
pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/api/v2/conversations/{id}", get(get_conversation))
        .route("/api/v2/conversations/calls/{id}", get(get_call_conversation))
        .route("/api/v2/conversations/calls/{id}/participants/{participant}/attributes", patch(patch_attributes))
}

/// `/_emulator/traffic` and `/_emulator/calls`.
pub fn control_routes() -> Router<AppState> {
    Router::new()
        .route("/_emulator/traffic", get(list_traffic).post(start_traffic).delete(stop_all_traffic))
        .route("/_emulator/traffic/{id}", get(get_traffic).put(update_traffic).patch(update_traffic).delete(stop_traffic))
        .route("/_emulator/calls", post(post_call))
        .route("/_emulator/calls/{id}", get(get_call))
}

fn live_call(center: &ContactCenter, caller: &Caller, id: &str) -> Result<Arc<LiveCall>, ApiError> {
    center
        .call(id)
        .filter(|call| call.lock().org_id == caller.org_id)
        .ok_or_else(|| ApiError::not_found("Conversation", id))
}

async fn get_conversation(State(center): State<Arc<ContactCenter>>, caller: Caller, Path(id): Path<String>) -> Result<Json<Conversation>, ApiError> {
    Ok(Json(live_call(&center, &caller, &id)?.conversation()))
}

async fn get_call_conversation(
    State(center): State<Arc<ContactCenter>>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<CallConversation>, ApiError> {
    Ok(Json(CallConversation::from(&live_call(&center, &caller, &id)?.conversation())))
}

async fn patch_attributes(
    State(runtime): State<Runtime>,
    caller: Caller,
    Path((id, participant)): Path<(String, String)>,
    ApiJson(body): ApiJson<ParticipantAttributes>,
) -> Result<(StatusCode, Json<ParticipantAttributes>), ApiError> {
    let call = live_call(&runtime.center, &caller, &id)?;
    let known = ["customer", "ivr", "acd", "agent"].iter().any(|purpose| participant_id(&id, purpose) == participant);
    if !known {
        return Err(ApiError::not_found("Participant", &participant));
    }
    let attributes = {
        let mut locked = call.lock();
        if locked.phase == Phase::Ended {
            return Err(ApiError::bad_request(format!("conversation {id} has ended; its attributes can no longer change")));
        }
        for (name, value) in &body.attributes {
            locked.attributes.insert(name.clone(), value.clone());
            locked.pending_attributes.push((name.clone(), value.clone()));
        }
        locked.attributes.clone()
    };
    super::events::conversation_changed(&runtime, &call);
    Ok((StatusCode::ACCEPTED, Json(ParticipantAttributes { attributes })))
}

fn traffic_error(error: TrafficError) -> ApiError {
    match error {
        TrafficError::UnknownStream(id) => ApiError::not_found("Traffic stream", &id),
        other => ApiError::bad_request(other.to_string()),
    }
}

async fn list_traffic(State(center): State<Arc<ContactCenter>>) -> Json<TrafficList> {
    Json(TrafficList { streams: center.traffic.list() })
}

async fn start_traffic(
    State(runtime): State<Runtime>,
    ApiJson(request): ApiJson<TrafficRequest>,
) -> Result<(StatusCode, Json<TrafficStream>), ApiError> {
    let stream = runtime.center.traffic.start(&runtime, request).map_err(traffic_error)?;
    Ok((StatusCode::CREATED, Json(stream)))
}

async fn get_traffic(State(center): State<Arc<ContactCenter>>, Path(id): Path<String>) -> Result<Json<TrafficStream>, ApiError> {
    let streams = center.traffic.list();
    streams.into_iter().find(|stream| stream.id == id).map(Json).ok_or_else(|| ApiError::not_found("Traffic stream", &id))
}

async fn update_traffic(
    State(center): State<Arc<ContactCenter>>,
    Path(id): Path<String>,
    ApiJson(update): ApiJson<TrafficUpdate>,
) -> Result<Json<TrafficStream>, ApiError> {
    center.traffic.update(&id, update).map(Json).map_err(traffic_error)
}

async fn stop_traffic(State(center): State<Arc<ContactCenter>>, Path(id): Path<String>) -> Result<Json<TrafficStream>, ApiError> {
    center.traffic.stop(&id).map(Json).map_err(traffic_error)
}

async fn stop_all_traffic(State(center): State<Arc<ContactCenter>>) -> StatusCode {
    center.traffic.stop_all();
    StatusCode::NO_CONTENT
}

/// Places one call; waits (up to `timeoutMs`, default 30 s) for its flow part, or for its end
/// with `waitForEnd`, unless `noWait`.
async fn post_call(
    State(runtime): State<Runtime>,
    ApiJson(request): ApiJson<PlaceCallRequest>,
) -> Result<(StatusCode, Json<PlacedCall>), ApiError> {
    // Checked before the call is placed, so a bad wait places nothing.
    let limit = crate::limits::wait(request.timeout_ms, 30_000)?;
    let call = place_call_on(
        &runtime,
        CallRequest {
            org: request.org.clone(),
            did: request.did.clone(),
            ani: request.ani.clone(),
            attributes: request.attributes.clone(),
            speed_up: request.speed_up.unwrap_or(1.0),
            dtmf: request.dtmf.clone(),
        },
        request.flow.as_deref(),
    )
    .map_err(|error| match error {
        CallError::UnknownOrg(_) => ApiError::not_found("Org", &request.org),
        CallError::UnknownFlow(reference) => ApiError::not_found("Flow", &reference),
        CallError::TooManyCalls(_) => ApiError::new(StatusCode::TOO_MANY_REQUESTS, switchboard_api::error::codes::TOO_MANY_REQUESTS, error.to_string()).with_retry_after(Some(1)),
        other => ApiError::bad_request(other.to_string()),
    })?;
    if !request.no_wait {
        let phase = if request.wait_for_end { Phase::Ended } else { Phase::Queued };
        let _ = tokio::time::timeout(limit, call.reached(phase)).await;
    }
    Ok((StatusCode::CREATED, Json(placed_call(&call))))
}

/// `?wait=flow` or `?wait=end` waits (up to `timeoutMs`, default 30 s) for that point first.
async fn get_call(
    State(center): State<Arc<ContactCenter>>,
    Path(id): Path<String>,
    params: Params,
) -> Result<Json<PlacedCall>, ApiError> {
    let call = center.call(&id).ok_or_else(|| ApiError::not_found("Call", &id))?;
    let phase = match params.get("wait") {
        None => None,
        Some("flow") => Some(Phase::Queued),
        Some("end") => Some(Phase::Ended),
        Some(other) => return Err(ApiError::invalid_value(format!("wait: expected flow or end, got `{other}`"))),
    };
    if let Some(phase) = phase {
        let limit = match params.get("timeoutMs") {
            None => None,
            Some(text) => Some(text.parse().map_err(|_| ApiError::invalid_value(format!("timeoutMs: expected milliseconds, got `{text}`")))?),
        };
        let _ = tokio::time::timeout(crate::limits::wait(limit, 30_000)?, call.reached(phase)).await;
    }
    Ok(Json(placed_call(&call)))
}

/// The runtime's path in wire form.
pub fn path_view(path: &CallPath) -> CallPathView {
    CallPathView {
        visits: path
            .visits
            .iter()
            .map(|visit| BlockVisitView {
                flow_id: visit.flow_id.to_string(),
                flow_version: visit.flow_version.to_string(),
                block: visit.block.to_string(),
            })
            .collect(),
        data_actions: path
            .data_actions
            .iter()
            .map(|attempt| {
                let (outcome, status) = match &attempt.outcome {
                    AttemptOutcome::Success => ("success", None),
                    AttemptOutcome::Failure { status } => ("failure", *status),
                    AttemptOutcome::Timeout => ("timeout", None),
                };
                DataActionAttemptView {
                    block: attempt.block.to_string(),
                    integration: attempt.integration.to_string(),
                    attempt: attempt.attempt,
                    outcome: outcome.to_string(),
                    status,
                    latency_ms: attempt.latency_ms,
                    started_at_ms: attempt.started_at_ms,
                    backoff_ms: attempt.backoff_ms,
                }
            })
            .collect(),
        inputs: path
            .inputs
            .iter()
            .map(|input| CallerInputView {
                flow_id: input.flow_id.to_string(),
                block: input.block.to_string(),
                input: input.input.clone(),
                source: match input.source {
                    InputSource::Script => "script",
                    InputSource::Scenario => "scenario",
                    InputSource::Random => "random",
                }
                .to_string(),
            })
            .collect(),
        terminal: path.terminal.as_ref().map(|terminal| {
            let (kind, queue, reason, voicemail) = match &terminal.outcome {
                TerminalOutcome::Queue { queue, .. } => ("queue", Some(queue.clone()), None, None),
                TerminalOutcome::Disconnect { reason } => ("disconnect", None, Some(reason.to_string()), None),
                TerminalOutcome::Voicemail { target } => ("voicemail", None, None, Some(target.clone())),
            };
            TerminalView {
                flow_id: terminal.flow_id.to_string(),
                flow_version: terminal.flow_version.to_string(),
                block: terminal.block.to_string(),
                kind: kind.to_string(),
                queue,
                voicemail,
                reason,
                detail: terminal.detail.clone(),
            }
        }),
    }
}
