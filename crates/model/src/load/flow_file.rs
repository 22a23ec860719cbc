//! One entry point for a flow file in either format: Archy YAML (recognised by its top-level flow
//! type key) or the flow format in YAML or JSON.

use super::{LoadError, parse_flow_json, parse_flow_yaml};
use crate::archy::{self, ArchyError};
use crate::flow::FlowDefinition;
use std::collections::BTreeMap;

/// Why a flow file did not load. Displays as one line per problem, each naming file and line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FlowLoadError {
    #[error("{0}")]
    Archy(#[from] ArchyError),
    #[error("{0}")]
    Format(#[from] LoadError),
}

/// Loads a flow file: Archy YAML when [`archy::is_archy`], else the flow format (JSON when the file
/// name ends in `.json` or the text starts with `{`, YAML otherwise). An Archy template with
/// placeholders left is refused naming each one; substitute them first ([`archy::substitute`]).
pub fn load_flow(text: &str, file: &str) -> Result<FlowDefinition, FlowLoadError> {
    if archy::is_archy(text) {
        if !archy::placeholders(text).is_empty() {
            archy::substitute(text, file, &BTreeMap::new())?;
        }
        return Ok(archy::import(text, file)?);
    }
    let json = file.ends_with(".json") || text.trim_start().starts_with('{');
    let flow = if json { parse_flow_json(text, file)? } else { parse_flow_yaml(text, file)? };
    let limit = crate::limits::FLOW_BLOCKS_MAX;
    if flow.blocks.len() > limit {
        let message = format!("a flow has at most {limit} blocks, this one has {}", flow.blocks.len());
        return Err(LoadError { file: file.to_string(), line: None, column: None, message }.into());
    }
    Ok(flow)
}
