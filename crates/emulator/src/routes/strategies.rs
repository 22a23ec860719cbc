//! Seed-only routing strategies (`/api/v2/routing/strategies`): weighted targets for canary
//! traffic shifts. No body version; the seeds guard them with ETag/If-Match only.

use super::support::{ApiJson, Params, now, paginate, read, require_name, write};
use crate::error::ApiError;
use crate::state::{AppState, Caller};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use switchboard_api::paging::EntityListing;
use switchboard_api::strategy::{RoutingStrategy, RoutingStrategyPatch, StrategyTarget};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v2/routing/strategies", get(list).post(create))
        .route("/api/v2/routing/strategies/{id}", get(fetch).put(replace).patch(patch).delete(remove))
}

fn check_targets(targets: &[StrategyTarget]) -> Result<(), ApiError> {
    if let Some(target) = targets.iter().find(|target| target.weight > 100) {
        return Err(ApiError::invalid_value(format!("targets: weight of {} is {} (at most 100)", target.id, target.weight)));
    }
    Ok(())
}

async fn list(State(state): State<AppState>, caller: Caller, params: Params) -> Result<Json<EntityListing<RoutingStrategy>>, ApiError> {
    read(&state, &caller, |org| {
        let items: Vec<RoutingStrategy> = org.strategies.values().filter(|item| params.name_matches(&item.name)).cloned().collect();
        Ok(Json(paginate(items, &params, "/api/v2/routing/strategies")?))
    })
}

async fn fetch(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<RoutingStrategy>, ApiError> {
    read(&state, &caller, |org| org.strategies.get(&id).cloned().map(Json).ok_or_else(|| ApiError::not_found("routing strategy", &id)))
}

async fn create(State(state): State<AppState>, caller: Caller, ApiJson(body): ApiJson<RoutingStrategy>) -> Result<Json<RoutingStrategy>, ApiError> {
    require_name(&body.name)?;
    check_targets(&body.targets)?;
    write(&state, &caller, |org| {
        let id = org.next_id("strategy");
        let item = RoutingStrategy { id: id.clone(), date_modified: Some(now()), self_uri: Some(format!("/api/v2/routing/strategies/{id}")), ..body };
        org.strategies.insert(id, item.clone());
        Ok(Json(item))
    })
}

async fn replace(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RoutingStrategy>,
) -> Result<Json<RoutingStrategy>, ApiError> {
    require_name(&body.name)?;
    check_targets(&body.targets)?;
    write(&state, &caller, |org| {
        let current = org.strategies.get(&id).ok_or_else(|| ApiError::not_found("routing strategy", &id))?;
        let item = RoutingStrategy { id: id.clone(), date_modified: Some(now()), self_uri: current.self_uri.clone(), ..body };
        org.strategies.insert(id, item.clone());
        Ok(Json(item))
    })
}

async fn patch(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RoutingStrategyPatch>,
) -> Result<Json<RoutingStrategy>, ApiError> {
    if let Some(targets) = &body.targets {
        check_targets(targets)?;
    }
    write(&state, &caller, |org| {
        let item = org.strategies.get_mut(&id).ok_or_else(|| ApiError::not_found("routing strategy", &id))?;
        if let Some(name) = body.name {
            require_name(&name)?;
            item.name = name;
        }
        if let Some(settings) = body.settings {
            item.settings = settings;
        }
        if let Some(targets) = body.targets {
            item.targets = targets;
        }
        item.date_modified = Some(now());
        Ok(Json(item.clone()))
    })
}

async fn remove(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    write(&state, &caller, |org| {
        org.strategies.remove(&id).map(|_| StatusCode::NO_CONTENT).ok_or_else(|| ApiError::not_found("routing strategy", &id))
    })
}
