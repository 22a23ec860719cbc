//! Data tables: schemas are draft-04, `additionalProperties: false`, with a required string
//! `key`; an update may add columns but never remove or retype one, so rows never lose data;
//! rows are checked against the schema and keyed by `key`; names are unique per org. Used by the
//! data-table handlers and seeding.

use super::{DomainError, require_name};
use crate::state::{DataTableRecord, OrgStore};
use serde_json::Value;
use std::collections::BTreeMap;
use switchboard_api::datatable::{DRAFT_04, DataTable, DataTableRow, JsonSchemaDocument, SchemaProperty};

/// The column types the platform accepts.
pub const TYPES: [&str; 4] = ["string", "integer", "number", "boolean"];

/// A schema with `key` plus the given columns (name → type).
pub fn schema_from_columns(columns: &BTreeMap<String, String>) -> JsonSchemaDocument {
    let mut properties = BTreeMap::new();
    properties.insert("key".to_string(), SchemaProperty { property_type: "string".to_string(), title: Some("key".to_string()), display_order: Some(0), default: None });
    for (order, (name, kind)) in columns.iter().enumerate() {
        properties.insert(name.clone(), SchemaProperty { property_type: kind.clone(), title: Some(name.clone()), display_order: Some(order as u32 + 1), default: None });
    }
    normalized(JsonSchemaDocument { properties, ..JsonSchemaDocument::default() })
}

/// Fills in what every stored schema has: draft-04, object, no extra properties, `key` required.
pub fn normalized(mut schema: JsonSchemaDocument) -> JsonSchemaDocument {
    schema.schema = Some(DRAFT_04.to_string());
    schema.schema_type = Some("object".to_string());
    schema.additional_properties = Some(Value::Bool(false));
    if !schema.required.iter().any(|name| name == "key") {
        schema.required.insert(0, "key".to_string());
    }
    schema
}

fn invalid(message: impl Into<String>) -> DomainError {
    DomainError::Invalid(message.into())
}

/// A schema as sent, checked (a string `key`, known column types) and normalized.
pub fn check_schema(schema: Option<JsonSchemaDocument>) -> Result<JsonSchemaDocument, DomainError> {
    let schema = schema.ok_or_else(|| invalid("schema: required"))?;
    match schema.properties.get("key") {
        Some(key) if key.property_type == "string" => {}
        Some(_) => return Err(invalid("schema.properties.key: must be of type string")),
        None => return Err(invalid("schema.properties.key: a string `key` property is required")),
    }
    let columns = schema.properties.len().saturating_sub(1);
    if columns > crate::limits::DATATABLE_COLUMNS_MAX {
        return Err(invalid(format!("schema.properties: a data table has at most {} columns besides `key`, got {columns}", crate::limits::DATATABLE_COLUMNS_MAX)));
    }
    if let Some((name, property)) = schema.properties.iter().find(|(_, property)| !TYPES.contains(&property.property_type.as_str())) {
        return Err(invalid(format!("schema.properties.{name}.type: `{}` is not one of {TYPES:?}", property.property_type)));
    }
    Ok(normalized(schema))
}

pub fn find<'a>(org: &'a OrgStore, id: &str) -> Result<&'a DataTableRecord, DomainError> {
    org.datatables.get(id).ok_or_else(|| DomainError::NotFound { what: "data table", id: id.to_string() })
}

fn find_mut<'a>(org: &'a mut OrgStore, id: &str) -> Result<&'a mut DataTableRecord, DomainError> {
    org.datatables.get_mut(id).ok_or_else(|| DomainError::NotFound { what: "data table", id: id.to_string() })
}

/// Refuses `name` when a data table other than `except` has it (see `same_name`); checked in
/// the same write that stores it.
fn require_unique_name(org: &OrgStore, name: &str, except: Option<&str>) -> Result<(), DomainError> {
    let folded = super::fold_name(name);
    if org.datatables.values().any(|record| Some(record.table.id.as_str()) != except && super::fold_name(&record.table.name) == folded) {
        return Err(DomainError::Conflict(format!("A data table named `{name}` already exists")));
    }
    Ok(())
}

