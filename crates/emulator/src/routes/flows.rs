//! Architect flows (`/api/v2/flows`): CRUD, listing by name and type, and versions whose
//! configuration is our `FlowDefinition`. Flows are guarded by locks, not versions: writing a
//! version needs the caller to hold the lock (`flow_actions.rs` takes and releases it).

use super::flow_actions;
use crate::domain::flow_locks;
use crate::domain::flows::{make_version, new_flow};
use crate::domain::require_name;
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

pub fn find_mut<'a>(org: &'a mut OrgStore, id: &str) -> Result<&'a mut FlowRecord, ApiError> {
    Ok(flow_locks::find_mut(org, id)?)
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

/// Creates a flow; as on the real platform the new flow is locked by its creator.
async fn create(State(directory): State<Directory>, caller: Caller, ApiJson(body): ApiJson<Flow>) -> Result<Json<Flow>, ApiError> {
    require_name(&body.name)?;
    let flow_type = body.flow_type.to_ascii_uppercase();
    if flow_type.is_empty() {
        return Err(ApiError::invalid_value("type: required, e.g. INBOUNDCALL"));
    }
    write(&directory, &caller, |org| {
        let taken = org.flows.values().any(|record| {
            !record.flow.deleted && record.flow.flow_type == flow_type && crate::domain::same_name(&record.flow.name, &body.name)
        });
        if taken {
            return Err(ApiError::conflict(format!("A {flow_type} flow named `{}` already exists", body.name)));
        }
        let id = org.next_id("flow");
        let division = body.division.clone().unwrap_or_else(|| org.home_division());
        let mut flow = new_flow(&id, &body.name, &flow_type, body.description.clone(), division);
        flow.locked_client = Some(flow_actions::client_ref(org, &caller));
        org.flows.insert(id, FlowRecord { flow: flow.clone(), versions: Vec::new() });
        Ok(Json(flow))
    })
}

async fn update(
    State(directory): State<Directory>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Flow>,
) -> Result<Json<Flow>, ApiError> {
    require_name(&body.name)?;
    write(&directory, &caller, |org| {
        let holder = flow_actions::client_ref(org, &caller);
        let record = find_mut(org, &id)?;
        flow_locks::require_lock_holder(&record.flow, &holder)?;
        record.flow.name = body.name;
        record.flow.description = body.description;
        Ok(Json(record.flow.clone()))
    })
}

async fn remove(State(directory): State<Directory>, caller: Caller, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    write(&directory, &caller, |org| {
        let holder = flow_actions::client_ref(org, &caller);
        let record = find(org, &id)?;
        flow_locks::require_not_locked_by_other(&record.flow, &holder)?;
        org.flows.remove(&id);
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

/// Saves a definition as the flow's new saved version; the caller must hold the lock.
async fn save_version(
    State(directory): State<Directory>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(definition): ApiJson<FlowDefinition>,
) -> Result<Json<FlowVersion>, ApiError> {
    if !definition.blocks.contains_key(&definition.start) {
        return Err(ApiError::invalid_value(format!("start: block `{}` is not defined", definition.start)));
    }
    crate::flow_body::check_blocks(&definition)?;
    write(&directory, &caller, |org| {
        let holder = flow_actions::client_ref(org, &caller);
        let record = find_mut(org, &id)?;
        flow_locks::require_lock_holder(&record.flow, &holder)?;
        let version = make_version(&id, record.versions.len() + 1, "SAVE", Some(holder), directory.now_millis());
        record.versions.push(StoredFlowVersion { version: version.clone(), definition });
        record.flow.saved_version = Some(version.clone());
        Ok(Json(version))
    })
}
