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

/// The target an export read, written into the exported repository's one environment
/// (`export`) so `plan --env export` reads the same orgs with no flags.
#[derive(Debug, Clone, Default)]
pub struct ExportTarget {
    /// The target actually read (a `--base-url` override, not the environment's placeholder).
    pub target: crate::config::TargetSpec,
    /// The credentials file it was read with, if any (a path, never a secret).
    pub credentials_file: Option<std::path::PathBuf>,
    /// Logical org name → its name on the target, where they differ.
    pub org_names: std::collections::BTreeMap<String, String>,
}

/// The environment an export writes.
pub const EXPORT_ENVIRONMENT: &str = "export";

/// Kinds exported (users are looked up, never managed).
const EXPORTED: [&str; 6] = ["integration", "data_action", "datatable", "flow", "queue", "ivr"];

/// Exports `org` (its provider) into `dir`. `parents` are (org name, provider) of the orgs
/// whose objects this org may reference (its ancestors).
pub async fn export(org: &str, provider: &dyn Provider, parents: &[(&str, &dyn Provider)], dir: &Path, target: &ExportTarget) -> Result<ExportReport, ExportError> {
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
    let manifest = manifest(org, &parents.iter().map(|(parent, _)| *parent).collect::<Vec<_>>(), target);
    write(dir, "switchboard.yaml", &manifest)?;
    files.push("switchboard.yaml".into());
    Ok(ExportReport { org: org.to_string(), dir: dir.display().to_string(), resources: resources.len(), files })
}

/// `switchboard.yaml` of an export: environment `export` on the target read (org names and
/// credentials file included), the parents as a first stage with nothing to manage (they are
/// there to be referenced), then the exported org.
fn manifest(org: &str, parents: &[&str], target: &ExportTarget) -> String {
    let quote = |text: &str| serde_json::to_string(text).unwrap_or_default();
    let spec = &target.target;
    let mut out = format!("# Exported by `switchboard export --org {org}`: the org as it is live.\n");
    out.push_str("# Plan it as is: switchboard plan --env export --config <this directory>\n");
    out.push_str(&format!("environments:\n  {EXPORT_ENVIRONMENT}:\n    target:\n"));
    match &spec.base_url {
        Some(base_url) if !spec.emulator => {
            out.push_str(&format!("      base_url: {}\n", quote(base_url)));
            if let Some(login) = &spec.login_url {
                out.push_str(&format!("      login_url: {}\n", quote(login)));
            }
        }
        _ => out.push_str("      emulator: true\n"),
    }
    if let Some(file) = &target.credentials_file {
        out.push_str(&format!("    credentials:\n      file: {}\n", quote(&file.display().to_string())));
    }
    let names: Vec<(&String, &String)> = target.org_names.iter().filter(|(logical, name)| logical != name && (logical.as_str() == org || parents.contains(&logical.as_str()))).collect();
    if !names.is_empty() {
        out.push_str("    orgs:\n");
        for (logical, name) in names {
            out.push_str(&format!("      {}: {}\n", quote(logical), quote(name)));
        }
    }
    out.push_str("orgs:\n");
    for parent in parents {
        out.push_str(&format!("  - name: {}\n", quote(parent)));
    }
    out.push_str(&format!("  - name: {}\n", quote(org)));
    if let Some(parent) = parents.first() {
        out.push_str(&format!("    parent: {}\n", quote(parent)));
    }
    out.push_str("groups:\n");
    if !parents.is_empty() {
        out.push_str(&format!("  - group: parents\n    org_ids: [{}]\n    components: []\n", parents.iter().map(|parent| quote(parent)).collect::<Vec<_>>().join(", ")));
    }
    out.push_str(&format!("  - group: exported\n    org_ids: [{}]\n    components: [exported]\n", quote(org)));
    out
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
