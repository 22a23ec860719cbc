//! DIDs and IVR configs (which map DIDs to flows); trunks are in `trunks.rs`. All versioned: a PUT
//! with a stale `version` is 409. DIDs come into being when an IVR config names them, as
//! numbers from a DID pool do on the real platform.

use super::support::{ApiJson, Params, check_version, now, paginate, read, require_name, write};
use crate::domain::telephony::{ensure_did, refresh_did_owners};
use crate::error::ApiError;
use crate::state::{AppState, Caller, OrgStore, normalize_number};
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

async fn list_dids(State(state): State<AppState>, caller: Caller, params: Params) -> Result<Json<EntityListing<Did>>, ApiError> {
    let number = params.get("phoneNumber").map(normalize_number);
    read(&state, &caller, |org| {
        let dids: Vec<Did> =
            org.dids.values().filter(|did| number.as_ref().is_none_or(|wanted| &normalize_number(&did.phone_number) == wanted)).cloned().collect();
        Ok(Json(paginate(dids, &params, "/api/v2/telephony/providers/edges/dids")?))
    })
}

async fn fetch_did(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<Did>, ApiError> {
    read(&state, &caller, |org| org.dids.get(&id).cloned().map(Json).ok_or_else(|| ApiError::not_found("DID", &id)))
}

async fn update_did(State(state): State<AppState>, caller: Caller, Path(id): Path<String>, ApiJson(body): ApiJson<Did>) -> Result<Json<Did>, ApiError> {
    write(&state, &caller, |org| {
        let did = org.dids.get_mut(&id).ok_or_else(|| ApiError::not_found("DID", &id))?;
        check_version("DID", body.version, did.version)?;
        did.name = body.name.or(did.name.take());
        did.description = body.description.or(did.description.take());
        did.version += 1;
        did.date_modified = Some(now());
        Ok(Json(did.clone()))
    })
}

/// Checks an IVR's numbers are free (not answered by another IVR config) and creates their DIDs.
fn claim_numbers(org: &mut OrgStore, ivr_id: &str, dnis: &[String]) -> Result<(), ApiError> {
    for number in dnis {
        if let Some(other) = org.ivr_for_number(number).filter(|other| other.id != ivr_id) {
            return Err(ApiError::invalid_value(format!("dnis: {number} is already used by IVR `{}`", other.name)));
        }
    }
    let stamp = now();
    for number in dnis {
        ensure_did(org, number, &stamp);
    }
    Ok(())
}

fn check_flow_refs(org: &OrgStore, ivr: &Ivr) -> Result<(), ApiError> {
    for flow in [&ivr.open_hours_flow, &ivr.closed_hours_flow, &ivr.holiday_hours_flow].into_iter().flatten() {
        if !org.flows.contains_key(&flow.id) {
            return Err(ApiError::invalid_value(format!("flow {} does not exist", flow.id)));
        }
    }
    Ok(())
}

async fn list_ivrs(State(state): State<AppState>, caller: Caller, params: Params) -> Result<Json<EntityListing<Ivr>>, ApiError> {
    read(&state, &caller, |org| {
        let ivrs: Vec<Ivr> = org.ivrs.values().filter(|ivr| params.name_matches(&ivr.name)).cloned().collect();
        Ok(Json(paginate(ivrs, &params, "/api/v2/architect/ivrs")?))
    })
}

async fn fetch_ivr(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<Ivr>, ApiError> {
    read(&state, &caller, |org| org.ivrs.get(&id).cloned().map(Json).ok_or_else(|| ApiError::not_found("IVR", &id)))
}

async fn create_ivr(State(state): State<AppState>, caller: Caller, ApiJson(body): ApiJson<Ivr>) -> Result<Json<Ivr>, ApiError> {
    require_name(&body.name)?;
    write(&state, &caller, |org| {
        check_flow_refs(org, &body)?;
        let id = org.next_id("ivr");
        claim_numbers(org, &id, &body.dnis)?;
        let stamp = now();
        let ivr = Ivr {
            id: id.clone(),
            division: Some(body.division.clone().unwrap_or_else(|| org.home_division())),
            version: 1,
            date_created: Some(stamp.clone()),
            date_modified: Some(stamp),
            state: Some("active".to_string()),
            self_uri: Some(format!("/api/v2/architect/ivrs/{id}")),
            ..body
        };
        org.ivrs.insert(id, ivr.clone());
        refresh_did_owners(org);
        Ok(Json(ivr))
    })
}

async fn update_ivr(State(state): State<AppState>, caller: Caller, Path(id): Path<String>, ApiJson(body): ApiJson<Ivr>) -> Result<Json<Ivr>, ApiError> {
    require_name(&body.name)?;
    write(&state, &caller, |org| {
        let current = org.ivrs.get(&id).cloned().ok_or_else(|| ApiError::not_found("IVR", &id))?;
        check_version("IVR", body.version, current.version)?;
        check_flow_refs(org, &body)?;
        claim_numbers(org, &id, &body.dnis)?;
        let ivr = Ivr {
            id: id.clone(),
            division: body.division.clone().or(current.division),
            version: current.version + 1,
            date_created: current.date_created,
            date_modified: Some(now()),
            state: current.state,
            self_uri: current.self_uri,
            ..body
        };
        org.ivrs.insert(id, ivr.clone());
        refresh_did_owners(org);
        Ok(Json(ivr))
    })
}

async fn remove_ivr(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    write(&state, &caller, |org| {
        org.ivrs.remove(&id).ok_or_else(|| ApiError::not_found("IVR", &id))?;
        refresh_did_owners(org);
        Ok(StatusCode::NO_CONTENT)
    })
}
