//! Data tables and their rows. The neutral document has `columns` (name → type, `key`
//! implied) and `rows` (key → row); the wire has a JSON schema and a rows sub-collection.

use std::collections::BTreeMap;

use futures_util::TryStreamExt;
use serde_json::{Map, Value, json};
use switchboard_platform::PlatformExt;
use switchboard_platform::api::datatable::{DRAFT_04, DataTable, JsonSchemaDocument, SchemaProperty};

use super::{GenesysProvider, wrap};
use crate::provider::{LiveObject, ProviderResult};

fn neutral(table: &DataTable, etag: Option<String>, rows: Option<Map<String, Value>>) -> LiveObject {
    let mut body = Map::new();
    body.insert("name".into(), json!(table.name));
    if let Some(description) = &table.description {
        body.insert("description".into(), json!(description));
    }
    let columns: BTreeMap<String, String> = table
        .schema
        .as_ref()
        .map(|schema| schema.properties.iter().filter(|(name, _)| name.as_str() != "key").map(|(name, property)| (name.clone(), property.property_type.clone())).collect())
        .unwrap_or_default();
    body.insert("columns".into(), json!(columns));
    if let Some(rows) = rows {
        body.insert("rows".into(), Value::Object(rows));
    }
    // The platform gives a table no change marker (no version, no `dateModified`), so a plan
    // reads the rows of every managed table; the ETag a read answers guards the next write.
    LiveObject { kind: "datatable".into(), name: table.name.clone(), id: table.id.clone(), body: Value::Object(body), revision: None, guard: etag, enabled: true, modified_by: None, modified_at: None }
}

fn schema(body: &Value) -> JsonSchemaDocument {
    let mut properties = BTreeMap::new();
    properties.insert("key".to_string(), SchemaProperty { property_type: "string".into(), title: Some("key".into()), display_order: Some(0), default: None });
    if let Some(columns) = body.get("columns").and_then(Value::as_object) {
        for (order, (name, kind)) in columns.iter().enumerate() {
            let kind = kind.as_str().unwrap_or("string").to_string();
            properties.insert(name.clone(), SchemaProperty { property_type: kind, title: Some(name.clone()), display_order: Some(order as u32 + 1), default: None });
        }
    }
    JsonSchemaDocument {
        schema: Some(DRAFT_04.to_string()),
        schema_type: Some("object".into()),
        required: vec!["key".into()],
        properties,
        additional_properties: Some(Value::Bool(false)),
        ..JsonSchemaDocument::default()
    }
}

async fn rows(provider: &GenesysProvider, id: &str) -> ProviderResult<Map<String, Value>> {
    let rows: Vec<Map<String, Value>> = provider.platform().datatables().rows(id).try_collect().await.map_err(wrap(format!("data table {id} rows")))?;
    Ok(rows.into_iter().map(|row| (row.get("key").and_then(Value::as_str).unwrap_or_default().to_string(), Value::Object(row))).collect())
}

pub(super) async fn list(provider: &GenesysProvider, expand: &[String]) -> ProviderResult<Vec<LiveObject>> {
    let tables: Vec<DataTable> = provider.platform().datatables().list(true).try_collect().await.map_err(wrap("data tables"))?;
    let mut out = Vec::with_capacity(tables.len());
    for table in tables {
        let rows = if expand.contains(&table.name) { Some(rows(provider, &table.id).await?) } else { None };
        out.push(neutral(&table, None, rows));
    }
    Ok(out)
}

pub(super) async fn read(provider: &GenesysProvider, id: &str) -> ProviderResult<LiveObject> {
    let fresh = provider.platform().datatables().get(id).await.map_err(wrap(format!("data table {id}")))?;
    let rows = rows(provider, id).await?;
    Ok(neutral(&fresh.value, fresh.etag, Some(rows)))
}

async fn write_rows(provider: &GenesysProvider, id: &str, current: &Map<String, Value>, wanted: Option<&Value>) -> ProviderResult<()> {
    let Some(wanted) = wanted.and_then(Value::as_object) else { return Ok(()) };
    let tables = provider.platform().datatables();
    let what = format!("data table {id} rows");
    for (key, row) in wanted {
        let Some(row_map) = row.as_object() else { continue };
        match current.get(key) {
            None => {
                tables.create_row(id, row_map).await.map_err(wrap(what.clone()))?;
            }
            Some(existing) if existing != row => {
                tables.update_row(id, key, row_map).await.map_err(wrap(what.clone()))?;
            }
            Some(_) => {}
        }
    }
    for key in current.keys().filter(|key| !wanted.contains_key(*key)) {
        tables.delete_row(id, key).await.map_err(wrap(what.clone()))?;
    }
    Ok(())
}

pub(super) async fn create(provider: &GenesysProvider, body: &Value) -> ProviderResult<LiveObject> {
    let table = DataTable {
        name: body.get("name").and_then(Value::as_str).unwrap_or_default().to_string(),
        description: body.get("description").and_then(Value::as_str).map(str::to_string),
        schema: Some(schema(body)),
        ..DataTable::default()
    };
    let created = provider.platform().datatables().create(&table).await.map_err(wrap(format!("data table {}", table.name)))?;
    write_rows(provider, &created.id, &Map::new(), body.get("rows")).await?;
    read(provider, &created.id).await
}

pub(super) async fn update(provider: &GenesysProvider, current: &LiveObject, body: &Value) -> ProviderResult<LiveObject> {
    let what = format!("data table {}", current.name);
    let tables = provider.platform().datatables();
    let fresh = tables.get(&current.id).await.map_err(wrap(what.clone()))?;
    if let (Some(seen), Some(now)) = (&current.guard, &fresh.etag)
        && seen != now
    {
        return Err(crate::provider::ProviderError::Conflict { what, message: format!("changed since read (ETag {seen} → {now})") });
    }
    let wanted = DataTable {
        name: body.get("name").and_then(Value::as_str).unwrap_or_default().to_string(),
        description: body.get("description").and_then(Value::as_str).map(str::to_string).or(fresh.value.description.clone()),
        schema: Some(schema(body)),
        ..fresh.value.clone()
    };
    let fresh_columns = neutral(&fresh.value, None, None).body.get("columns").cloned();
    if wanted.name != fresh.value.name || wanted.description != fresh.value.description || fresh_columns.as_ref() != body.get("columns") {
        tables.update_with_etag(&current.id, &wanted, fresh.etag.as_deref()).await.map_err(wrap(what.clone()))?;
    }
    let current_rows = match current.body.get("rows").and_then(Value::as_object) {
        Some(rows) => rows.clone(),
        None => rows(provider, &current.id).await?,
    };
    write_rows(provider, &current.id, &current_rows, body.get("rows")).await?;
    read(provider, &current.id).await
}
