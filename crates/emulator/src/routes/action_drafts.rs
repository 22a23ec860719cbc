//! Data-action drafts, the real way to change a published action's configuration and contract:
//! `POST /api/v2/integrations/actions/{actionId}/draft` starts a draft from the action,
//! `GET`/`PATCH`/`DELETE …/draft` read, change (the body's `version` must be the draft's) or drop
//! it, and `POST …/draft/publish` makes it the action's next version and removes the draft.

use super::extract::ApiJson;
use super::org_access::{read, write};
use crate::domain::{check_version, require_name};
use crate::error::ApiError;
use crate::state::{AppState, Caller};
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

fn draft_uri(id: &str) -> String {
    format!("/api/v2/integrations/actions/{id}/draft")
}

async fn fetch(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<Action>, ApiError> {
    read(&state, &caller, |org| org.action_drafts.get(&id).cloned().map(Json).ok_or_else(|| ApiError::not_found("action draft", &id)))
}

/// A draft copies the published action; one draft per action at a time.
async fn create(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<Action>, ApiError> {
    write(&state, &caller, |org| {
        let action = org.actions.get(&id).ok_or_else(|| ApiError::not_found("action", &id))?;
        if org.action_drafts.contains_key(&id) {
            return Err(ApiError::conflict(format!("action {id} already has a draft")));
        }
        let draft = Action { version: 1, self_uri: Some(draft_uri(&id)), ..action.clone() };
        org.action_drafts.insert(id, draft.clone());
        Ok(Json(draft))
    })
}

/// Changes only the fields sent; a stale `version` is 409.
async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<UpdateDraftInput>,
) -> Result<Json<Action>, ApiError> {
    write(&state, &caller, |org| {
        let draft = org.action_drafts.get_mut(&id).ok_or_else(|| ApiError::not_found("action draft", &id))?;
        check_version("action draft", body.version, draft.version)?;
        if let Some(name) = body.name {
            require_name(&name)?;
            draft.name = name;
        }
        draft.category = body.category.or(draft.category.take());
        draft.config = body.config.or(draft.config.take());
        draft.contract = body.contract.or(draft.contract.take());
        draft.secure = body.secure.unwrap_or(draft.secure);
        draft.version += 1;
        Ok(Json(draft.clone()))
    })
}

async fn remove(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    write(&state, &caller, |org| {
        org.action_drafts.remove(&id).map(|_| StatusCode::NO_CONTENT).ok_or_else(|| ApiError::not_found("action draft", &id))
    })
}

/// The draft becomes the action's next version; the draft is gone afterwards.
async fn publish(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PublishDraftInput>,
) -> Result<Json<Action>, ApiError> {
    write(&state, &caller, |org| {
        let draft = org.action_drafts.get(&id).ok_or_else(|| ApiError::not_found("action draft", &id))?;
        check_version("action draft", body.version, draft.version)?;
        let draft = draft.clone();
        let action = org.actions.get_mut(&id).ok_or_else(|| ApiError::not_found("action", &id))?;
        action.name = draft.name;
        action.category = draft.category;
        action.config = draft.config;
        action.contract = draft.contract;
        action.secure = draft.secure;
        action.version += 1;
        let published = action.clone();
        org.action_drafts.remove(&id);
        Ok(Json(published))
    })
}
