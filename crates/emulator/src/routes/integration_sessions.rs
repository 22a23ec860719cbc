//! Integration sessions (`domain::integration_sessions`): the seed's
//! `POST /api/v2/integrations/{id}/terminate` and its companion `GET /api/v2/integrations/{id}/sessions`
//! (the counts) — extensions, the real platform has neither, so `--strict` leaves them out — and
//! the control route `GET /_emulator/integrations/sessions` (`?org=` id or name) with the counts
//! of every integration.

use super::extract::Params;
use super::org_access::read;
use crate::contact_center::ContactCenter;
use crate::error::ApiError;
use crate::state::{AppState, Caller, Directory};
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use std::sync::Arc;
use switchboard_api::integration::{IntegrationSessionCounts, IntegrationSessionList, TerminateRequest, TerminateResponse};

pub fn api_routes(strict: bool) -> Router<AppState> {
    if strict {
        return Router::new();
    }
    Router::new()
        .route("/api/v2/integrations/{id}/terminate", post(terminate))
        .route("/api/v2/integrations/{id}/sessions", get(counts))
}

fn integration_id(directory: &Directory, caller: &Caller, id: &str) -> Result<String, ApiError> {
    read(directory, caller, |org| org.integration_by_ref(id).map(|found| found.id.clone()).ok_or_else(|| ApiError::not_found("integration", id)))
}

async fn counts(State(directory): State<Directory>, State(center): State<Arc<ContactCenter>>, caller: Caller, Path(id): Path<String>) -> Result<Json<IntegrationSessionCounts>, ApiError> {
    let integration_id = integration_id(&directory, &caller, &id)?;
    Ok(Json(center.sessions.book().counts(&caller.org_id, &integration_id)))
}

pub fn control_routes() -> Router<AppState> {
    Router::new().route("/_emulator/integrations/sessions", get(list))
}

async fn terminate(
    State(directory): State<Directory>, State(center): State<Arc<ContactCenter>>,
    caller: Caller,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<TerminateResponse>, ApiError> {
    // The body is optional: without it every open session of the integration closes.
    let request: TerminateRequest = if body.iter().all(u8::is_ascii_whitespace) {
        TerminateRequest::default()
    } else {
        serde_json::from_slice(&body).map_err(|error| ApiError::bad_request(format!("The request could not be understood: {error}")))?
    };
    if let Some(conversation_id) = &request.conversation_id {
        crate::limits::text("conversationId", conversation_id, crate::limits::ID_CHARS_MAX, false)?;
    }
    let integration_id = integration_id(&directory, &caller, &id)?;
    let mut book = center.sessions.book();
    let terminated_now = book.terminate(&caller.org_id, &integration_id, request.conversation_id.as_deref());
    Ok(Json(TerminateResponse { terminated_now, sessions: book.counts(&caller.org_id, &integration_id) }))
}

async fn list(State(directory): State<Directory>, State(center): State<Arc<ContactCenter>>, params: Params) -> Result<Json<IntegrationSessionList>, ApiError> {
    let org_id = match params.get("org") {
        Some(wanted) => Some(directory.find_org(wanted).ok_or_else(|| ApiError::not_found("org", wanted))?),
        None => None,
    };
    Ok(Json(IntegrationSessionList { integrations: center.sessions.book().all(org_id.as_deref()) }))
}
