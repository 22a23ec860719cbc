//! Data-table schemas: draft-04, `additionalProperties: false`, a required string `key`.
//! Used by the data-table handlers and seeding.

use serde_json::Value;
use std::collections::BTreeMap;
use switchboard_api::datatable::{DRAFT_04, JsonSchemaDocument, SchemaProperty};

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
