//! `export --org O --dir D`: a config repository from live state. Ids become logical
//! references (`$ref{...}`, into the parent org where the object lives there), flows become
//! Archy YAML files, and `plan` on the result shows no changes.

use std::path::Path;

use serde_json::{Map, Value, json};

use crate::key::replace_references;
use crate::plan::IdIndex;
use crate::provider::{LiveObject, Provider, ProviderError};

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Provider(#[from] ProviderError),
    #[error("{path}: {message}")]
    Write { path: String, message: String },
}

/// What was written.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ExportReport {
    pub org: String,
    pub dir: String,
    pub resources: usize,
    pub files: Vec<String>,
}

/// Kinds exported (users are looked up, never managed).
const EXPORTED: [&str; 6] = ["integration", "data_action", "datatable", "flow", "queue", "ivr"];

/// Exports `org` (its provider) into `dir`. `parents` are (org name, provider) of the orgs
/// whose objects this org may reference (its ancestors).
pub async fn export(org: &str, provider: &dyn Provider, parents: &[(&str, &dyn Provider)], dir: &Path, target: crate::config::TargetSpec) -> Result<ExportReport, ExportError> {
    let mut index = IdIndex::default();
    let mut objects: Vec<LiveObject> = Vec::new();
    for kind in EXPORTED {
        let listed = provider.list(kind, &[]).await?;
        let names: Vec<String> = listed.iter().map(|object| object.name.clone()).collect();
        // Sub-collections (members, rows, flow content) are part of what is exported.
        let expanded = if matches!(kind, "queue" | "datatable" | "flow") { provider.list(kind, &names).await? } else { listed };
        objects.extend(expanded);
    }
    for user in provider.list("user", &[]).await? {
        index.insert(org, &user.kind, &user.name, &user.id, true);
    }
    for object in &objects {
        index.insert(org, &object.kind, &object.name, &object.id, true);
    }
    for (parent, parent_provider) in parents {
        for kind in ["queue", "flow", "integration", "data_action", "datatable"] {
            for object in parent_provider.list(kind, &[]).await? {
                index.insert(parent, &object.kind, &object.name, &object.id, true);
            }
        }
    }
    let reverse = index.reverse(org);
    let mut resources = Vec::new();
    let mut files = Vec::new();
    for object in &objects {
        let body = to_references(&object.body, &reverse);
        let document = match object.kind.as_str() {
            "flow" => {
                let Some(yaml) = body.get("yaml").and_then(Value::as_str) else { continue };
                let file = format!("flows/{}.yaml", file_name(&object.name));
                write(dir, &file, yaml)?;
                files.push(file.clone());
                json!({"flow": {"name": object.name, "file": file}})
            }
            "queue" => {
                let mut doc = body.as_object().cloned().unwrap_or_default();
                if let Some(flow) = doc.remove("queueFlow").and_then(|flow| flow.get("id").cloned()) {
                    doc.insert("queueFlow".into(), flow);
                }
                json!({"queue": doc})
            }
            "datatable" => {
                let mut doc = body.as_object().cloned().unwrap_or_default();
                let rows: Vec<Value> = doc.remove("rows").and_then(|rows| rows.as_object().cloned()).unwrap_or_default().into_values().collect();
                doc.insert("rows".into(), Value::Array(rows));
                json!({"datatable": doc})
            }
            "integration" => {
                let mut doc = body.as_object().cloned().unwrap_or_default();
                if let Some(kind) = doc.remove("integrationType") {
                    doc.insert("type".into(), kind);
                }
                json!({"integration": doc})
            }
            "data_action" => {
                let mut doc = Map::new();
                doc.insert("name".into(), json!(object.name));
                doc.insert("integration".into(), body.get("integrationId").cloned().unwrap_or(Value::Null));
                if let Some(category) = body.get("category") {
                    doc.insert("category".into(), category.clone());
                }
                if let Some(config) = body.get("config") {
                    if let Some(timeout) = config.get("timeoutSeconds") {
                        doc.insert("timeoutSeconds".into(), timeout.clone());
                    }
                    if let Some(request) = config.get("request") {
                        doc.insert("request".into(), request.clone());
                    }
                }
                json!({"data_action": doc})
            }
            "ivr" => {
                let mut doc = body.as_object().cloned().unwrap_or_default();
                for key in ["openHoursFlow", "closedHoursFlow"] {
                    if let Some(flow) = doc.remove(key).and_then(|flow| flow.get("id").cloned()) {
                        doc.insert(key.into(), flow);
                    }
                }
                json!({"ivr": doc})
            }
            _ => continue,
        };
        resources.push(document);
    }
    let component = json!({"description": format!("Exported from org {org}"), "resources": resources});
    let text = serde_saphyr::to_string(&component).map_err(|error| ExportError::Write { path: "components/exported.yaml".into(), message: error.to_string() })?;
    write(dir, "components/exported.yaml", &text)?;
    files.push("components/exported.yaml".into());
    let mut parents_yaml = String::new();
    for (parent, _) in parents {
        parents_yaml.push_str(&format!("  - name: {parent}\n"));
    }
    let target_yaml = match (&target.base_url, target.emulator) {
        (Some(base_url), _) => format!("      base_url: {base_url}\n{}", target.login_url.as_ref().map(|login| format!("      login_url: {login}\n")).unwrap_or_default()),
        (None, _) => "      emulator: true\n".to_string(),
    };
    let parent_line = parents.first().map(|(parent, _)| format!("    parent: {parent}\n")).unwrap_or_default();
    // Parents form the first stage, with nothing to manage: they are there to be referenced.
    let parent_group = if parents.is_empty() {
        String::new()
    } else {
        format!("  - group: parents\n    org_ids: [{}]\n    components: []\n", parents.iter().map(|(parent, _)| *parent).collect::<Vec<_>>().join(", "))
    };
    let manifest = format!(
        "# Exported by `switchboard export --org {org}`: the org as it is live.\nenvironments:\n  export:\n    target:\n{target_yaml}orgs:\n{parents_yaml}  - name: {org}\n{parent_line}groups:\n{parent_group}  - group: exported\n    org_ids: [{org}]\n    components: [exported]\n"
    );
    write(dir, "switchboard.yaml", &manifest)?;
    files.push("switchboard.yaml".into());
    Ok(ExportReport { org: org.to_string(), dir: dir.display().to_string(), resources: resources.len(), files })
}

/// Every string that is an id we know becomes its reference.
fn to_references(body: &Value, reverse: &std::collections::BTreeMap<String, String>) -> Value {
    match body {
        Value::String(text) => match reverse.get(text) {
            Some(reference) => Value::String(reference.clone()),
            None => Value::String(replace_references(text, |_| None)),
        },
        Value::Array(items) => Value::Array(items.iter().map(|item| to_references(item, reverse)).collect()),
        Value::Object(map) => Value::Object(map.iter().map(|(key, value)| (key.clone(), to_references(value, reverse))).collect()),
        other => other.clone(),
    }
}

fn file_name(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect()
}

fn write(dir: &Path, relative: &str, text: &str) -> Result<(), ExportError> {
    let path = dir.join(relative);
    let wrap = |error: std::io::Error| ExportError::Write { path: path.display().to_string(), message: error.to_string() };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(wrap)?;
    }
    std::fs::write(&path, text).map_err(wrap)
}
