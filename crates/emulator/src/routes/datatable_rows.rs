//! Data table rows (`/api/v2/flows/datatables/{id}/rows`): checked against the table's schema,
//! keyed by `key`; listings and reads honour `showbrief` (default true: only the key).

use super::datatables::find;
use crate::domain::datatables;
use crate::error::ApiError;
use crate::routes::extract::{ApiJson, Params};
use crate::routes::org_access::{read, write};
use crate::routes::paging::paginate;
use crate::state::{AppState, Caller, Directory};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use switchboard_api::datatable::DataTableRow;
use switchboard_api::paging::EntityListing;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v2/flows/datatables/{id}/rows", get(rows).post(add_row))
        .route("/api/v2/flows/datatables/{id}/rows/{key}", get(row).put(put_row).delete(delete_row))
}

fn brief(row: &DataTableRow, showbrief: bool) -> DataTableRow {
    if !showbrief {
        return row.clone();
    }
    row.iter().filter(|(name, _)| name.as_str() == "key").map(|(name, value)| (name.clone(), value.clone())).collect()
}

async fn rows(
    State(directory): State<Directory>,
    caller: Caller,
    Path(id): Path<String>,
    params: Params,
) -> Result<Json<EntityListing<DataTableRow>>, ApiError> {
    let showbrief = params.flag("showbrief", true)?;
    read(&directory, &caller, |org| {
        let rows: Vec<DataTableRow> = find(org, &id)?.rows.values().map(|row| brief(row, showbrief)).collect();
        Ok(Json(paginate(rows, &params, &format!("/api/v2/flows/datatables/{id}/rows"))?))
    })
}

async fn row(
    State(directory): State<Directory>,
    caller: Caller,
    Path((id, key)): Path<(String, String)>,
    params: Params,
) -> Result<Json<DataTableRow>, ApiError> {
    let showbrief = params.flag("showbrief", true)?;
    read(&directory, &caller, |org| {
        let row = find(org, &id)?.rows.get(&key).ok_or_else(|| ApiError::not_found("data table row", &key))?;
        Ok(Json(brief(row, showbrief)))
    })
}

async fn add_row(
    State(directory): State<Directory>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<DataTableRow>,
) -> Result<Json<DataTableRow>, ApiError> {
    write(&directory, &caller, |org| Ok(Json(datatables::add_row(org, &id, body)?)))
}

async fn put_row(
    State(directory): State<Directory>,
    caller: Caller,
    Path((id, key)): Path<(String, String)>,
    ApiJson(body): ApiJson<DataTableRow>,
) -> Result<Json<DataTableRow>, ApiError> {
    write(&directory, &caller, |org| Ok(Json(datatables::put_row(org, &id, &key, body)?)))
}

async fn delete_row(State(directory): State<Directory>, caller: Caller, Path((id, key)): Path<(String, String)>) -> Result<StatusCode, ApiError> {
    write(&directory, &caller, |org| {
        datatables::delete_row(org, &id, &key)?;
        Ok(StatusCode::NO_CONTENT)
    })
}