pub fn create(org: &mut OrgStore, body: DataTable) -> Result<DataTable, DomainError> {
    require_name(&body.name)?;
    let schema = check_schema(body.schema)?;
    require_unique_name(org, &body.name, None)?;
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
    Ok(table)
}

/// Last-write-wins on name and description; the schema may only gain columns.
pub fn update(org: &mut OrgStore, id: &str, body: DataTable) -> Result<DataTable, DomainError> {
    require_name(&body.name)?;
    let schema = check_schema(body.schema)?;
    find(org, id)?;
    require_unique_name(org, &body.name, Some(id))?;
    let record = find_mut(org, id)?;
    if let Some(current) = &record.table.schema {
        for (name, property) in &current.properties {
            match schema.properties.get(name) {
                None => return Err(invalid(format!("schema.properties.{name}: columns can be added but never removed"))),
                Some(new) if new.property_type != property.property_type => {
                    return Err(invalid(format!("schema.properties.{name}.type: a column's type cannot change")));
                }
                Some(_) => {}
            }
        }
    }
    record.table.name = body.name;
    record.table.description = body.description;
    record.table.schema = Some(schema);
    Ok(record.table.clone())
}

pub fn delete(org: &mut OrgStore, id: &str) -> Result<(), DomainError> {
    org.datatables.remove(id).map(|_| ()).ok_or_else(|| DomainError::NotFound { what: "data table", id: id.to_string() })
}

/// Checks a row against the schema and fills declared defaults; answers its key.
fn check_row(schema: Option<&JsonSchemaDocument>, mut row: DataTableRow) -> Result<(String, DataTableRow), DomainError> {
    let key = match row.get("key") {
        Some(Value::String(key)) if !key.is_empty() => key.clone(),
        _ => return Err(invalid("key: a non-empty string is required")),
    };
    let Some(schema) = schema else { return Ok((key, row)) };
    for (name, value) in &row {
        let property = schema.properties.get(name).ok_or_else(|| invalid(format!("{name}: not a column of this table")))?;
        let fits = match property.property_type.as_str() {
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            _ => false,
        };
        if !fits && !value.is_null() {
            return Err(invalid(format!("{name}: expected a {} value", property.property_type)));
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

fn row_not_found(key: &str) -> DomainError {
    DomainError::NotFound { what: "data table row", id: key.to_string() }
}

/// Adds a row; its key must be new.
pub fn add_row(org: &mut OrgStore, id: &str, body: DataTableRow) -> Result<DataTableRow, DomainError> {
    let record = find_mut(org, id)?;
    let (key, row) = check_row(record.table.schema.as_ref(), body)?;
    if record.rows.contains_key(&key) {
        return Err(DomainError::Conflict(format!("A row with key `{key}` already exists")));
    }
    record.rows.insert(key, row.clone());
    Ok(row)
}

/// Replaces row `key`; the body's key, when it has one, must be the same.
pub fn put_row(org: &mut OrgStore, id: &str, key: &str, mut body: DataTableRow) -> Result<DataTableRow, DomainError> {
    body.entry("key").or_insert_with(|| Value::String(key.to_string()));
    let record = find_mut(org, id)?;
    let (body_key, row) = check_row(record.table.schema.as_ref(), body)?;
    if body_key != key {
        return Err(invalid(format!("key: `{body_key}` does not match the row id `{key}`")));
    }
    let stored = record.rows.get_mut(key).ok_or_else(|| row_not_found(key))?;
    *stored = row.clone();
    Ok(row)
}

pub fn delete_row(org: &mut OrgStore, id: &str, key: &str) -> Result<(), DomainError> {
    find_mut(org, id)?.rows.remove(key).map(|_| ()).ok_or_else(|| row_not_found(key))
}
