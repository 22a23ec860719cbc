//! Template variables: `{{NAME}}` (spaces inside the braces allowed) in any string of a flow or other
//! resource document, resolved per org by deploy. Plain substitution, no logic: the values come from
//! a deployment group's variables, and a missing one is an error naming the variable and its place.

use crate::flow::FlowDefinition;
use serde_json::Value as Json;
use crate::limits::PLACEHOLDERS_MAX;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("template variable `{variable}` is not set (used at {path})")]
    Unresolved { variable: String, path: String },
    #[error("malformed template `{text}` at {path}: expected `{{{{NAME}}}}` with NAME of letters, digits, `_`, `.`, `-`")]
    Malformed { text: String, path: String },
    #[error("more than {limit} template variables in one document")]
    TooMany { limit: usize },
    #[error("the resolved document is no longer a valid flow: {message}")]
    Invalid { message: String },
}

/// One piece of a string: literal text or a variable name.
enum Piece<'a> {
    Text(&'a str),
    Variable(&'a str),
}

/// Splits a string into text and `{{NAME}}` pieces; `Err` holds the malformed `{{...` fragment.
fn pieces(text: &str) -> Result<Vec<Piece<'_>>, &str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        out.push(Piece::Text(&rest[..open]));
        let after_open = &rest[open + 2..];
        let Some(close) = after_open.find("}}") else { return Err(&rest[open..]) };
        let name = after_open[..close].trim();
        if !is_variable_name(name) {
            return Err(&rest[open..open + 2 + close + 2]);
        }
        out.push(Piece::Variable(name));
        rest = &after_open[close + 2..];
    }
    out.push(Piece::Text(rest));
    Ok(out)
}

fn is_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// Every variable name used in any string of `document` (object keys are not templated).
/// Malformed fragments are skipped here; [`resolve`] reports them.
pub fn find_variables(document: &Json) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    collect(document, &mut names);
    names
}

fn collect(document: &Json, names: &mut BTreeSet<String>) {
    match document {
        Json::String(text) => {
            if let Ok(parts) = pieces(text) {
                for part in parts {
                    if let Piece::Variable(name) = part {
                        names.insert(name.to_string());
                    }
                }
            }
        }
        Json::Array(items) => items.iter().for_each(|item| collect(item, names)),
        Json::Object(map) => map.values().for_each(|item| collect(item, names)),
        Json::Null | Json::Bool(_) | Json::Number(_) => {}
    }
}

/// Substitutes every `{{NAME}}` in every string. Results stay strings; typed fields that need a
/// number (a randomize weight) accept numeric strings.
pub fn resolve(document: &Json, variables: &BTreeMap<String, String>) -> Result<Json, TemplateError> {
    resolve_at(document, variables, &mut String::new())
}

fn resolve_at(document: &Json, variables: &BTreeMap<String, String>, path: &mut String) -> Result<Json, TemplateError> {
    match document {
        Json::String(text) => resolve_string(text, variables, path).map(Json::String),
        Json::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (index, item) in items.iter().enumerate() {
                let length = path.len();
                path.push_str(&format!("[{index}]"));
                out.push(resolve_at(item, variables, path)?);
                path.truncate(length);
            }
            Ok(Json::Array(out))
        }
        Json::Object(map) => {
            let mut out = serde_json::Map::with_capacity(map.len());
            for (key, item) in map {
                let length = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                out.insert(key.clone(), resolve_at(item, variables, path)?);
                path.truncate(length);
            }
            Ok(Json::Object(out))
        }
        other => Ok(other.clone()),
    }
}

fn resolve_string(text: &str, variables: &BTreeMap<String, String>, path: &str) -> Result<String, TemplateError> {
    let display_path = if path.is_empty() { "(root)".to_string() } else { path.to_string() };
    let parts = pieces(text).map_err(|fragment| TemplateError::Malformed {
        text: fragment.to_string(),
        path: display_path.clone(),
    })?;
    let mut out = String::with_capacity(text.len());
    for part in parts {
        match part {
            Piece::Text(literal) => out.push_str(literal),
            Piece::Variable(name) => match variables.get(name) {
                Some(value) => out.push_str(value),
                None => {
                    return Err(TemplateError::Unresolved { variable: name.to_string(), path: display_path });
                }
            },
        }
    }
    Ok(out)
}

/// A variable problem found in a text template, with its 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextDiagnostic {
    pub line: usize,
    pub column: usize,
    pub error: TemplateError,
}

/// Substitutes `{{NAME}}` in a whole text before it is parsed (deploy's component files), so
/// every unset variable or malformed `{{` is reported with its line and column; all of them, not
/// the first (up to [`PLACEHOLDERS_MAX`] variables; a text with more is refused as a whole).
/// Lines are kept, so positions in the result still match the source. Linear in the text.
pub fn resolve_text(text: &str, variables: &BTreeMap<String, String>) -> Result<String, Vec<TextDiagnostic>> {
    let mut out = String::with_capacity(text.len());
    let mut diagnostics = Vec::new();
    let mut found = 0usize;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        // Columns come from where each piece lies in the line (pieces are slices of it), not
        // from searching the line again, which made a line of many variables quadratic.
        let column_of = |fragment: &str| fragment.as_ptr() as usize - line.as_ptr() as usize + 1;
        match pieces(line) {
            Err(fragment) => {
                let path = format!("line {}", index + 1);
                diagnostics.push(TextDiagnostic { line: index + 1, column: column_of(fragment), error: TemplateError::Malformed { text: fragment.trim_end().to_string(), path } });
                out.push_str(line);
            }
            Ok(parts) => {
                for part in parts {
                    match part {
                        Piece::Text(literal) => out.push_str(literal),
                        Piece::Variable(name) => {
                            found += 1;
                            if found > PLACEHOLDERS_MAX {
                                let error = TemplateError::TooMany { limit: PLACEHOLDERS_MAX };
                                return Err(vec![TextDiagnostic { line: index + 1, column: column_of(name), error }]);
                            }
                            match variables.get(name) {
                                Some(value) => out.push_str(value),
                                None => diagnostics.push(TextDiagnostic {
                                    line: index + 1,
                                    column: column_of(name).saturating_sub(2).max(1),
                                    error: TemplateError::Unresolved { variable: name.to_string(), path: format!("line {}", index + 1) },
                                }),
                            }
                        }
                    }
                }
            }
        }
    }
    if diagnostics.is_empty() { Ok(out) } else { Err(diagnostics) }
}

/// [`resolve`] for a typed flow: every string field (names, prompts, expressions, references).
pub fn resolve_flow(flow: &FlowDefinition, variables: &BTreeMap<String, String>) -> Result<FlowDefinition, TemplateError> {
    let document = serde_json::to_value(flow).map_err(|error| TemplateError::Invalid { message: error.to_string() })?;
    let resolved = resolve(&document, variables)?;
    serde_json::from_value(resolved).map_err(|error| TemplateError::Invalid { message: error.to_string() })
}

#[cfg(test)]
mod tests;
