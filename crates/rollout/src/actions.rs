//! Seed 004 edge case 2, the pure part: what a data action used by the slots must carry while two
//! versions run side by side — `Cache-Control: no-cache` on its request, so no cache in front of
//! the backend answers one version with the other's response, and a `Flow_Version` input (sent as
//! the `X-Flow-Version` header too), so the backend can tell the versions apart.

use serde_json::{Value, json};
use std::collections::BTreeSet;
use switchboard_model::flow::{Block, FlowDefinition};
use switchboard_platform::api::integration::{ActionConfig, ActionContract, ActionInput};

/// The input every data action of a slot gets (the flows pass their `Flow_Version` to it).
pub const FLOW_VERSION_INPUT: &str = "Flow_Version";
pub const CACHE_CONTROL: &str = "Cache-Control";
pub const NO_CACHE: &str = "no-cache";
/// The header that carries the input to the backend (a velocity reference to the input).
pub const FLOW_VERSION_HEADER: &str = "X-Flow-Version";

/// The data actions (integration or action names/ids, as the blocks write them) of these flows.
pub fn action_refs<'a>(flows: impl IntoIterator<Item = &'a FlowDefinition>) -> BTreeSet<String> {
    flows
        .into_iter()
        .flat_map(|flow| flow.blocks.values())
        .filter_map(|block| match block {
            Block::DataAction(action) => Some(action.integration.clone()),
            _ => None,
        })
        .collect()
}

/// Whether the configuration already has the header (any spelling of the name) and the contract
/// the input.
pub fn is_prepared(config: Option<&ActionConfig>, contract: Option<&ActionContract>) -> bool {
    let header_ok = config.is_some_and(|config| {
        config.request.headers.iter().any(|(name, value)| name.eq_ignore_ascii_case(CACHE_CONTROL) && value.trim().eq_ignore_ascii_case(NO_CACHE))
    });
    let input_ok = contract
        .and_then(|contract| contract.input.as_ref())
        .and_then(|input| input.input_schema.as_ref())
        .and_then(|schema| schema.get("properties"))
        .is_some_and(|properties| properties.get(FLOW_VERSION_INPUT).is_some());
    header_ok && input_ok
}

/// The configuration with `Cache-Control: no-cache` (replacing any other cache directive) and the
/// version header; everything else as it was.
pub fn prepared_config(config: Option<ActionConfig>) -> ActionConfig {
    let mut config = config.unwrap_or_default();
    let headers = &mut config.request.headers;
    headers.retain(|name, _| !name.eq_ignore_ascii_case(CACHE_CONTROL));
    headers.insert(CACHE_CONTROL.to_string(), NO_CACHE.to_string());
    if !headers.keys().any(|name| name.eq_ignore_ascii_case(FLOW_VERSION_HEADER)) {
        // A quiet reference (`$!{…}`): a flow that does not pass the input (one outside the
        // rollout calling the same action) sends an empty header, not the template's text.
        headers.insert(FLOW_VERSION_HEADER.to_string(), format!("$!{{input.{FLOW_VERSION_INPUT}}}"));
    }
    config
}

/// The contract with an optional string input `Flow_Version`; other inputs, the required list and
/// the outputs as they were.
pub fn prepared_contract(contract: Option<ActionContract>) -> ActionContract {
    let mut contract = contract.unwrap_or_default();
    let input = contract.input.get_or_insert_with(ActionInput::default);
    let schema = input.input_schema.get_or_insert_with(|| json!({"$schema": "http://json-schema.org/draft-04/schema#", "type": "object"}));
    if !schema.is_object() {
        *schema = json!({"type": "object"});
    }
    if let Value::Object(fields) = schema {
        let properties = fields.entry("properties").or_insert_with(|| json!({}));
        if !properties.is_object() {
            *properties = json!({});
        }
        if let Value::Object(properties) = properties {
            properties.entry(FLOW_VERSION_INPUT).or_insert_with(|| {
                json!({"type": "string", "description": "The IVR version that called (switchboard rollout, seed 004)"})
            });
        }
    }
    contract
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use switchboard_platform::api::integration::RequestConfig;

    #[test]
    fn preparing_keeps_everything_else_and_is_a_fixed_point() {
        let config = ActionConfig {
            timeout_seconds: Some(4),
            request: RequestConfig {
                request_url_template: "https://crm/${input.id}".into(),
                request_type: "GET".into(),
                headers: BTreeMap::from([("cache-control".to_string(), "max-age=60".to_string()), ("Accept".to_string(), "application/json".to_string())]),
                ..RequestConfig::default()
            },
            response: None,
        };
        let contract = ActionContract {
            input: Some(ActionInput { input_schema: Some(json!({"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}})) }),
            output: None,
        };
        assert!(!is_prepared(Some(&config), Some(&contract)));
        let (config, contract) = (prepared_config(Some(config)), prepared_contract(Some(contract)));
        assert!(is_prepared(Some(&config), Some(&contract)));
        assert_eq!(config.request.headers.get("Cache-Control").map(String::as_str), Some("no-cache"));
        assert!(!config.request.headers.contains_key("cache-control"), "the old directive is replaced, not doubled");
        assert_eq!(config.request.headers.get("Accept").map(String::as_str), Some("application/json"));
        let schema = contract.input.as_ref().and_then(|input| input.input_schema.clone()).unwrap_or_default();
        assert_eq!(schema["required"], json!(["id"]), "Flow_Version is optional");
        assert_eq!(schema["properties"]["id"]["type"], "string");
        assert_eq!(schema["properties"]["Flow_Version"]["type"], "string");
        assert_eq!(prepared_config(Some(config.clone())), config);
        assert_eq!(prepared_contract(Some(contract.clone())), contract);
    }
}
