//! Data-action drafts, the real way to change a published action's configuration and contract:
//! `POST /api/v2/integrations/actions/{actionId}/draft` starts a draft from the action,
//! `GET`/`PATCH`/`DELETE …/draft` read, change (the body's `version` must be the draft's) or drop
//! it, and `POST …/draft/publish` makes it the action's next version and removes the draft.

use super::extract::ApiJson;
use super::org_access::{read, write};
use crate::domain::action_drafts;
use crate::error::ApiError;
use crate::state::{AppState, Caller, Directory};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use switchboard_api::integration::{Action, PublishDraftInput, UpdateDraftInput};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v2/integrations/actions/{id}/draft", get(fetch).post(create).patch(update).delete(remove))
        .route("/api/v2/integrations/actions/{id}/draft/publish", post(publish))
}

async fn fetch(State(directory): State<Directory>, caller: Caller, Path(id): Path<String>) -> Result<Json<Action>, ApiError> {
    read(&directory, &caller, |org| Ok(Json(action_drafts::find(org, &id)?.clone())))
}

async fn create(State(directory): State<Directory>, caller: Caller, Path(id): Path<String>) -> Result<Json<Action>, ApiError> {
    write(&directory, &caller, |org| Ok(Json(action_drafts::create(org, &id)?)))
}

async fn update(
    State(directory): State<Directory>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<UpdateDraftInput>,
) -> Result<Json<Action>, ApiError> {
    write(&directory, &caller, |org| Ok(Json(action_drafts::update(org, &id, body)?)))
}

async fn remove(State(directory): State<Directory>, caller: Caller, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    write(&directory, &caller, |org| {
        action_drafts::delete(org, &id)?;
        Ok(StatusCode::NO_CONTENT)
    })
}

async fn publish(
    State(directory): State<Directory>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PublishDraftInput>,
) -> Result<Json<Action>, ApiError> {
    write(&directory, &caller, |org| Ok(Json(action_drafts::publish(org, &id, &body)?)))
}
