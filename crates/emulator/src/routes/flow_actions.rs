//! `POST /api/v2/flows/actions/{checkout,checkin,publish,revert,unlock,deactivate}?flow=ID` and
//! the seeds' `PATCH /api/v2/flow/{id}/lock` and `POST /api/v2/flow/{id}/validate`.
//!
//! Locks: a flow is held by an OAuth client (`lockedClient`) or, through the seeds' lock
//! endpoint, by a named owner (`lockedUser`). Publish answers with an `Operation` that is
//! pending and completes `publish_delay` later, as the real platform's asynchronous publish.

use super::flows::{find, find_mut};
use super::extract::{ApiJson, Params};
use super::org_access::write;
use crate::error::ApiError;
use crate::state::{AppState, Caller, Directory, OrgStore, Settings, StoredFlowVersion};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{patch, post};
use axum::{Json, Router};
use serde_json::json;
use switchboard_api::EntityRef;
use switchboard_api::flow::{Flow, Operation, SeedLockRequest, action_status};
use crate::notifications::NotificationHub;
use std::sync::Arc;

pub fn seed_routes(strict: bool) -> Router<AppState> {
    if strict {
        return Router::new();
    }
    Router::new().route("/api/v2/flow/{id}/lock", patch(seed_lock)).route("/api/v2/flow/{id}/validate", post(validate))
}

/// The caller as a lock holder.
pub fn client_ref(org: &OrgStore, caller: &Caller) -> EntityRef {
    let name = crate::domain::oauth_clients::name_of(org, &caller.client_id);
    EntityRef::new(caller.client_id.clone(), name, format!("/api/v2/oauth/clients/{}", caller.client_id))
}

fn holds(flow: &Flow, holder: &EntityRef) -> bool {
    flow.locked_user.is_none() && flow.locked_client.as_ref().is_some_and(|client| client.id == holder.id)
}

fn is_locked(flow: &Flow) -> bool {
    flow.locked_user.is_some() || flow.locked_client.is_some()
}

pub fn locked_by_other(flow: &Flow, holder: &EntityRef) -> bool {
    is_locked(flow) && !holds(flow, holder)
}

pub fn locked_error(flow: &Flow) -> ApiError {
    let owner = flow
        .locked_user
        .as_ref()
        .or(flow.locked_client.as_ref())
        .map(|owner| owner.name.clone().unwrap_or_else(|| owner.id.clone()))
        .unwrap_or_default();
    ApiError::conflict(format!("Flow {} is locked by {owner}", flow.id))
}

pub fn require_lock_holder(flow: &Flow, holder: &EntityRef) -> Result<(), ApiError> {
    if holds(flow, holder) {
        return Ok(());
    }
    if is_locked(flow) {
        return Err(locked_error(flow));
    }
    Err(ApiError::conflict(format!("Flow {} must be checked out (locked) by the caller first", flow.id)))
}

fn unlock(flow: &mut Flow) {
    flow.locked_client = None;
    flow.locked_user = None;
}

fn operation(org: &mut OrgStore, action: &str, status: &str, complete: bool, holder: &EntityRef) -> Operation {
    Operation {
        id: org.next_id("operation"),
        complete,
        client: Some(holder.clone()),
        action_name: action.to_string(),
        action_status: status.to_string(),
        ..Operation::default()
    }
}

/// Makes the saved version the checked-in one and releases the lock.
fn check_in(org: &mut OrgStore, id: &str, holder: &EntityRef, now_ms: i64) -> Result<Operation, ApiError> {
    let record = find_mut(org, id)?;
    require_lock_holder(&record.flow, holder)?;
    if let Some(saved) = record.flow.saved_version.clone() {
        let mut checked_in = saved;
        checked_in.date_checked_in = Some(now_ms);
        checked_in.version_type = Some("CHECKIN".to_string());
        if let Some(stored) = record.versions.iter_mut().find(|stored| stored.version.id == checked_in.id) {
            stored.version = checked_in.clone();
        }
        record.flow.checked_in_version = Some(checked_in.clone());
        record.flow.saved_version = Some(checked_in);
    }
    unlock(&mut record.flow);
    let done = operation(org, "CHECKIN", action_status::SUCCESS, true, holder);
    if let Some(record) = org.flows.get_mut(id) {
        record.flow.current_operation = Some(done.clone());
    }
    Ok(done)
}

