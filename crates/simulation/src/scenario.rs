//! Scenarios: a contact-center day described in YAML — flows, integrations, data tables, queues,
//! agents, DIDs with arrival rates — checked and compiled once so the engine runs on indices.
//!
//! No I/O: flows given as `file:` are read by the caller through [`load_scenario_with_files`].

mod spec;

pub use spec::*;

use switchboard_model::load::{LoadError, parse_yaml};
use crate::distribution::{DistributionError, DurationDistribution, Sampler};
use crate::runtime::{FlowHandle, FlowProgram};
use std::collections::HashMap;
use std::sync::Arc;
use switchboard_model::flow::{Block, FlowDefinition};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScenarioError {
    #[error("{file}:{line}:{column}: {message}")]
    Syntax { file: String, line: u64, column: u64, message: String },
    #[error("{file}{}: {field}: {message}", line.map(|line| format!(":{line}")).unwrap_or_default())]
    Invalid { file: String, line: Option<u64>, field: String, message: String },
}

/// A checked scenario, ready to run.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub spec: ScenarioSpec,
    pub(crate) flows: Vec<FlowHandle>,
    pub(crate) flow_refs: HashMap<String, usize>,
    pub(crate) queue_refs: HashMap<String, u32>,
    pub(crate) integration_refs: HashMap<String, usize>,
    pub(crate) did_flows: Vec<usize>,
    pub(crate) handle: Vec<Sampler>,
    pub(crate) wrapup: Vec<Sampler>,
    pub(crate) patience: Vec<Sampler>,
    pub(crate) latency: Vec<Sampler>,
    /// Agent groups with queue names resolved: (count, queues).
    pub(crate) agent_groups: Vec<(u32, Vec<u32>)>,
}

/// Parses and checks a scenario that has no `file:` flows.
pub fn load_scenario(text: &str, file_name: &str) -> Result<Scenario, ScenarioError> {
    load_scenario_with_files(text, file_name, &mut |path: &str| {
        Err(format!("flow file '{path}' given, but this loader reads no files"))
    })
}

/// Parses and checks a scenario; `read_file` returns the text of a `file:` flow (relative paths are
/// the caller's business, usually relative to the scenario file).
pub fn load_scenario_with_files(
    text: &str,
    file_name: &str,
    read_file: &mut dyn FnMut(&str) -> Result<String, String>,
) -> Result<Scenario, ScenarioError> {
    let mut spec: ScenarioSpec = parse_yaml(text, file_name).map_err(syntax)?;
    for (position, flow) in spec.flows.iter_mut().enumerate() {
        if flow.definition.is_some() {
            continue;
        }
        let Some(path) = flow.file.clone() else {
            return Err(invalid(file_name, text, format!("flows[{position}]"), "needs `definition` or `file`", None));
        };
        let flow_text = read_file(&path)
            .map_err(|message| invalid(file_name, text, format!("flows[{position}].file"), &message, Some(&path)))?;
        // Either format, through the model's one loader; an Archy template is substituted first.
        let flow_text = if switchboard_model::archy::is_archy(&flow_text) {
            switchboard_model::archy::substitute(&flow_text, &path, &flow.substitutions).map_err(|error| flow_file_error(&path, error.into()))?
        } else {
            flow_text
        };
        let definition: FlowDefinition = switchboard_model::load_flow(&flow_text, &path).map_err(|error| flow_file_error(&path, error))?;
        flow.definition = Some(definition);
    }
    Scenario::from_spec(spec, file_name, text)
}

/// A flow file's first problem as one positioned line (the loader names file, line and column).
fn flow_file_error(path: &str, error: switchboard_model::FlowLoadError) -> ScenarioError {
    match error {
        switchboard_model::FlowLoadError::Format(error) => syntax(error),
        switchboard_model::FlowLoadError::Archy(error) => match error.diagnostics.first() {
            Some(first) => ScenarioError::Syntax {
                file: first.file.clone(),
                line: first.line as u64,
                column: first.column as u64,
                message: format!("{}: {}", first.path, first.message),
            },
            None => ScenarioError::Syntax { file: path.to_string(), line: 0, column: 0, message: error.to_string() },
        },
    }
}

