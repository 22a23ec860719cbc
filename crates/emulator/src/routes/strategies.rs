//! Seed-only routing strategies (`/api/v2/routing/strategies`): extract, call
//! `domain::strategies` (weighted targets for canary traffic shifts), answer. No body version; the
//! seeds guard them with ETag/If-Match only.

use crate::domain::strategies;
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
use switchboard_api::strategy::{RoutingStrategy, RoutingStrategyPatch};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v2/routing/strategies", get(list).post(create))
        .route("/api/v2/routing/strategies/{id}", get(fetch).put(replace).patch(patch).delete(remove))
}

async fn list(State(directory): State<Directory>, caller: Caller, params: Params) -> Result<Json<EntityListing<RoutingStrategy>>, ApiError> {
    read(&directory, &caller, |org| {
        let items: Vec<RoutingStrategy> = org.strategies.values().filter(|item| params.name_matches(&item.name)).cloned().collect();
        Ok(Json(paginate(items, &params, "/api/v2/routing/strategies")?))
    })
}

async fn fetch(State(directory): State<Directory>, caller: Caller, Path(id): Path<String>) -> Result<Json<RoutingStrategy>, ApiError> {
    read(&directory, &caller, |org| org.strategies.get(&id).cloned().map(Json).ok_or_else(|| ApiError::not_found("routing strategy", &id)))
}

async fn create(State(directory): State<Directory>, caller: Caller, ApiJson(body): ApiJson<RoutingStrategy>) -> Result<Json<RoutingStrategy>, ApiError> {
    write(&directory, &caller, |org| Ok(Json(strategies::create(org, body, &directory.now())?)))
}

async fn replace(
    State(directory): State<Directory>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RoutingStrategy>,
) -> Result<Json<RoutingStrategy>, ApiError> {
    write(&directory, &caller, |org| Ok(Json(strategies::replace(org, &id, body, &directory.now())?)))
}

async fn patch(
    State(directory): State<Directory>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RoutingStrategyPatch>,
) -> Result<Json<RoutingStrategy>, ApiError> {
    write(&directory, &caller, |org| Ok(Json(strategies::patch(org, &id, body, &directory.now())?)))
}

async fn remove(State(directory): State<Directory>, caller: Caller, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    write(&directory, &caller, |org| {
        strategies::delete(org, &id)?;
        Ok(StatusCode::NO_CONTENT)
    })
}
