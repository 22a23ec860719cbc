//! Trunk base settings (`/api/v2/telephony/providers/edges/trunkbasesettings`): extract, call
//! `domain::trunks` (versioned: a PUT with a stale `version` is 409), answer.

use crate::domain::trunks;
use crate::error::ApiError;
use crate::routes::extract::{ApiJson, Params};
use crate::routes::org_access::{read, write};
use crate::routes::paging::paginate;
use crate::state::{AppState, Caller, Directory};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use switchboard_api::paging::EntityListing;
use switchboard_api::telephony::TrunkBase;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v2/telephony/providers/edges/trunkbasesettings", get(list_trunks).post(create_trunk))
        .route("/api/v2/telephony/providers/edges/trunkbasesettings/{id}", get(fetch_trunk).put(update_trunk).delete(remove_trunk))
}

async fn list_trunks(State(directory): State<Directory>, caller: Caller, params: Params) -> Result<Json<EntityListing<TrunkBase>>, ApiError> {
    read(&directory, &caller, |org| {
        let trunks: Vec<TrunkBase> = org.trunks.values().filter(|trunk| params.name_matches(&trunk.name)).cloned().collect();
        Ok(Json(paginate(trunks, &params, "/api/v2/telephony/providers/edges/trunkbasesettings")?))
    })
}

async fn fetch_trunk(State(directory): State<Directory>, caller: Caller, Path(id): Path<String>) -> Result<Json<TrunkBase>, ApiError> {
    read(&directory, &caller, |org| org.trunks.get(&id).cloned().map(Json).ok_or_else(|| ApiError::not_found("trunk base settings", &id)))
}

async fn create_trunk(State(directory): State<Directory>, caller: Caller, ApiJson(body): ApiJson<TrunkBase>) -> Result<Json<TrunkBase>, ApiError> {
    write(&directory, &caller, |org| Ok(Json(trunks::create(org, body)?)))
}

async fn update_trunk(
    State(directory): State<Directory>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<TrunkBase>,
) -> Result<Json<TrunkBase>, ApiError> {
    write(&directory, &caller, |org| Ok(Json(trunks::update(org, &id, body)?)))
}

async fn remove_trunk(State(directory): State<Directory>, caller: Caller, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    write(&directory, &caller, |org| {
        trunks::delete(org, &id)?;
        Ok(StatusCode::NO_CONTENT)
    })
}
