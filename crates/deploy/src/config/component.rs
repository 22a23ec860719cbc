//! A component file: `resources:`, each a one-key mapping naming its kind (`queue:`, `flow:`,
//! `datatable:`, `integration:`, `data_action:`, `ivr:`). Fields are checked (unknown keys are
//! errors with their line) and turned into the provider-neutral document the engine diffs.

use serde::Deserialize;
use serde_json::{Map, Value, json};
use serde_saphyr::Spanned;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComponentFile {
    /// For readers of the file; not used by the engine.
    #[serde(default)]
    #[allow(dead_code)]
    pub description: Option<String>,
    pub resources: Vec<ResourceDoc>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceDoc {
    Queue(QueueDoc),
    Flow(FlowDoc),
    Datatable(DataTableDoc),
    Integration(IntegrationDoc),
    DataAction(DataActionDoc),
    Ivr(IvrDoc),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct QueueDoc {
    pub name: Spanned<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// Media type (`call`, `chat`, ...) → its settings, typed like the platform's.
    #[serde(default)]
    pub media_settings: Option<BTreeMap<MediaType, MediaSettingsDoc>>,
    #[serde(default)]
    pub acw_settings: Option<AcwSettingsDoc>,
    #[serde(default)]
    pub skill_evaluation_method: Option<SkillEvaluationMethod>,
    /// `$ref{flow/...}` of the in-queue flow.
    #[serde(default)]
    pub queue_flow: Option<String>,
    /// `$ref{user/EMAIL}` of each member.
    #[serde(default)]
    pub members: Option<Vec<String>>,
    #[serde(default, rename = "depends_on")]
    pub depends_on: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowDoc {
    pub name: Spanned<String>,
    /// Archy YAML, relative to the repository root; `{{VAR}}` and `$ref{...}` apply to it too.
    pub file: Spanned<String>,
    #[serde(default)]
    pub depends_on: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataTableDoc {
    pub name: Spanned<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// Column → `string`, `integer`, `number` or `boolean`; `key` is implied.
    #[serde(default)]
    pub columns: BTreeMap<String, ColumnType>,
    /// Each row needs a `key`.
    #[serde(default)]
    pub rows: Vec<Spanned<Map<String, Value>>>,
    #[serde(default)]
    pub depends_on: Vec<String>,
}

/// The media types a queue has settings for (the platform's keys).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MediaType {
    Call,
    Callback,
    Chat,
    Email,
    Message,
}

/// A number field read whole first, so a wrong type is refused naming the field (the YAML
/// parser's own message says only what it expected).
fn number<'de, D: serde::Deserializer<'de>>(deserializer: D, field: &str, integer: bool, max: f64) -> Result<Option<f64>, D::Error> {
    use serde::de::Error as _;
    let value = Value::deserialize(deserializer)?;
    let fits = |number: &serde_json::Number| (!integer || number.is_u64()) && number.as_f64().is_some_and(|found| (0.0..=max).contains(&found));
    match &value {
        Value::Null => Ok(None),
        Value::Number(found) if fits(found) => Ok(found.as_f64()),
        other => {
            let wanted = if integer { format!("an integer from 0 to {max}") } else { format!("a number from 0 to {max}") };
            Err(D::Error::custom(format!("`{field}` must be {wanted}, got {} {other}", json_kind(other))))
        }
    }
}

fn alerting_timeout_seconds<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<u32>, D::Error> {
    Ok(number(deserializer, "alertingTimeoutSeconds", true, f64::from(u32::MAX))?.map(|found| found as u32))
}

fn duration_ms<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    use serde::de::Error as _;
    number(deserializer, "durationMs", true, 9.0e15)?.map(|found| found as u64).ok_or_else(|| D::Error::custom("`durationMs` is required"))
}

fn percentage<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    use serde::de::Error as _;
    number(deserializer, "percentage", false, 1.0)?.ok_or_else(|| D::Error::custom("`percentage` is required"))
}

fn timeout_ms<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    Ok(number(deserializer, "timeoutMs", true, 9.0e15)?.map(|found| found as u64))
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MediaSettingsDoc {
    #[serde(default, deserialize_with = "alerting_timeout_seconds", skip_serializing_if = "Option::is_none")]
    pub alerting_timeout_seconds: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_level: Option<ServiceLevelDoc>,
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ServiceLevelDoc {
    /// Fraction (0..1) answered within `durationMs`.
    #[serde(deserialize_with = "percentage")]
    pub percentage: f64,
    #[serde(deserialize_with = "duration_ms")]
    pub duration_ms: u64,
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AcwSettingsDoc {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wrapup_prompt: Option<WrapupPrompt>,
    #[serde(default, deserialize_with = "timeout_ms", skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
}

#[derive(Debug, Clone, Copy, Deserialize, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum WrapupPrompt {
    Optional,
    Mandatory,
    MandatoryTimeout,
    MandatoryForcedTimeout,
    AgentRequested,
}

#[derive(Debug, Clone, Copy, Deserialize, serde::Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum SkillEvaluationMethod {
    None,
    Best,
    All,
}

/// A data-table column's type (the platform's JSON schema types).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnType {
    String,
    Integer,
    Number,
    Boolean,
}

