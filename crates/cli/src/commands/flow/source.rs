//! Reading a flow file: substitutions first (on the text, as Archy and CX-as-Code do), then either
//! format through the model's one loader.

use crate::args::SubstitutionArgs;
use anyhow::{Context, bail};
use std::collections::BTreeMap;
use std::path::Path;
use switchboard_model::flow::FlowDefinition;

/// A flow file as read: its text after substitution, which format it was, and the flow.
pub struct FlowFile {
    pub path: String,
    pub text: String,
    pub archy: bool,
    pub definition: FlowDefinition,
}

/// `--set name=value` pairs over the values of `--substitutions FILE` (YAML or JSON: a flat map or
/// Archy's options file with a `substitutions:` map).
pub fn substitutions(arguments: &SubstitutionArgs) -> anyhow::Result<BTreeMap<String, String>> {
    let mut values = BTreeMap::new();
    if let Some(path) = &arguments.substitutions {
        let label = path.display().to_string();
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {label}"))?;
        let document = switchboard_model::load::parse_yaml_value(&text, &label)?;
        let map = document.get("substitutions").cloned().unwrap_or(document);
        let Some(map) = map.as_object() else {
            bail!("{label}: expected a map of substitutions (name: value)");
        };
        for (name, value) in map {
            let value = match value {
                serde_json::Value::String(text) => text.clone(),
                serde_json::Value::Number(_) | serde_json::Value::Bool(_) => value.to_string(),
                _ => bail!("{label}: substitution `{name}` must be a string, number or boolean"),
            };
            values.insert(name.clone(), value);
        }
    }
    for pair in &arguments.set {
        let Some((name, value)) = pair.split_once('=') else {
            bail!("--set {pair}: expected NAME=VALUE");
        };
        if name.trim().is_empty() {
            bail!("--set {pair}: the name is empty");
        }
        values.insert(name.trim().to_string(), value.to_string());
    }
    Ok(values)
}

/// Reads and loads `path`; errors name the file and line.
pub fn read(path: &Path, values: &BTreeMap<String, String>) -> anyhow::Result<FlowFile> {
    let (label, text, archy) = read_text(path, values)?;
    let definition = switchboard_model::load_flow(&text, &label)?;
    Ok(FlowFile { path: label, text, archy, definition })
}

/// Reads `path` and applies substitutions, without loading: (label, text, is Archy).
pub fn read_text(path: &Path, values: &BTreeMap<String, String>) -> anyhow::Result<(String, String, bool)> {
    let label = path.display().to_string();
    let raw = std::fs::read_to_string(path).with_context(|| format!("reading {label}"))?;
    let archy = switchboard_model::archy::is_archy(&raw);
    // Our format keeps `{{VAR}}` for deploy to resolve per org; Archy substitutes before parsing.
    let text = if archy { switchboard_model::archy::substitute(&raw, &label, values)? } else { raw };
    Ok((label, text, archy))
}

/// The 1-based line where `needle` first appears as a YAML key or value, for diagnostics that
/// name a block rather than a position.
pub fn line_of(text: &str, needle: &str) -> Option<usize> {
    text.lines().position(|line| {
        let trimmed = line.trim_start().trim_start_matches("- ");
        trimmed.starts_with(&format!("{needle}:")) || trimmed.ends_with(&format!(": {needle}")) || trimmed.contains(&format!("[{needle}]"))
    })
    .map(|index| index + 1)
}