/// The model's loader already renders YAML errors as one line with their position.
fn syntax(error: LoadError) -> ScenarioError {
    ScenarioError::Syntax { file: error.file, line: error.line.unwrap_or(0), column: error.column.unwrap_or(0), message: error.message }
}

/// An error about a field, with the line of `needle` in the source when it can be found.
fn invalid(file: &str, text: &str, field: String, message: &str, needle: Option<&str>) -> ScenarioError {
    let line = needle
        .filter(|needle| !needle.is_empty())
        .and_then(|needle| text.lines().position(|line| line.contains(needle)))
        .map(|index| index as u64 + 1);
    ScenarioError::Invalid { file: file.to_string(), line, field, message: message.to_string() }
}

impl Scenario {
    /// Checks a spec built in code or parsed; `source` (may be empty) is only used to find lines.
    pub fn from_spec(spec: ScenarioSpec, file_name: &str, source: &str) -> Result<Scenario, ScenarioError> {
        let fail =
            |field: String, message: &str, needle: Option<&str>| invalid(file_name, source, field, message, needle);
        let sampler = |field: String, distribution: &DurationDistribution| {
            distribution.sampler().map_err(|DistributionError(message)| fail(field, &message, None))
        };
        if !(spec.duration_minutes.is_finite() && spec.duration_minutes > 0.0) {
            return Err(fail("duration_minutes".into(), "must be a positive number", None));
        }
        if spec.interval_minutes <= 0.0 || !spec.interval_minutes.is_finite() {
            return Err(fail("interval_minutes".into(), "must be a positive number", None));
        }

        let mut queue_refs = HashMap::new();
        let (mut handle, mut wrapup, mut patience) = (Vec::new(), Vec::new(), Vec::new());
        for (index, queue) in spec.queues.iter().enumerate() {
            let name = &queue.name;
            if queue_refs.insert(name.clone(), index as u32).is_some() {
                return Err(fail(
                    format!("queues[{index}].name"),
                    &format!("queue '{name}' defined twice"),
                    Some(name),
                ));
            }
            if let Some(id) = &queue.id {
                queue_refs.insert(id.clone(), index as u32);
            }
            if queue.handle == DurationDistribution::Infinite || queue.wrapup == DurationDistribution::Infinite {
                return Err(fail(format!("queues[{index}]"), "handle and wrapup cannot be infinite", Some(name)));
            }
            handle.push(sampler(format!("queues[{index}].handle"), &queue.handle)?);
            wrapup.push(sampler(format!("queues[{index}].wrapup"), &queue.wrapup)?);
            let queue_patience = queue.patience.as_ref().unwrap_or(&spec.patience);
            patience.push(sampler(format!("queues[{index}].patience"), queue_patience)?);
        }
        let mut integration_refs = HashMap::new();
        let mut latency = Vec::new();
        for (index, integration) in spec.integrations.iter().enumerate() {
            integration_refs.insert(integration.name.clone(), index);
            latency.push(sampler(format!("integrations[{index}].latency"), &integration.latency)?);
            let probabilities = [integration.failure_probability, integration.rate_limit_probability];
            if probabilities.iter().any(|p| !(0.0..=1.0).contains(p)) || probabilities.iter().sum::<f64>() > 1.0 {
                return Err(fail(
                    format!("integrations[{index}]"),
                    "failure_probability and rate_limit_probability must be in 0..1 and sum to at most 1",
                    Some(&integration.name),
                ));
            }
        }

        let mut flows = Vec::new();
        let mut flow_refs = HashMap::new();
        for (index, flow) in spec.flows.iter().enumerate() {
            let Some(definition) = &flow.definition else {
                return Err(fail(format!("flows[{index}]"), "flow file was not resolved", None));
            };
            let program = FlowProgram::compile(definition)
                .map_err(|error| fail(format!("flows[{index}]"), &error.to_string(), Some(&definition.name)))?;
            check_references(definition, &queue_refs, &integration_refs)
                .map_err(|message| fail(format!("flows[{index}]"), &message, Some(&definition.name)))?;
            let id = flow.id.clone().unwrap_or_else(|| definition.name.clone());
            if flow_refs.insert(id.clone(), index).is_some() {
                return Err(fail(format!("flows[{index}].id"), &format!("flow id '{id}' used twice"), Some(&id)));
            }
            // By name, the last flow listed with that name is the published one.
            flow_refs.insert(definition.name.clone(), index);
            flows.push(FlowHandle {
                id: Arc::from(id.as_str()),
                name: Arc::from(definition.name.as_str()),
                version: Arc::from(flow.version.as_str()),
                program: Arc::new(program),
                stamps_flow_version: flow.stamp_flow_version.unwrap_or_else(|| !definition.is_router()),
            });
        }

        let mut did_flows = Vec::new();
        for (index, did) in spec.dids.iter().enumerate() {
            let Some(flow) = flow_refs.get(&did.flow) else {
                return Err(fail(
                    format!("dids[{index}].flow"),
                    &format!("no flow named '{}'", did.flow),
                    Some(&did.flow),
                ));
            };
            did_flows.push(*flow);
            if !(did.calls_per_hour.is_finite() && did.calls_per_hour >= 0.0) {
                return Err(fail(format!("dids[{index}].calls_per_hour"), "must be zero or more", Some(&did.number)));
            }
            let bad_curve = did.curve.as_ref().is_some_and(|curve| {
                curve.len() != 24 || curve.iter().any(|factor| !(factor.is_finite() && *factor >= 0.0))
            });
            if bad_curve {
                let message = "needs 24 hourly factors, each zero or more";
                return Err(fail(format!("dids[{index}].curve"), message, Some(&did.number)));
            }
        }

        let mut agent_groups: Vec<(u32, Vec<u32>)> =
            spec.queues.iter().enumerate().map(|(index, queue)| (queue.agents, vec![index as u32])).collect();
        for (index, group) in spec.agent_groups.iter().enumerate() {
            let mut queues = Vec::new();
            for queue in &group.queues {
                let Some(id) = queue_refs.get(queue) else {
                    return Err(fail(
                        format!("agent_groups[{index}].queues"),
                        &format!("no queue named '{queue}'"),
                        Some(queue),
                    ));
                };
                queues.push(*id);
            }
            agent_groups.push((group.count, queues));
        }
        for (index, update) in spec.table_updates.iter().enumerate() {
            if !spec.datatables.iter().any(|table| table.name == update.datatable) {
                let message = format!("no data table named '{}'", update.datatable);
                return Err(fail(format!("table_updates[{index}].datatable"), &message, Some(&update.datatable)));
            }
        }

        Ok(Scenario {
            spec,
            flows,
            flow_refs,
            queue_refs,
            integration_refs,
            did_flows,
            handle,
            wrapup,
            patience,
            latency,
            agent_groups,
        })
    }

    pub fn name(&self) -> &str {
        &self.spec.name
    }

    /// The compiled flows, in scenario order.
    pub fn flows(&self) -> &[FlowHandle] {
        &self.flows
    }
}

/// Literal queue and integration names in blocks must exist; expressions are checked at run time.
fn check_references(
    definition: &FlowDefinition,
    queues: &HashMap<String, u32>,
    integrations: &HashMap<String, usize>,
) -> Result<(), String> {
    for (name, block) in &definition.blocks {
        match block {
            Block::TransferToQueue { queue, on_failure: None, .. } if !queue.is_expression() => {
                let queue_name = queue.source();
                if !queues.contains_key(&queue_name) {
                    return Err(format!("block '{name}' transfers to unknown queue '{queue_name}'"));
                }
            }
            Block::DataAction(action) if !integrations.contains_key(&action.integration) => {
                return Err(format!("block '{name}' calls unknown integration '{}'", action.integration));
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "scenario_tests.rs"]
mod tests;