impl ColumnType {
    /// Whether `value` fits (null leaves a cell empty; a `{capacity: ...}` weight becomes an
    /// integer when it is read).
    fn accepts(self, value: &Value) -> bool {
        let capacity = value.as_object().is_some_and(|map| map.len() == 1 && map.contains_key("capacity"));
        match (self, value) {
            (_, Value::Null) => true,
            (ColumnType::String, Value::String(_)) | (ColumnType::Boolean, Value::Bool(_)) | (ColumnType::Number, Value::Number(_)) => true,
            (ColumnType::Integer, Value::Number(number)) => number.is_i64() || number.is_u64(),
            (ColumnType::Integer | ColumnType::Number, _) => capacity,
            _ => false,
        }
    }

    fn article(self) -> &'static str {
        match self {
            ColumnType::String => "a string",
            ColumnType::Integer => "an integer",
            ColumnType::Number => "a number",
            ColumnType::Boolean => "a boolean",
        }
    }
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(number) if number.is_i64() || number.is_u64() => "an integer",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

impl DataTableDoc {
    /// Every row against the columns: a string `key`, only declared columns, each value of its
    /// column's type. (line, message) per problem, all of them.
    pub fn check_rows(&self) -> Vec<(usize, String)> {
        let mut problems = Vec::new();
        let table = &self.name.value;
        for row in &self.rows {
            let line = row.referenced.line() as usize;
            let key = match row.value.get("key") {
                Some(Value::String(key)) if !key.is_empty() => key.clone(),
                Some(other) => {
                    problems.push((line, format!("datatable {table}: row field `key` must be a non-empty string, got {}", json_kind(other))));
                    continue;
                }
                None => {
                    problems.push((line, format!("datatable {table}: a row has no `key`")));
                    continue;
                }
            };
            for (field, value) in row.value.iter().filter(|(field, _)| field.as_str() != "key") {
                match self.columns.get(field) {
                    None => problems.push((line, format!("datatable {table} row `{key}`: field `{field}` is not a column (columns: {})", self.columns.keys().cloned().collect::<Vec<_>>().join(", ")))),
                    Some(column) if !column.accepts(value) => {
                        problems.push((line, format!("datatable {table} row `{key}`: field `{field}` is {} column, got {} ({value})", column.article(), json_kind(value))))
                    }
                    Some(_) => {}
                }
            }
        }
        problems
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntegrationDoc {
    pub name: Spanned<String>,
    /// The integration type id (`custom-rest-actions`, ...).
    #[serde(rename = "type")]
    pub integration_type: String,
    #[serde(default)]
    pub notes: Option<String>,
    /// The configuration's properties (`endpointUrl`, ...).
    #[serde(default)]
    pub properties: Map<String, Value>,
    #[serde(default)]
    pub depends_on: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DataActionDoc {
    pub name: Spanned<String>,
    /// `$ref{integration/NAME}`.
    pub integration: String,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub timeout_seconds: Option<u64>,
    pub request: RequestDoc,
    #[serde(default, rename = "depends_on")]
    pub depends_on: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RequestDoc {
    pub request_url_template: String,
    pub request_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_template: Option<String>,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
}

/// An IVR config: the DIDs (`dnis`) and the flows they route to.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct IvrDoc {
    pub name: Spanned<String>,
    #[serde(default)]
    pub description: Option<String>,
    pub dnis: Vec<String>,
    /// `$ref{flow/...}`.
    pub open_hours_flow: String,
    #[serde(default)]
    pub closed_hours_flow: Option<String>,
    #[serde(default, rename = "depends_on")]
    pub depends_on: Vec<String>,
}

/// What the repository loader needs from a resource document.
pub struct Rendered {
    pub kind: &'static str,
    pub name: String,
    pub line: usize,
    pub body: Value,
    pub depends_on: Vec<String>,
    /// A flow's Archy file, read and templated by the loader.
    pub flow_file: Option<(String, usize)>,
}

fn put(map: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(value) = value {
        map.insert(key.to_string(), value);
    }
}

impl ResourceDoc {
    pub fn render(self) -> Rendered {
        match self {
            ResourceDoc::Queue(doc) => {
                let mut body = Map::new();
                body.insert("name".into(), json!(doc.name.value));
                put(&mut body, "description", doc.description.map(Value::String));
                put(&mut body, "mediaSettings", doc.media_settings.and_then(|settings| serde_json::to_value(settings).ok()));
                put(&mut body, "acwSettings", doc.acw_settings.and_then(|settings| serde_json::to_value(settings).ok()));
                put(&mut body, "skillEvaluationMethod", doc.skill_evaluation_method.and_then(|method| serde_json::to_value(method).ok()));
                put(&mut body, "queueFlow", doc.queue_flow.map(|flow| json!({"id": flow})));
                put(&mut body, "members", doc.members.map(|mut members| {
                    members.sort();
                    members.dedup();
                    json!(members)
                }));
                Rendered { kind: "queue", line: doc.name.referenced.line() as usize, name: doc.name.value, body: Value::Object(body), depends_on: doc.depends_on, flow_file: None }
            }
            ResourceDoc::Flow(doc) => Rendered {
                kind: "flow",
                line: doc.name.referenced.line() as usize,
                body: json!({"name": doc.name.value}),
                name: doc.name.value,
                depends_on: doc.depends_on,
                flow_file: Some((doc.file.value, doc.file.referenced.line() as usize)),
            },
            ResourceDoc::Datatable(doc) => {
                let rows: Map<String, Value> = doc
                    .rows
                    .into_iter()
                    .map(|row| {
                        let key = row.value.get("key").and_then(Value::as_str).unwrap_or_default().to_string();
                        (key, Value::Object(row.value))
                    })
                    .collect();
                let mut body = Map::new();
                body.insert("name".into(), json!(doc.name.value));
                put(&mut body, "description", doc.description.map(Value::String));
                body.insert("columns".into(), json!(doc.columns));
                body.insert("rows".into(), Value::Object(rows));
                Rendered { kind: "datatable", line: doc.name.referenced.line() as usize, name: doc.name.value, body: Value::Object(body), depends_on: doc.depends_on, flow_file: None }
            }
            ResourceDoc::Integration(doc) => {
                let mut body = Map::new();
                body.insert("name".into(), json!(doc.name.value));
                body.insert("integrationType".into(), json!(doc.integration_type));
                put(&mut body, "notes", doc.notes.map(Value::String));
                body.insert("properties".into(), Value::Object(doc.properties));
                Rendered { kind: "integration", line: doc.name.referenced.line() as usize, name: doc.name.value, body: Value::Object(body), depends_on: doc.depends_on, flow_file: None }
            }
            ResourceDoc::DataAction(doc) => {
                let mut config = Map::new();
                put(&mut config, "timeoutSeconds", doc.timeout_seconds.map(|seconds| json!(seconds)));
                config.insert("request".into(), serde_json::to_value(&doc.request).unwrap_or(Value::Null));
                let mut body = Map::new();
                body.insert("name".into(), json!(doc.name.value));
                body.insert("integrationId".into(), json!(doc.integration));
                put(&mut body, "category", doc.category.map(Value::String));
                body.insert("config".into(), Value::Object(config));
                Rendered { kind: "data_action", line: doc.name.referenced.line() as usize, name: doc.name.value, body: Value::Object(body), depends_on: doc.depends_on, flow_file: None }
            }
            ResourceDoc::Ivr(doc) => {
                let mut dnis = doc.dnis;
                dnis.sort();
                let mut body = Map::new();
                body.insert("name".into(), json!(doc.name.value));
                put(&mut body, "description", doc.description.map(Value::String));
                body.insert("dnis".into(), json!(dnis));
                body.insert("openHoursFlow".into(), json!({"id": doc.open_hours_flow}));
                put(&mut body, "closedHoursFlow", doc.closed_hours_flow.map(|flow| json!({"id": flow})));
                Rendered { kind: "ivr", line: doc.name.referenced.line() as usize, name: doc.name.value, body: Value::Object(body), depends_on: doc.depends_on, flow_file: None }
            }
        }
    }
}
