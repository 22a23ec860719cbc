//! The schema gate (seed 004, edge case 1): a call can move between versions mid-call (through the
//! Traffic Cop), so the candidate's participant-data variables must be a superset of the active
//! version's, with the same types. A removed or renamed variable, or a changed type, refuses the
//! rollout before anything is published.

use std::collections::BTreeMap;
use switchboard_model::flow::{Block, FlowDefinition, VariableType};

/// A participant-data variable's type; attributes written by `set_participant_data` are text.
fn variables(flow: &FlowDefinition) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = flow
        .variables
        .iter()
        .map(|(name, declaration)| {
            let kind = match declaration.variable_type {
                VariableType::String => "string",
                VariableType::Integer => "integer",
                VariableType::Decimal => "decimal",
                VariableType::Boolean => "boolean",
            };
            (name.clone(), kind.to_string())
        })
        .collect();
    for block in flow.blocks.values() {
        if let Block::SetParticipantData { attributes, .. } = block {
            for attribute in attributes {
                out.entry(attribute.name.clone()).or_insert_with(|| "string".to_string());
            }
        }
    }
    out
}

/// One incompatibility, naming the variable.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SchemaProblem {
    pub variable: String,
    pub message: String,
}

impl std::fmt::Display for SchemaProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "variable '{}': {}", self.variable, self.message)
    }
}

/// Every way the candidate breaks the active version's participant-data schema (empty = compatible).
pub fn check_schema(active: &FlowDefinition, candidate: &FlowDefinition) -> Vec<SchemaProblem> {
    let (old, new) = (variables(active), variables(candidate));
    let mut problems = Vec::new();
    for (name, kind) in &old {
        match new.get(name) {
            None => problems.push(SchemaProblem {
                variable: name.clone(),
                message: format!("the active version has it ({kind}); the candidate removed or renamed it — only add variables"),
            }),
            Some(new_kind) if new_kind != kind => problems.push(SchemaProblem {
                variable: name.clone(),
                message: format!("type changed from {kind} to {new_kind}"),
            }),
            Some(_) => {}
        }
    }
    problems
}
