//! The real `/api/v2/oauth/clients` (list, create, get, delete) for client-credentials clients:
//! a second client of an org gets its own tokens, usage and flow locks. The rules are
//! `domain::oauth_clients`'s.

use super::extract::{ApiJson, Params};
use super::org_access::{read, write};
use super::paging::paginate;
use crate::domain::oauth_clients::{self, development_client};
use crate::error::ApiError;
use crate::state::{AppState, Caller, Directory, Tokens};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use switchboard_api::auth::OAuthClient;
use switchboard_api::paging::EntityListing;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v2/oauth/clients", get(list).post(create))
        .route("/api/v2/oauth/clients/{id}", get(fetch).delete(remove))
}

async fn list(State(directory): State<Directory>, caller: Caller, params: Params) -> Result<Json<EntityListing<OAuthClient>>, ApiError> {
    read(&directory, &caller, |org| {
        let mut clients = vec![development_client(org)];
        clients.extend(org.oauth_clients.values().cloned());
        Ok(Json(paginate(clients, &params, "/api/v2/oauth/clients")?))
    })
}

async fn fetch(State(directory): State<Directory>, caller: Caller, Path(id): Path<String>) -> Result<Json<OAuthClient>, ApiError> {
    read(&directory, &caller, |org| {
        if id == org.org.client_id {
            return Ok(Json(development_client(org)));
        }
        org.oauth_clients.get(&id).cloned().map(Json).ok_or_else(|| ApiError::not_found("OAuth client", &id))
    })
}

async fn create(State(directory): State<Directory>, caller: Caller, ApiJson(body): ApiJson<OAuthClient>) -> Result<Json<OAuthClient>, ApiError> {
    write(&directory, &caller, |org| Ok(Json(oauth_clients::create(org, body, &directory.now())?)))
}

/// Deleting a client revokes its tokens at once: on the real platform whatever uses a deleted
/// client's credentials loses access, rather than keeping it until its tokens expire.
async fn remove(State(directory): State<Directory>, State(tokens): State<Tokens>, caller: Caller, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    write(&directory, &caller, |org| oauth_clients::delete(org, &id).map_err(ApiError::from))?;
    tokens.lock().revoke_client(&caller.org_id, &id);
    Ok(StatusCode::NO_CONTENT)
}
