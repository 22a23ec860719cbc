//! Parsing flow files and other resource documents from text (the caller reads the file), with
//! errors that name the file, line and column: `flows/main.yaml:12:5: unknown field `nxt`, ...`.

mod flow_file;

pub use flow_file::{FlowLoadError, load_flow};

use crate::flow::FlowDefinition;
use serde::de::DeserializeOwned;

/// A document that did not parse or did not match its type. Displays as one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}{}: {message}", position(*.line, *.column))]
pub struct LoadError {
    pub file: String,
    /// 1-based; `None` when the parser knew no position (e.g. a type error after template resolution).
    pub line: Option<u64>,
    pub column: Option<u64>,
    pub message: String,
}

fn position(line: Option<u64>, column: Option<u64>) -> String {
    match (line, column) {
        (Some(line), Some(column)) => format!(":{line}:{column}"),
        (Some(line), None) => format!(":{line}"),
        _ => String::new(),
    }
}

/// Parses a flow definition written in YAML.
pub fn parse_flow_yaml(text: &str, file_name: &str) -> Result<FlowDefinition, LoadError> {
    parse_yaml(text, file_name)
}

/// Parses a flow definition written in JSON.
pub fn parse_flow_json(text: &str, file_name: &str) -> Result<FlowDefinition, LoadError> {
    parse_json(text, file_name)
}

/// Parses any YAML document into `T` (emulator topologies, deployment manifests, resources).
pub fn parse_yaml<T: DeserializeOwned>(text: &str, file_name: &str) -> Result<T, LoadError> {
    serde_saphyr::from_str(text).map_err(|error| {
        let location = error.location();
        // The plain rendering ends in " at line L, column C"; the position goes in front instead.
        let options = serde_saphyr::render_options! { snippets: serde_saphyr::SnippetMode::Off };
        let rendered = error.render_with_options(options);
        LoadError {
            file: file_name.to_string(),
            line: location.map(|location| location.line()),
            column: location.map(|location| location.column()),
            message: strip_position_suffix(&rendered, " at line ").to_string(),
        }
    })
}

/// Parses any JSON document into `T`.
pub fn parse_json<T: DeserializeOwned>(text: &str, file_name: &str) -> Result<T, LoadError> {
    serde_json::from_str(text).map_err(|error| LoadError {
        file: file_name.to_string(),
        line: (error.line() > 0).then_some(error.line() as u64),
        column: (error.column() > 0).then_some(error.column() as u64),
        message: strip_position_suffix(&error.to_string(), " at line ").to_string(),
    })
}

/// Parses YAML into a generic JSON value, for template resolution before typing
/// (`template::resolve`, then [`from_value`]).
pub fn parse_yaml_value(text: &str, file_name: &str) -> Result<serde_json::Value, LoadError> {
    parse_yaml(text, file_name)
}

/// Types a generic value (after template resolution). Positions are gone by then; the message names the field.
pub fn from_value<T: DeserializeOwned>(value: serde_json::Value, file_name: &str) -> Result<T, LoadError> {
    serde_json::from_value(value).map_err(|error| LoadError {
        file: file_name.to_string(),
        line: None,
        column: None,
        message: error.to_string(),
    })
}

fn strip_position_suffix<'a>(message: &'a str, marker: &str) -> &'a str {
    match message.rfind(marker) {
        Some(index) => &message[..index],
        None => message,
    }
}

#[cfg(test)]
mod tests;
