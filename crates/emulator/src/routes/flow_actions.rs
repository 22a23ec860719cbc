//! `POST /api/v2/flows/actions/{checkout,checkin,publish,revert,unlock,deactivate}?flow=ID` and
//! the seeds' `PATCH /api/v2/flow/{id}/lock` and `POST /api/v2/flow/{id}/validate`. The lock
//! rules and the actions live in `domain::flow_locks`; publish completes `publish_delay` later.

use super::extract::{ApiJson, Params};
use super::flows::find;
use super::org_access::write;
use crate::domain::flow_locks;
use crate::error::ApiError;
use crate::notifications::NotificationHub;
use crate::state::{AppState, Caller, Directory, OrgStore, Settings};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{patch, post};
use axum::{Json, Router};
use std::sync::Arc;
use switchboard_api::EntityRef;
use switchboard_api::flow::{Flow, FlowValidation, SeedLockRequest};

pub fn seed_routes(strict: bool) -> Router<AppState> {
    if strict {
        return Router::new();
    }
    Router::new().route("/api/v2/flow/{id}/lock", patch(seed_lock)).route("/api/v2/flow/{id}/validate", post(validate))
}

/// The caller as a lock holder.
pub fn client_ref(org: &OrgStore, caller: &Caller) -> EntityRef {
    flow_locks::holder(org, &caller.client_id)
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
    let (response, publish) = write(&directory, &caller, |org| {
        let holder = client_ref(org, &caller);
        let flow = |flow: Flow| (Json(flow).into_response(), None);
        Ok(match action.as_str() {
            "checkout" => flow(flow_locks::checkout(org, &id, holder)?),
            "checkin" => (Json(flow_locks::check_in(org, &id, &holder, now_ms)?).into_response(), None),
            "publish" => {
                let (pending, version_id) = flow_locks::publish(org, &id, &holder, now_ms)?;
                (Json(pending.clone()).into_response(), Some((pending.id, version_id)))
            }
            "revert" => flow(flow_locks::revert(org, &id, &holder)?),
            "unlock" => flow(flow_locks::force_unlock(org, &id)?),
            "deactivate" => flow(flow_locks::deactivate(org, &id, &holder)?),
            other => {
                return Err(ApiError::new(
                    axum::http::StatusCode::NOT_FOUND,
                    switchboard_api::error::codes::NOT_FOUND,
                    format!("unknown flow action `{other}`"),
                ));
            }
        })
    })?;
    crate::notifications::events::flow_changed(&directory, &hub, &org_id, &id);
    if let Some((operation_id, version_id)) = publish {
        let delay = settings.publish_delay;
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            directory.with_org_mut(&org_id, |org| flow_locks::complete_publish(org, &id, &operation_id, &version_id));
            crate::notifications::events::flow_changed(&directory, &hub, &org_id, &id);
        });
    }
    Ok(response)
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
        Ok(Json(flow_locks::seed_lock(org, &id, holder, body.owner.is_some(), &body.action)?))
    })
}

/// Seed 001: checks the latest saved definition's graph with the model's graph rules.
async fn validate(State(directory): State<Directory>, caller: Caller, Path(id): Path<String>) -> Result<Json<FlowValidation>, ApiError> {
    super::org_access::read(&directory, &caller, |org| {
        let record = find(org, &id)?;
        let Some(latest) = record.versions.last() else {
            return Ok(Json(FlowValidation { valid: false, version: None, errors: vec!["flow has no saved version".into()] }));
        };
        let errors = graph_errors(&latest.definition);
        Ok(Json(FlowValidation { valid: errors.is_empty(), version: Some(latest.version.id.clone()), errors }))
    })
}

/// The model's graph rules' errors (`model::validate::validate_graph`), as text.
pub(super) fn graph_errors(definition: &switchboard_model::flow::FlowDefinition) -> Vec<String> {
    switchboard_model::validate::validate_graph(definition)
        .into_iter()
        .filter(|diagnostic| diagnostic.severity == switchboard_model::validate::Severity::Error)
        .map(|diagnostic| diagnostic.to_string())
        .collect()
}
