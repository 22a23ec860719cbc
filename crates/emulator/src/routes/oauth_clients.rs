//! The real `/api/v2/oauth/clients` (list, create, get, delete) for client-credentials clients:
//! a second client of an org gets its own tokens, usage and flow locks. The rules are
//! `domain::oauth_clients`'s.

use super::extract::{ApiJson, Params};
use crate::domain::require_name;
use super::paging::paginate;
use super::org_access::{read, write};
use crate::domain::oauth_clients::{CLIENT_CREDENTIALS, CLIENTS_MAX, development_client};
use crate::error::ApiError;
use crate::state::{AppState, Caller, Directory};
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
    require_name(&body.name)?;
    if !body.authorized_grant_type.eq_ignore_ascii_case(CLIENT_CREDENTIALS) {
        return Err(ApiError::invalid_value(format!(
            "authorizedGrantType: the emulator issues tokens for {CLIENT_CREDENTIALS} only, got `{}`",
            body.authorized_grant_type
        )));
    }
    write(&directory, &caller, |org| {
        if org.oauth_clients.len() >= CLIENTS_MAX {
            return Err(ApiError::bad_request(format!("An organization may have at most {CLIENTS_MAX} OAuth clients")));
        }
        let id = uuid::Uuid::new_v4().to_string();
        let client = OAuthClient {
            id: id.clone(),
            authorized_grant_type: CLIENT_CREDENTIALS.to_string(),
            secret: Some(format!("secret-{}", uuid::Uuid::new_v4().simple())),
            state: Some(body.state.clone().unwrap_or_else(|| "active".to_string())),
            date_created: Some(directory.now()),
            self_uri: Some(format!("/api/v2/oauth/clients/{id}")),
            ..body
        };
        org.oauth_clients.insert(id, client.clone());
        Ok(Json(client))
    })
}

async fn remove(State(directory): State<Directory>, caller: Caller, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    write(&directory, &caller, |org| {
        if id == org.org.client_id {
            return Err(ApiError::bad_request("The org's development client cannot be deleted"));
        }
        org.oauth_clients.remove(&id).map(|_| StatusCode::NO_CONTENT).ok_or_else(|| ApiError::not_found("OAuth client", &id))
    })
}
