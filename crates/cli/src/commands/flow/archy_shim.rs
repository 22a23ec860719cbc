//! TEMPORARY: stands in for `switchboard_model::archy` until the Archy importer lands.
use std::collections::BTreeMap;
use switchboard_model::flow::FlowDefinition;
pub fn is_archy(_text: &str) -> bool { false }
pub fn substitute(text: &str, _file: &str, _values: &BTreeMap<String, String>) -> anyhow::Result<String> { Ok(text.to_string()) }
pub fn export(definition: &FlowDefinition) -> String { serde_json::to_string(definition).unwrap_or_default() }
pub fn load_flow(text: &str, file: &str) -> anyhow::Result<FlowDefinition> { Ok(switchboard_model::load::parse_flow_yaml(text, file)?) }
