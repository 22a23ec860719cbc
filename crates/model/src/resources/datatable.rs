//! Data tables: typed columns and a string key column `key`, read live by flows (Traffic Cop).

use crate::flow::Value;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataTable {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Columns other than the key. The platform lets columns be added, never removed.
    pub columns: Vec<Column>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rows: Vec<DataTableRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Column {
    pub name: String,
    #[serde(rename = "type")]
    pub column_type: ColumnType,
    #[serde(default)]
    pub required: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnType {
    String,
    Integer,
    Number,
    Boolean,
}

/// One row: the key plus column values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataTableRow {
    pub key: String,
    #[serde(default)]
    pub values: BTreeMap<String, Value>,
}

impl DataTable {
    /// The key column's name on the platform.
    pub const KEY_COLUMN: &'static str = "key";

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|column| column.name == name)
    }

    pub fn row(&self, key: &str) -> Option<&DataTableRow> {
        self.rows.iter().find(|row| row.key == key)
    }

    /// Everything wrong with a row against this table's columns (empty when it fits).
    pub fn row_problems(&self, row: &DataTableRow) -> Vec<String> {
        let mut problems = Vec::new();
        if row.key.is_empty() {
            problems.push("row key is empty".to_string());
        }
        for (name, value) in &row.values {
            match self.column(name) {
                None => problems.push(format!("row `{}`: unknown column `{name}`", row.key)),
                Some(column) if !column.column_type.accepts(value) => problems.push(format!(
                    "row `{}`: column `{name}` is {:?}, got {value:?}",
                    row.key, column.column_type
                )),
                Some(_) => {}
            }
        }
        for column in self.columns.iter().filter(|column| column.required) {
            if !row.values.contains_key(&column.name) {
                problems.push(format!("row `{}`: required column `{}` is missing", row.key, column.name));
            }
        }
        problems
    }
}

impl ColumnType {
    pub fn accepts(self, value: &Value) -> bool {
        matches!(
            (self, value),
            (ColumnType::String, Value::String(_))
                | (ColumnType::Integer, Value::Integer(_))
                | (ColumnType::Number, Value::Integer(_) | Value::Decimal(_))
                | (ColumnType::Boolean, Value::Boolean(_))
        )
    }
}

super::resource!(DataTable, "datatable");
