//! DIDs and IVR configs (which map DIDs to flows); trunks are in `trunks.rs`. Extract, call
//! `domain::telephony` (versioned: a PUT with a stale `version` is 409; DIDs come into being when
//! an IVR config names them), answer.

use crate::domain::telephony;
use crate::error::ApiError;
use crate::routes::extract::{ApiJson, Params};
use crate::routes::org_access::{read, write};
use crate::routes::paging::paginate;
use crate::state::{AppState, Caller, Directory, normalize_number};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use switchboard_api::paging::EntityListing;
use switchboard_api::telephony::{Did, Ivr};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v2/telephony/providers/edges/dids", get(list_dids))
        .route("/api/v2/telephony/providers/edges/dids/{id}", get(fetch_did).put(update_did))
        .route("/api/v2/architect/ivrs", get(list_ivrs).post(create_ivr))
        .route("/api/v2/architect/ivrs/{id}", get(fetch_ivr).put(update_ivr).delete(remove_ivr))
        .merge(super::trunks::routes())
}

async fn list_dids(State(directory): State<Directory>, caller: Caller, params: Params) -> Result<Json<EntityListing<Did>>, ApiError> {
    let number = params.get("phoneNumber").map(normalize_number);
    read(&directory, &caller, |org| {
        let dids: Vec<Did> =
            org.dids.values().filter(|did| number.as_ref().is_none_or(|wanted| &normalize_number(&did.phone_number) == wanted)).cloned().collect();
        Ok(Json(paginate(dids, &params, "/api/v2/telephony/providers/edges/dids")?))
    })
}

async fn fetch_did(State(directory): State<Directory>, caller: Caller, Path(id): Path<String>) -> Result<Json<Did>, ApiError> {
    read(&directory, &caller, |org| org.dids.get(&id).cloned().map(Json).ok_or_else(|| ApiError::not_found("DID", &id)))
}

async fn update_did(State(directory): State<Directory>, caller: Caller, Path(id): Path<String>, ApiJson(body): ApiJson<Did>) -> Result<Json<Did>, ApiError> {
    write(&directory, &caller, |org| Ok(Json(telephony::update_did(org, &id, body, &directory.now())?)))
}

async fn list_ivrs(State(directory): State<Directory>, caller: Caller, params: Params) -> Result<Json<EntityListing<Ivr>>, ApiError> {
    read(&directory, &caller, |org| {
        let ivrs: Vec<Ivr> = org.ivrs.values().filter(|ivr| params.name_matches(&ivr.name)).cloned().collect();
        Ok(Json(paginate(ivrs, &params, "/api/v2/architect/ivrs")?))
    })
}

async fn fetch_ivr(State(directory): State<Directory>, caller: Caller, Path(id): Path<String>) -> Result<Json<Ivr>, ApiError> {
    read(&directory, &caller, |org| org.ivrs.get(&id).cloned().map(Json).ok_or_else(|| ApiError::not_found("IVR", &id)))
}

async fn create_ivr(State(directory): State<Directory>, caller: Caller, ApiJson(body): ApiJson<Ivr>) -> Result<Json<Ivr>, ApiError> {
    write(&directory, &caller, |org| Ok(Json(telephony::create_ivr(org, body, &directory.now())?)))
}

async fn update_ivr(State(directory): State<Directory>, caller: Caller, Path(id): Path<String>, ApiJson(body): ApiJson<Ivr>) -> Result<Json<Ivr>, ApiError> {
    write(&directory, &caller, |org| Ok(Json(telephony::update_ivr(org, &id, body, &directory.now())?)))
}

async fn remove_ivr(State(directory): State<Directory>, caller: Caller, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    write(&directory, &caller, |org| {
        telephony::delete_ivr(org, &id)?;
        Ok(StatusCode::NO_CONTENT)
    })
}
