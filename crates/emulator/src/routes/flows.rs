//! Architect flows (`/api/v2/flows`): CRUD, listing by name and type, and versions whose
//! configuration is our `FlowDefinition`. Flows are guarded by locks, not versions: writing a
//! version needs the caller to hold the lock (`flow_actions.rs` takes and releases it).

use super::flow_actions;
use crate::domain::{flow_locks, flows};
use crate::error::ApiError;
use crate::routes::extract::{ApiJson, Params};
use crate::routes::org_access::{read, write};
use crate::routes::paging::paginate;
use crate::state::{AppState, Caller, Directory, FlowRecord, OrgStore, StoredFlowVersion};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use switchboard_api::flow::{Flow, FlowVersion};
use switchboard_api::paging::EntityListing;
use switchboard_model::flow::FlowDefinition;

pub fn routes(strict: bool) -> Router<AppState> {
    // Saving our own `FlowDefinition` as a version is an emulator extension: the real platform takes
    // Architect's internal document there. Flow content goes through Architect jobs (`crate::architect`).
    let versions_route = if strict { get(versions) } else { get(versions).post(save_version) };
    Router::new()
        .route("/api/v2/flows", get(list).post(create))
        .route("/api/v2/flows/{id}", get(fetch).put(update).delete(remove))
        .route("/api/v2/flows/{id}/versions", versions_route)
        .route("/api/v2/flows/{id}/versions/{version}", get(version))
        .route("/api/v2/flows/{id}/versions/{version}/configuration", get(configuration))
        .route("/api/v2/flows/actions/{action}", post(flow_actions::act))
        .merge(flow_actions::seed_routes(strict))
}

pub fn find<'a>(org: &'a OrgStore, id: &str) -> Result<&'a FlowRecord, ApiError> {
    Ok(flow_locks::find(org, id)?)
}

async fn list(State(directory): State<Directory>, caller: Caller, params: Params) -> Result<Json<EntityListing<Flow>>, ApiError> {
    let types: Vec<String> = params
        .0
        .iter()
        .filter(|(key, _)| key == "type")
        .flat_map(|(_, value)| value.split(',').map(|kind| kind.trim().to_ascii_uppercase()))
        .collect();
    read(&directory, &caller, |org| {
        let mut flows: Vec<Flow> = org
            .flows
            .values()
            .map(|record| &record.flow)
            .filter(|flow| !flow.deleted && params.name_matches(&flow.name))
            .filter(|flow| types.is_empty() || types.contains(&flow.flow_type.to_ascii_uppercase()))
            .cloned()
            .collect();
        flows.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(Json(paginate(flows, &params, "/api/v2/flows")?))
    })
}

async fn fetch(State(directory): State<Directory>, caller: Caller, Path(id): Path<String>) -> Result<Json<Flow>, ApiError> {
    read(&directory, &caller, |org| Ok(Json(find(org, &id)?.flow.clone())))
}

/// Creates a flow (`domain::flows::create`: the creator holds its lock).
async fn create(State(directory): State<Directory>, caller: Caller, ApiJson(body): ApiJson<Flow>) -> Result<Json<Flow>, ApiError> {
    write(&directory, &caller, |org| {
        let creator = flow_actions::client_ref(org, &caller);
        Ok(Json(flows::create(org, &body.name, &body.flow_type, body.description.clone(), body.division.clone(), creator)?))
    })
}

async fn update(
    State(directory): State<Directory>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Flow>,
) -> Result<Json<Flow>, ApiError> {
    write(&directory, &caller, |org| {
        let holder = flow_actions::client_ref(org, &caller);
        Ok(Json(flows::rename(org, &id, &holder, body.name, body.description)?))
    })
}

async fn remove(State(directory): State<Directory>, caller: Caller, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    write(&directory, &caller, |org| {
        let holder = flow_actions::client_ref(org, &caller);
        flows::delete(org, &id, &holder)?;
        Ok(StatusCode::NO_CONTENT)
    })
}

async fn versions(
    State(directory): State<Directory>,
    caller: Caller,
    Path(id): Path<String>,
    params: Params,
) -> Result<Json<EntityListing<FlowVersion>>, ApiError> {
    read(&directory, &caller, |org| {
        let mut versions: Vec<FlowVersion> = find(org, &id)?.versions.iter().map(|stored| stored.version.clone()).collect();
        versions.reverse();
        Ok(Json(paginate(versions, &params, &format!("/api/v2/flows/{id}/versions"))?))
    })
}

fn stored<'a>(org: &'a OrgStore, id: &str, version: &str) -> Result<&'a StoredFlowVersion, ApiError> {
    find(org, id)?;
    org.version(id, version).ok_or_else(|| ApiError::not_found("flow version", version))
}

async fn version(
    State(directory): State<Directory>,
    caller: Caller,
    Path((id, version)): Path<(String, String)>,
) -> Result<Json<FlowVersion>, ApiError> {
    read(&directory, &caller, |org| Ok(Json(stored(org, &id, &version)?.version.clone())))
}

async fn configuration(
    State(directory): State<Directory>,
    caller: Caller,
    Path((id, version)): Path<(String, String)>,
) -> Result<Json<FlowDefinition>, ApiError> {
    read(&directory, &caller, |org| Ok(Json(stored(org, &id, &version)?.definition.clone())))
}

/// Saves a definition as the flow's new saved version (`domain::flows::save_version`).
async fn save_version(
    State(directory): State<Directory>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(definition): ApiJson<FlowDefinition>,
) -> Result<Json<FlowVersion>, ApiError> {
    crate::flow_body::check_blocks(&definition)?;
    write(&directory, &caller, |org| {
        let holder = flow_actions::client_ref(org, &caller);
        Ok(Json(flows::save_version(org, &id, holder, definition, directory.now_millis())?))
    })
}
