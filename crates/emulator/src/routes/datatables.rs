//! Architect data tables (`/api/v2/flows/datatables`) and rows. Last-write-wins as on the real
//! platform. The schema is draft-04 with a required string `key`; an update may add columns
//! but never remove or retype one (400), so rows never lose data. Rows: `datatable_rows.rs`.

use crate::domain::require_name;
use crate::routes::extract::{ApiJson, Params};
use crate::routes::org_access::{read, write};
use crate::routes::paging::paginate;
use crate::domain::datatables::{TYPES, normalized};
use crate::error::ApiError;
use crate::state::{AppState, Caller, DataTableRecord, Directory, OrgStore};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use std::collections::BTreeMap;
use switchboard_api::datatable::{DataTable, JsonSchemaDocument};
use switchboard_api::paging::EntityListing;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v2/flows/datatables", get(list).post(create))
        .route("/api/v2/flows/datatables/{id}", get(fetch).put(update).delete(remove))
        .merge(super::datatable_rows::routes())
}

fn check_schema(schema: Option<JsonSchemaDocument>) -> Result<JsonSchemaDocument, ApiError> {
    let schema = schema.ok_or_else(|| ApiError::invalid_value("schema: required"))?;
    match schema.properties.get("key") {
        Some(key) if key.property_type == "string" => {}
        Some(_) => return Err(ApiError::invalid_value("schema.properties.key: must be of type string")),
        None => return Err(ApiError::invalid_value("schema.properties.key: a string `key` property is required")),
    }
    if let Some((name, property)) = schema.properties.iter().find(|(_, property)| !TYPES.contains(&property.property_type.as_str())) {
        return Err(ApiError::invalid_value(format!("schema.properties.{name}.type: `{}` is not one of {TYPES:?}", property.property_type)));
    }
    Ok(normalized(schema))
}

pub(super) fn find<'a>(org: &'a OrgStore, id: &str) -> Result<&'a DataTableRecord, ApiError> {
    org.datatables.get(id).ok_or_else(|| ApiError::not_found("data table", id))
}

pub(super) fn find_mut<'a>(org: &'a mut OrgStore, id: &str) -> Result<&'a mut DataTableRecord, ApiError> {
    org.datatables.get_mut(id).ok_or_else(|| ApiError::not_found("data table", id))
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
    require_name(&body.name)?;
    let schema = check_schema(body.schema)?;
    write(&directory, &caller, |org| {
        if org.datatables.values().any(|record| record.table.name.eq_ignore_ascii_case(&body.name)) {
            return Err(ApiError::conflict(format!("A data table named `{}` already exists", body.name)));
        }
        let id = org.next_id("datatable");
        let table = DataTable {
            id: id.clone(),
            name: body.name,
            division: Some(body.division.unwrap_or_else(|| org.home_division())),
            description: body.description,
            schema: Some(schema),
            self_uri: Some(format!("/api/v2/flows/datatables/{id}")),
        };
        org.datatables.insert(id, DataTableRecord { table: table.clone(), rows: BTreeMap::new() });
        Ok(Json(table))
    })
}

async fn update(
    State(directory): State<Directory>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<DataTable>,
) -> Result<Json<DataTable>, ApiError> {
    require_name(&body.name)?;
    let schema = check_schema(body.schema)?;
    write(&directory, &caller, |org| {
        let record = find_mut(org, &id)?;
        if let Some(current) = &record.table.schema {
            for (name, property) in &current.properties {
                match schema.properties.get(name) {
                    None => return Err(ApiError::invalid_value(format!("schema.properties.{name}: columns can be added but never removed"))),
                    Some(new) if new.property_type != property.property_type => {
                        return Err(ApiError::invalid_value(format!("schema.properties.{name}.type: a column's type cannot change")));
                    }
                    Some(_) => {}
                }
            }
        }
        record.table.name = body.name;
        record.table.description = body.description;
        record.table.schema = Some(schema);
        Ok(Json(record.table.clone()))
    })
}

async fn remove(State(directory): State<Directory>, caller: Caller, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    write(&directory, &caller, |org| {
        org.datatables.remove(&id).map(|_| StatusCode::NO_CONTENT).ok_or_else(|| ApiError::not_found("data table", &id))
    })
}
