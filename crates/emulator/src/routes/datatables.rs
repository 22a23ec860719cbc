//! Architect data tables (`/api/v2/flows/datatables`) and rows. Last-write-wins as on the real
//! platform. The schema is draft-04 with a required string `key`; an update may add columns
//! but never remove or retype one (400), so rows never lose data. Rows: `datatable_rows.rs`.

use crate::domain::datatables;
use crate::error::ApiError;
use crate::routes::extract::{ApiJson, Params};
use crate::routes::org_access::{read, write};
use crate::routes::paging::paginate;
use crate::state::{AppState, Caller, DataTableRecord, Directory, OrgStore};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use switchboard_api::datatable::DataTable;
use switchboard_api::paging::EntityListing;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v2/flows/datatables", get(list).post(create))
        .route("/api/v2/flows/datatables/{id}", get(fetch).put(update).delete(remove))
        .merge(super::datatable_rows::routes())
}

pub(super) fn find<'a>(org: &'a OrgStore, id: &str) -> Result<&'a DataTableRecord, ApiError> {
    Ok(datatables::find(org, id)?)
}

fn render(record: &DataTableRecord, with_schema: bool) -> DataTable {
    let mut table = record.table.clone();
    if !with_schema {
        table.schema = None;
    }
    table
}

async fn list(State(directory): State<Directory>, caller: Caller, params: Params) -> Result<Json<EntityListing<DataTable>>, ApiError> {
    let with_schema = params.get("expand").is_some_and(|expand| expand.split(',').any(|item| item == "schema"));
    read(&directory, &caller, |org| {
        let mut tables: Vec<DataTable> = org
            .datatables
            .values()
            .filter(|record| params.name_matches(&record.table.name))
            .map(|record| render(record, with_schema))
            .collect();
        tables.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(Json(paginate(tables, &params, "/api/v2/flows/datatables")?))
    })
}

/// Always with the schema, so the ETag of what a client read matches what it updates.
async fn fetch(State(directory): State<Directory>, caller: Caller, Path(id): Path<String>) -> Result<Json<DataTable>, ApiError> {
    read(&directory, &caller, |org| Ok(Json(render(find(org, &id)?, true))))
}

async fn create(State(directory): State<Directory>, caller: Caller, ApiJson(body): ApiJson<DataTable>) -> Result<Json<DataTable>, ApiError> {
    write(&directory, &caller, |org| Ok(Json(datatables::create(org, body)?)))
}

async fn update(
    State(directory): State<Directory>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<DataTable>,
) -> Result<Json<DataTable>, ApiError> {
    write(&directory, &caller, |org| Ok(Json(datatables::update(org, &id, body)?)))
}

async fn remove(State(directory): State<Directory>, caller: Caller, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    write(&directory, &caller, |org| {
        datatables::delete(org, &id)?;
        Ok(StatusCode::NO_CONTENT)
    })
}
