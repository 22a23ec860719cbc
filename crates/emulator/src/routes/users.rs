//! Users (versioned: PATCH with a stale `version` → 409), presence
//! (`/api/v2/users/{id}/presences/{sourceId}`), routing status and queue memberships.
//! Presence and routing status move together as on the real platform: `On Queue` ⇔ not `OFF_QUEUE`.

use crate::domain::presence::{presence_definition, resolve_presence, set_presence, set_routing_status};
use crate::domain::users;
use crate::error::ApiError;
use crate::notifications::NotificationHub;
use crate::routes::extract::{ApiJson, Params};
use crate::routes::org_access::{read, write};
use crate::routes::paging::paginate;
use crate::state::{AppState, Caller, Directory, OrgStore};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use switchboard_api::EntityRef;
use switchboard_api::paging::EntityListing;
use switchboard_api::user::{PresenceDefinition, RoutingStatus, SYSTEM_PRESENCES, UpdateUser, User, UserPresence, routing_status};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v2/users", get(list).post(create))
        .route("/api/v2/users/{id}", get(fetch).patch(update).delete(remove))
        .route("/api/v2/users/{id}/presences/{source}", get(presence).patch(change_presence).put(change_presence))
        .route("/api/v2/users/{id}/routingstatus", get(status).put(change_status))
        .route("/api/v2/users/{id}/queues", get(user_queues))
        .route("/api/v2/presencedefinitions", get(definitions))
}

fn find<'a>(org: &'a OrgStore, id: &str) -> Result<&'a User, ApiError> {
    Ok(users::find(org, id)?)
}

/// `?id=a&id=b` (or `id=a,b`): the real API's bulk read of users by id; empty = no filter.
fn requested_ids(params: &Params) -> std::collections::HashSet<&str> {
    params.0.iter().filter(|(key, _)| key == "id").flat_map(|(_, value)| value.split(',')).map(str::trim).filter(|id| !id.is_empty()).collect()
}

async fn list(State(directory): State<Directory>, caller: Caller, params: Params) -> Result<Json<EntityListing<User>>, ApiError> {
    let ids = requested_ids(&params);
    read(&directory, &caller, |org| {
        let mut users: Vec<User> = org
            .users
            .values()
            .filter(|user| user.state.as_deref() != Some("deleted") && params.name_matches(&user.name))
            .filter(|user| ids.is_empty() || ids.contains(user.id.as_str()))
            .cloned()
            .collect();
        users.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(Json(paginate(users, &params, "/api/v2/users")?))
    })
}

async fn fetch(State(directory): State<Directory>, caller: Caller, Path(id): Path<String>) -> Result<Json<User>, ApiError> {
    read(&directory, &caller, |org| Ok(Json(find(org, &id)?.clone())))
}

async fn create(State(directory): State<Directory>, caller: Caller, ApiJson(body): ApiJson<User>) -> Result<Json<User>, ApiError> {
    write(&directory, &caller, |org| Ok(Json(users::create(org, body, &directory.now())?)))
}

async fn update(
    State(directory): State<Directory>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<UpdateUser>,
) -> Result<Json<User>, ApiError> {
    write(&directory, &caller, |org| Ok(Json(users::update(org, &id, body)?)))
}

async fn remove(State(directory): State<Directory>, caller: Caller, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    write(&directory, &caller, |org| {
        users::delete(org, &id)?;
        Ok(StatusCode::OK)
    })
}

async fn presence(State(directory): State<Directory>, caller: Caller, Path((id, _source)): Path<(String, String)>) -> Result<Json<UserPresence>, ApiError> {
    read(&directory, &caller, |org| {
        find(org, &id)?.presence.clone().map(Json).ok_or_else(|| ApiError::not_found("presence of user", &id))
    })
}

async fn change_presence(
    State(directory): State<Directory>,
    State(hub): State<NotificationHub>,
    caller: Caller,
    Path((id, _source)): Path<(String, String)>,
    ApiJson(body): ApiJson<UserPresence>,
) -> Result<Json<UserPresence>, ApiError> {
    let name = resolve_presence(&body.presence_definition)
        .ok_or_else(|| ApiError::invalid_value(format!("presenceDefinition: `{}` is not a presence definition", body.presence_definition.id)))?;
    let before = crate::notifications::events::user_snapshot(&directory, &caller.org_id, &id);
    let changed = write(&directory, &caller, |org| {
        find(org, &id)?;
        set_presence(org, &id, name, &directory.now());
        find(org, &id)?.presence.clone().map(Json).ok_or_else(|| ApiError::internal("presence was not stored"))
    })?;
    crate::notifications::events::user_changed(&directory, &hub, &caller.org_id, &id, &before);
    Ok(changed)
}

async fn status(State(directory): State<Directory>, caller: Caller, Path(id): Path<String>) -> Result<Json<RoutingStatus>, ApiError> {
    read(&directory, &caller, |org| {
        find(org, &id)?.routing_status.clone().map(Json).ok_or_else(|| ApiError::not_found("routing status of user", &id))
    })
}

async fn change_status(
    State(directory): State<Directory>,
    State(hub): State<NotificationHub>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RoutingStatus>,
) -> Result<Json<RoutingStatus>, ApiError> {
    if !routing_status::ALL.contains(&body.status.as_str()) {
        return Err(ApiError::invalid_value(format!("status: `{}` is not one of {:?}", body.status, routing_status::ALL)));
    }
    let before = crate::notifications::events::user_snapshot(&directory, &caller.org_id, &id);
    let changed = write(&directory, &caller, |org| {
        find(org, &id)?;
        set_routing_status(org, &id, &body.status, &directory.now()).map(Json).ok_or_else(|| ApiError::not_found("user", &id))
    })?;
    crate::notifications::events::user_changed(&directory, &hub, &caller.org_id, &id, &before);
    Ok(changed)
}

async fn user_queues(
    State(directory): State<Directory>,
    caller: Caller,
    Path(id): Path<String>,
    params: Params,
) -> Result<Json<EntityListing<EntityRef>>, ApiError> {
    read(&directory, &caller, |org| {
        find(org, &id)?;
        let queues: Vec<EntityRef> = org
            .queue_members
            .iter()
            .filter(|(_, members)| members.contains_key(&id))
            .filter_map(|(queue_id, _)| org.queues.get(queue_id))
            .map(|queue| EntityRef::new(queue.id.clone(), queue.name.clone(), format!("/api/v2/routing/queues/{}", queue.id)))
            .collect();
        Ok(Json(paginate(queues, &params, &format!("/api/v2/users/{id}/queues"))?))
    })
}

async fn definitions(params: Params) -> Result<Json<EntityListing<PresenceDefinition>>, ApiError> {
    let definitions = SYSTEM_PRESENCES.into_iter().map(presence_definition).collect();
    Ok(Json(paginate(definitions, &params, "/api/v2/presencedefinitions")?))
}