pub async fn act(
    State(directory): State<Directory>,
    State(hub): State<NotificationHub>,
    State(settings): State<Arc<Settings>>,
    caller: Caller,
    Path(action): Path<String>,
    params: Params,
) -> Result<Response, ApiError> {
    let id = params.get("flow").ok_or_else(|| ApiError::bad_request("query parameter `flow` is required"))?.to_string();
    let org_id = caller.org_id.clone();
    let now_ms = directory.now_millis();
    let result = write(&directory, &caller, |org| {
        let holder = client_ref(org, &caller);
        match action.as_str() {
            "checkout" => {
                let record = find_mut(org, &id)?;
                if locked_by_other(&record.flow, &holder) {
                    return Err(locked_error(&record.flow));
                }
                record.flow.locked_client = Some(holder);
                Ok((Json(record.flow.clone()).into_response(), None))
            }
            "checkin" => Ok((Json(check_in(org, &id, &holder, now_ms)?).into_response(), None)),
            "publish" => {
                let flow = &find(org, &id)?.flow;
                if locked_by_other(flow, &holder) {
                    return Err(locked_error(flow));
                }
                if holds(flow, &holder) {
                    check_in(org, &id, &holder, now_ms)?;
                }
                let checked_in = find(org, &id)?.flow.checked_in_version.clone();
                let checked_in = checked_in.ok_or_else(|| ApiError::bad_request(format!("Flow {id} has no checked-in version to publish")))?;
                let pending = operation(org, "PUBLISH", action_status::PENDING, false, &holder);
                find_mut(org, &id)?.flow.current_operation = Some(pending.clone());
                Ok((Json(pending.clone()).into_response(), Some((pending.id, checked_in.id))))
            }
            "revert" => {
                let record = find_mut(org, &id)?;
                if locked_by_other(&record.flow, &holder) {
                    return Err(locked_error(&record.flow));
                }
                record.flow.saved_version = record.flow.checked_in_version.clone();
                unlock(&mut record.flow);
                Ok((Json(record.flow.clone()).into_response(), None))
            }
            "unlock" => {
                let record = find_mut(org, &id)?;
                unlock(&mut record.flow);
                Ok((Json(record.flow.clone()).into_response(), None))
            }
            "deactivate" => {
                let record = find_mut(org, &id)?;
                if locked_by_other(&record.flow, &holder) {
                    return Err(locked_error(&record.flow));
                }
                record.flow.active = false;
                Ok((Json(record.flow.clone()).into_response(), None))
            }
            other => Err(ApiError::new(
                axum::http::StatusCode::NOT_FOUND,
                switchboard_api::error::codes::NOT_FOUND,
                format!("unknown flow action `{other}`"),
            )),
        }
    })?;
    let (response, publish) = result;
    crate::notifications::events::flow_changed(&directory, &hub, &org_id, &id);
    if let Some((operation_id, version_id)) = publish {
        let delay = settings.publish_delay;
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            directory.with_org_mut(&org_id, |org| complete_publish(org, &id, &operation_id, &version_id));
            crate::notifications::events::flow_changed(&directory, &hub, &org_id, &id);
        });
    }
    Ok(response)
}

/// Finishes a pending publish: the version becomes the published one and the flow active.
fn complete_publish(org: &mut OrgStore, flow_id: &str, operation_id: &str, version_id: &str) {
    let Some(record) = org.flows.get_mut(flow_id) else { return };
    let pending = record.flow.current_operation.as_ref().is_some_and(|operation| operation.id == operation_id);
    if !pending {
        return;
    }
    let Some(stored) = record.versions.iter_mut().find(|stored| stored.version.id == version_id) else { return };
    stored.version.version_type = Some("PUBLISH".to_string());
    record.flow.published_version = Some(stored.version.clone());
    record.flow.active = true;
    if let Some(operation) = record.flow.current_operation.as_mut() {
        operation.complete = true;
        operation.action_status = action_status::SUCCESS.to_string();
    }
}

async fn seed_lock(
    State(directory): State<Directory>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<SeedLockRequest>,
) -> Result<Json<Flow>, ApiError> {
    write(&directory, &caller, |org| {
        let holder = match &body.owner {
            Some(owner) => EntityRef::new(owner.clone(), owner.clone(), format!("/api/v2/users/{owner}")),
            None => client_ref(org, &caller),
        };
        let by_owner = body.owner.is_some();
        let record = find_mut(org, &id)?;
        let flow = &mut record.flow;
        let held = if by_owner { flow.locked_user.as_ref().is_some_and(|user| user.id == holder.id) } else { holds(flow, &holder) };
        match body.action.as_str() {
            "acquire" if held => {}
            "acquire" if is_locked(flow) => return Err(locked_error(flow)),
            "acquire" if by_owner => flow.locked_user = Some(holder),
            "acquire" => flow.locked_client = Some(holder),
            "release" if held => unlock(flow),
            "release" if !is_locked(flow) => {}
            "release" => return Err(locked_error(flow)),
            other => return Err(ApiError::invalid_value(format!("action: `{other}` is not acquire or release"))),
        }
        Ok(Json(flow.clone()))
    })
}

/// Seed 001: checks the latest saved definition's graph (start and successors exist).
async fn validate(State(directory): State<Directory>, caller: Caller, Path(id): Path<String>) -> Result<Json<serde_json::Value>, ApiError> {
    super::org_access::read(&directory, &caller, |org| {
        let record = find(org, &id)?;
        let Some(latest) = record.versions.last() else {
            return Ok(Json(json!({"valid": false, "errors": ["flow has no saved version"]})));
        };
        Ok(Json(json!({"valid": graph_errors(latest).is_empty(), "version": latest.version.id, "errors": graph_errors(latest)})))
    })
}

fn graph_errors(stored: &StoredFlowVersion) -> Vec<String> {
    let definition = &stored.definition;
    let mut errors = Vec::new();
    if !definition.blocks.contains_key(&definition.start) {
        errors.push(format!("start block `{}` is not defined", definition.start));
    }
    for (name, block) in &definition.blocks {
        for next in block.successors() {
            if !definition.blocks.contains_key(next) {
                errors.push(format!("block `{name}`: successor `{next}` is not defined"));
            }
        }
    }
    errors
}
