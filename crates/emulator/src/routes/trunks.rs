//! Trunk base settings (`/api/v2/telephony/providers/edges/trunkbasesettings`): versioned, a
//! PUT with a stale `version` is 409. `properties` carries SIP and failover settings as sent.

use super::support::{ApiJson, Params, check_version, paginate, read, require_name, write};
use crate::error::ApiError;
use crate::state::{AppState, Caller};
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

async fn list_trunks(State(state): State<AppState>, caller: Caller, params: Params) -> Result<Json<EntityListing<TrunkBase>>, ApiError> {
    read(&state, &caller, |org| {
        let trunks: Vec<TrunkBase> = org.trunks.values().filter(|trunk| params.name_matches(&trunk.name)).cloned().collect();
        Ok(Json(paginate(trunks, &params, "/api/v2/telephony/providers/edges/trunkbasesettings")?))
    })
}

async fn fetch_trunk(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<TrunkBase>, ApiError> {
    read(&state, &caller, |org| org.trunks.get(&id).cloned().map(Json).ok_or_else(|| ApiError::not_found("trunk base settings", &id)))
}

async fn create_trunk(State(state): State<AppState>, caller: Caller, ApiJson(body): ApiJson<TrunkBase>) -> Result<Json<TrunkBase>, ApiError> {
    require_name(&body.name)?;
    write(&state, &caller, |org| {
        let id = org.next_id("trunk");
        let trunk = TrunkBase {
            id: id.clone(),
            version: 1,
            state: Some("active".to_string()),
            // The real platform always answers with a trunk type; external (SIP) unless told.
            trunk_type: body.trunk_type.clone().or_else(|| Some("EXTERNAL".to_string())),
            self_uri: Some(format!("/api/v2/telephony/providers/edges/trunkbasesettings/{id}")),
            ..body
        };
        org.trunks.insert(id, trunk.clone());
        Ok(Json(trunk))
    })
}

async fn update_trunk(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<TrunkBase>,
) -> Result<Json<TrunkBase>, ApiError> {
    require_name(&body.name)?;
    write(&state, &caller, |org| {
        let current = org.trunks.get(&id).cloned().ok_or_else(|| ApiError::not_found("trunk base settings", &id))?;
        check_version("trunk base settings", body.version, current.version)?;
        let trunk_type = body.trunk_type.clone().or(current.trunk_type);
        let trunk = TrunkBase { id: id.clone(), version: current.version + 1, state: current.state, self_uri: current.self_uri, trunk_type, ..body };
        org.trunks.insert(id, trunk.clone());
        Ok(Json(trunk))
    })
}

async fn remove_trunk(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    write(&state, &caller, |org| {
        org.trunks.remove(&id).map(|_| StatusCode::NO_CONTENT).ok_or_else(|| ApiError::not_found("trunk base settings", &id))
    })
}
