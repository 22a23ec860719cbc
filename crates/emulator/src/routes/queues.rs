//! Routing queues (`/api/v2/routing/queues`): last-write-wins as on the real platform, plus
//! membership (`/members`). Member counts are computed, never stored.

use crate::domain::queues::{self as domain, render};
use crate::domain::require_name;
use crate::error::ApiError;
use crate::routes::extract::{ApiJson, Params};
use crate::routes::org_access::{read, write};
use crate::routes::paging::paginate;
use crate::state::{AppState, Caller, Directory, OrgStore};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Json, Router};
use switchboard_api::EntityRef;
use switchboard_api::paging::EntityListing;
use switchboard_api::queue::{Queue, QueueMember, QueueMemberListing, QueueMemberPatch, WritableEntity};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v2/routing/queues", get(list).post(create))
        .route("/api/v2/routing/queues/{id}", get(fetch).put(update).delete(remove))
        .route("/api/v2/routing/queues/{id}/members", get(members).post(change_members))
        .route("/api/v2/routing/queues/{id}/members/{member}", delete(remove_member).patch(patch_member))
}

/// The queue as served: stored fields plus computed member counts.
fn find<'a>(org: &'a OrgStore, id: &str) -> Result<&'a Queue, ApiError> {
    org.queues.get(id).ok_or_else(|| ApiError::not_found("queue", id))
}

async fn list(State(directory): State<Directory>, caller: Caller, params: Params) -> Result<Json<EntityListing<Queue>>, ApiError> {
    read(&directory, &caller, |org| {
        let mut queues: Vec<Queue> =
            org.queues.values().filter(|queue| params.name_matches(&queue.name)).map(|queue| render(org, queue)).collect();
        queues.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(Json(paginate(queues, &params, "/api/v2/routing/queues")?))
    })
}

async fn fetch(State(directory): State<Directory>, caller: Caller, Path(id): Path<String>) -> Result<Json<Queue>, ApiError> {
    read(&directory, &caller, |org| Ok(Json(render(org, find(org, &id)?))))
}

async fn create(State(directory): State<Directory>, caller: Caller, ApiJson(body): ApiJson<Queue>) -> Result<Json<Queue>, ApiError> {
    require_name(&body.name)?;
    write(&directory, &caller, |org| {
        let id = org.next_id("queue");
        let queue = domain::create(org, id, body, &directory.now())?;
        Ok(Json(render(org, &queue)))
    })
}

async fn update(
    State(directory): State<Directory>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Queue>,
) -> Result<Json<Queue>, ApiError> {
    require_name(&body.name)?;
    write(&directory, &caller, |org| {
        let queue = domain::update(org, &id, body, &directory.now())?;
        Ok(Json(render(org, &queue)))
    })
}

async fn remove(State(directory): State<Directory>, caller: Caller, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    write(&directory, &caller, |org| {
        domain::delete(org, &id)?;
        Ok(StatusCode::NO_CONTENT)
    })
}

async fn members(
    State(directory): State<Directory>,
    caller: Caller,
    Path(id): Path<String>,
    params: Params,
) -> Result<Json<QueueMemberListing>, ApiError> {
    read(&directory, &caller, |org| {
        find(org, &id)?;
        let members: Vec<QueueMember> = org
            .queue_members(&id)
            .into_iter()
            .filter_map(|(user_id, joined)| {
                let user = org.users.get(&user_id)?;
                Some(QueueMember {
                    id: user.id.clone(),
                    name: user.name.clone(),
                    user: Some(EntityRef::new(user.id.clone(), user.name.clone(), format!("/api/v2/users/{}", user.id))),
                    ring_number: Some(1),
                    joined,
                    member_by: Some("user".to_string()),
                    routing_status: user.routing_status.clone(),
                    self_uri: Some(format!("/api/v2/users/{}", user.id)),
                })
            })
            .collect();
        Ok(Json(QueueMemberListing::from(paginate(members, &params, &format!("/api/v2/routing/queues/{id}/members"))?)))
    })
}

/// `POST .../members` adds the listed users; with `?delete=true` it removes them.
async fn change_members(
    State(directory): State<Directory>,
    caller: Caller,
    Path(id): Path<String>,
    params: Params,
    ApiJson(body): ApiJson<Vec<WritableEntity>>,
) -> Result<StatusCode, ApiError> {
    let delete = params.flag("delete", false)?;
    write(&directory, &caller, |org| {
        domain::change_members(org, &id, body.into_iter().map(|member| member.id).collect(), delete)?;
        Ok(StatusCode::OK)
    })
}

async fn remove_member(
    State(directory): State<Directory>,
    caller: Caller,
    Path((id, member)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    write(&directory, &caller, |org| {
        domain::remove_member(org, &id, &member)?;
        Ok(StatusCode::NO_CONTENT)
    })
}

async fn patch_member(
    State(directory): State<Directory>,
    caller: Caller,
    Path((id, member)): Path<(String, String)>,
    ApiJson(body): ApiJson<QueueMemberPatch>,
) -> Result<StatusCode, ApiError> {
    write(&directory, &caller, |org| {
        domain::set_joined(org, &id, &member, body.joined)?;
        Ok(StatusCode::ACCEPTED)
    })
}
