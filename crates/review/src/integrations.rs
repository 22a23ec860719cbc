//! Which integrations a review probes: every data action the reviewed flows call, resolved by
//! name or id to the org's data action (the real test call needs an action) and its integration.

use crate::static_checks::LoadedFlow;
use futures_util::TryStreamExt;
use std::collections::BTreeMap;
use switchboard_model::flow::Block;
use switchboard_platform::{Platform, PlatformError, PlatformExt};

/// One integration as the flows name it, with the org's action and integration behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeTarget {
    /// The name the flows use (`integration:` of a data action block).
    pub reference: String,
    pub action_id: String,
    pub integration_id: String,
    pub integration_name: String,
    /// Literal inputs the flows give the action (expressions resolve per call and are left out).
    pub inputs: serde_json::Map<String, serde_json::Value>,
}

pub fn subject(target: &ProbeTarget) -> String {
    format!("integration:{}", target.reference)
}

/// Resolves the flows' data-action references; a reference the org lacks is left out (static
/// validation reports it as `unknown-integration`).
pub async fn targets<P: Platform + ?Sized>(platform: &P, flows: &[LoadedFlow]) -> Result<Vec<ProbeTarget>, PlatformError> {
    let mut references: BTreeMap<String, serde_json::Map<String, serde_json::Value>> = BTreeMap::new();
    for flow in flows {
        for block in flow.definition.blocks.values() {
            if let Block::DataAction(action) = block {
                let inputs = references.entry(action.integration.clone()).or_default();
                for (name, value) in &action.inputs {
                    if let Some(literal) = value.literal_value() {
                        inputs.insert(name.clone(), serde_json::Value::String(literal.to_attribute_string()));
                    }
                }
            }
        }
    }
    if references.is_empty() {
        return Ok(Vec::new());
    }
    let actions: Vec<_> = platform.integrations().actions(None).try_collect().await?;
    let integrations: Vec<_> = platform.integrations().list().try_collect().await?;
    let integration_name = |id: &str| {
        integrations.iter().find(|integration| integration.id == id).and_then(|integration| integration.name.clone()).unwrap_or_else(|| id.to_string())
    };
    let mut targets = Vec::new();
    for (reference, inputs) in references {
        let by_action = actions.iter().find(|action| action.id == reference || action.name == reference);
        let by_integration = || {
            let integration = integrations.iter().find(|integration| integration.id == reference || integration.name.as_deref() == Some(reference.as_str()))?;
            actions.iter().find(|action| action.integration_id == integration.id)
        };
        if let Some(action) = by_action.or_else(by_integration) {
            targets.push(ProbeTarget {
                reference,
                action_id: action.id.clone(),
                integration_id: action.integration_id.clone(),
                integration_name: integration_name(&action.integration_id),
                inputs,
            });
        }
    }
    Ok(targets)
}
