//! Data table rows (`/api/v2/flows/datatables/{id}/rows`): checked against the table's schema,
//! keyed by `key`; listings and reads honour `showbrief` (default true: only the key).

use super::datatables::{find, find_mut};
use crate::routes::extract::{ApiJson, Params};
use crate::routes::org_access::{read, write};
use crate::routes::paging::paginate;
use crate::error::ApiError;
use crate::state::{AppState, Caller, Directory};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;
use switchboard_api::datatable::{DataTableRow, JsonSchemaDocument};
use switchboard_api::paging::EntityListing;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v2/flows/datatables/{id}/rows", get(rows).post(add_row))
        .route("/api/v2/flows/datatables/{id}/rows/{key}", get(row).put(put_row).delete(delete_row))
}

/// Checks a row against the schema and fills declared defaults.
fn check_row(schema: Option<&JsonSchemaDocument>, mut row: DataTableRow) -> Result<(String, DataTableRow), ApiError> {
    let key = match row.get("key") {
        Some(Value::String(key)) if !key.is_empty() => key.clone(),
        _ => return Err(ApiError::invalid_value("key: a non-empty string is required")),
    };
    let Some(schema) = schema else { return Ok((key, row)) };
    for (name, value) in &row {
        let property = schema.properties.get(name).ok_or_else(|| ApiError::invalid_value(format!("{name}: not a column of this table")))?;
        let fits = match property.property_type.as_str() {
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            _ => false,
        };
        if !fits && !value.is_null() {
            return Err(ApiError::invalid_value(format!("{name}: expected a {} value", property.property_type)));
        }
    }
    for (name, property) in &schema.properties {
        if let Some(default) = &property.default
            && !row.contains_key(name)
        {
            row.insert(name.clone(), default.clone());
        }
    }
    Ok((key, row))
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
    write(&directory, &caller, |org| {
        let record = find_mut(org, &id)?;
        let (key, row) = check_row(record.table.schema.as_ref(), body)?;
        if record.rows.contains_key(&key) {
            return Err(ApiError::conflict(format!("A row with key `{key}` already exists")));
        }
        record.rows.insert(key, row.clone());
        Ok(Json(row))
    })
}

async fn put_row(
    State(directory): State<Directory>,
    caller: Caller,
    Path((id, key)): Path<(String, String)>,
    ApiJson(mut body): ApiJson<DataTableRow>,
) -> Result<Json<DataTableRow>, ApiError> {
    body.entry("key").or_insert_with(|| Value::String(key.clone()));
    write(&directory, &caller, |org| {
        let record = find_mut(org, &id)?;
        let (body_key, row) = check_row(record.table.schema.as_ref(), body)?;
        if body_key != key {
            return Err(ApiError::invalid_value(format!("key: `{body_key}` does not match the row id `{key}`")));
        }
        if !record.rows.contains_key(&key) {
            return Err(ApiError::not_found("data table row", &key));
        }
        record.rows.insert(key, row.clone());
        Ok(Json(row))
    })
}

async fn delete_row(
    State(directory): State<Directory>,
    caller: Caller,
    Path((id, key)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    write(&directory, &caller, |org| {
        let record = find_mut(org, &id)?;
        record.rows.remove(&key).map(|_| StatusCode::NO_CONTENT).ok_or_else(|| ApiError::not_found("data table row", &key))
    })
}
