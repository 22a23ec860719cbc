//! Block-level checks: expressions parse and read declared variables, randomize weights, the retry
//! and latency rules of seed 001, error paths that end somewhere safe, and references to the org.

use super::index::{FlowIndex, ParsedField};
use super::{Catalog, Diagnostic, ValidationOptions};
use crate::expr;
use crate::flow::{Block, DataActionBlock, Expression, FlowDefinition, LoopBlock, SYSTEM_VARIABLES, Value};
use std::collections::{BTreeSet, HashSet};

pub(super) fn check(index: &FlowIndex<'_>, catalog: &Catalog, options: &ValidationOptions) -> Vec<Diagnostic> {
    let flow = index.flow;
    let known = known_variables(flow);
    let mut diagnostics = Vec::new();
    for (position, (name, block)) in index.names.iter().zip(&index.blocks).enumerate() {
        let (name, block): (&str, &Block) = (name, block);
        for field in &index.fields[position] {
            check_expression(name, field, &known, &mut diagnostics);
        }
        match block {
            Block::Decision { condition, .. } => check_condition(name, "condition", condition, &mut diagnostics),
            Block::Switch { cases, .. } => {
                for (index, case) in cases.iter().enumerate() {
                    check_condition(name, &format!("cases[{index}].condition"), &case.condition, &mut diagnostics);
                }
            }
            Block::Randomize { branches, .. } => {
                let mut total = 0.0;
                for (index, branch) in branches.iter().enumerate() {
                    if !branch.weight.is_finite() || branch.weight < 0.0 {
                        diagnostics.push(Diagnostic::error(
                            "invalid-weight",
                            Some(name),
                            format!("branches[{index}].weight is {}; weights are percentages 0–100", branch.weight),
                        ));
                    } else {
                        total += branch.weight;
                    }
                }
                if total > 100.0 + 1e-9 {
                    diagnostics.push(Diagnostic::error(
                        "weights-over-100",
                        Some(name),
                        format!("branch weights add up to {total}%; at most 100% (default takes the rest)"),
                    ));
                }
            }
            Block::DataAction(action) => check_data_action(index, name, action, catalog, options, &mut diagnostics),
            Block::Wait { duration_ms, duration_from, .. } => {
                if duration_ms.is_some() == duration_from.is_some() {
                    diagnostics.push(Diagnostic::error(
                        "invalid-wait",
                        Some(name),
                        "set exactly one of duration_ms and duration_from",
                    ));
                }
                if let Some(variable) = duration_from {
                    check_variable(name, "duration_from", variable, &known, &mut diagnostics);
                }
            }
            Block::DatatableLookup { datatable, outputs, .. } => {
                if let Some(tables) = reference_list(&catalog.datatables, datatable) {
                    match tables.get(datatable) {
                        None => diagnostics.push(Diagnostic::error(
                            "unknown-datatable",
                            Some(name),
                            format!("data table `{datatable}` does not exist in the org"),
                        )),
                        Some(columns) => {
                            for column in outputs.keys().filter(|column| *column != "key" && !columns.contains(*column)) {
                                diagnostics.push(Diagnostic::error(
                                    "unknown-datatable-column",
                                    Some(name),
                                    format!("data table `{datatable}` has no column `{column}`"),
                                ));
                            }
                        }
                    }
                }
            }
            Block::TransferToQueue { queue, .. } => {
                check_reference(name, queue, &catalog.queues, "unknown-queue", "queue", &mut diagnostics)
            }
            Block::TransferToFlow { flow: target, .. } => {
                check_reference(name, target, &catalog.flows, "unknown-flow", "flow", &mut diagnostics)
            }
            Block::FindQueue { queue_name, .. } => {
                check_reference(name, queue_name, &catalog.queues, "unknown-queue", "queue", &mut diagnostics)
            }
            Block::CallCommonModule(call) => {
                let module = Expression::from(Value::String(call.module.clone()));
                check_reference(name, &module, &catalog.flows, "unknown-flow", "common module", &mut diagnostics)
            }
            Block::CollectInput(collect) if collect.min_digits > collect.max_digits => {
                diagnostics.push(Diagnostic::error(
                    "invalid-digits",
                    Some(name),
                    format!("min_digits {} is more than max_digits {}", collect.min_digits, collect.max_digits),
                ))
            }
            Block::LoopNext { loop_block } | Block::LoopExit { loop_block, .. } => {
                if !matches!(flow.blocks.get(loop_block), Some(Block::Loop(_))) {
                    diagnostics.push(Diagnostic::error(
                        "not-a-loop",
                        Some(name),
                        format!("loop_block `{loop_block}` is not a loop block"),
                    ));
                }
            }
            Block::SetVariable { .. }
            | Block::Play { .. }
            | Block::Disconnect { .. }
            | Block::Menu(_)
            | Block::CollectInput(_)
            | Block::UpdateData { .. }
            | Block::SetParticipantData { .. }
            | Block::GetParticipantData { .. }
            | Block::TransferToVoicemail { .. }
            | Block::CallTask { .. }
            | Block::EndTask { .. }
            | Block::Loop(_)
            | Block::HoldMusic { .. }
            | Block::PlayEstimatedWaitTime { .. }
            | Block::EvaluateScheduleGroup(_) => {}
        }
    }
    diagnostics
}

/// Every expression field of a block, labelled as written in the file.
pub(super) fn expressions(block: &Block) -> Vec<(String, &Expression)> {
    match block {
        Block::SetVariable { value, .. } => vec![("value".into(), value)],
        Block::Decision { condition, .. } => vec![("condition".into(), condition)],
        Block::Switch { cases, .. } => cases
            .iter()
            .enumerate()
            .map(|(index, case)| (format!("cases[{index}].condition"), &case.condition))
            .collect(),
        Block::DatatableLookup { key, .. } => vec![("key".into(), key)],
        Block::TransferToFlow { flow, .. } => vec![("flow".into(), flow)],
        Block::TransferToQueue { queue, .. } => vec![("queue".into(), queue)],
        Block::DataAction(action) => {
            action.inputs.iter().map(|(input, value)| (format!("inputs.{input}"), value)).collect()
        }
        Block::UpdateData { statements, .. } => statements
            .iter()
            .enumerate()
            .map(|(index, statement)| (format!("statements[{index}].value"), &statement.value))
            .collect(),
        Block::SetParticipantData { attributes, .. } => attributes
            .iter()
            .map(|attribute| (format!("attributes.{}", attribute.name), &attribute.value))
            .collect(),
        Block::TransferToVoicemail { target, .. } => vec![("target".into(), target)],
        Block::FindQueue { queue_name, .. } => vec![("queue_name".into(), queue_name)],
        Block::CallCommonModule(call) => {
            call.inputs.iter().map(|(input, value)| (format!("inputs.{input}"), value)).collect()
        }
        Block::Loop(looping) => vec![("count".into(), &looping.count)],
        Block::EvaluateScheduleGroup(schedule) => std::iter::once(("schedule_group".into(), &schedule.schedule_group))
            .chain(schedule.emergency_group.iter().map(|group| ("emergency_group".into(), group)))
            .collect(),
        Block::Play { .. }
        | Block::Randomize { .. }
        | Block::Wait { .. }
        | Block::Disconnect { .. }
        | Block::Menu(_)
        | Block::CollectInput(_)
        | Block::GetParticipantData { .. }
        | Block::CallTask { .. }
        | Block::EndTask { .. }
        | Block::LoopNext { .. }
        | Block::LoopExit { .. }
        | Block::HoldMusic { .. }
        | Block::PlayEstimatedWaitTime { .. } => Vec::new(),
    }
}

/// Declared variables plus everything a block writes (set_variable, data action and lookup outputs),
/// with the system variables, lower-cased: Architect names are case-insensitive.
fn known_variables(flow: &FlowDefinition) -> HashSet<String> {
    let mut known = written_or_declared(flow).into_iter().map(str::to_ascii_lowercase).collect::<HashSet<_>>();
    known.extend(SYSTEM_VARIABLES.iter().map(|name| name.to_ascii_lowercase()));
    known
}

fn written_or_declared(flow: &FlowDefinition) -> BTreeSet<&str> {
    let mut known: BTreeSet<&str> = flow.variables.keys().map(String::as_str).collect();
    for block in flow.blocks.values() {
        match block {
            Block::SetVariable { variable, .. } => {
                known.insert(variable);
            }
            Block::DataAction(action) => known.extend(action.outputs.values().map(String::as_str)),
            Block::DatatableLookup { outputs, .. } => known.extend(outputs.values().map(String::as_str)),
            Block::UpdateData { statements, .. } => {
                known.extend(statements.iter().map(|statement| statement.variable.as_str()))
            }
            Block::SetParticipantData { attributes, .. } => {
                known.extend(attributes.iter().map(|attribute| attribute.name.as_str()))
            }
            Block::GetParticipantData { attributes, .. } => {
                known.extend(attributes.iter().map(|attribute| attribute.variable.as_str()))
            }
            Block::CollectInput(collect) => {
                known.insert(&collect.variable);
            }
            Block::FindQueue { variable: Some(variable), .. } => {
                known.insert(variable);
            }
            Block::CallCommonModule(call) => known.extend(call.outputs.values().map(String::as_str)),
            Block::Loop(LoopBlock { index_variable: Some(variable), .. }) => {
                known.insert(variable);
            }
            _ => {}
        }
    }
    known
}

fn check_expression(block: &str, parsed: &ParsedField<'_>, known: &HashSet<String>, diagnostics: &mut Vec<Diagnostic>) {
    match &parsed.compiled {
        Err(error) => diagnostics.push(Diagnostic::error(
            "unparsable-expression",
            Some(block),
            format!("{}: {error} in `{}`", parsed.field, parsed.expression.source()),
        )),
        Ok(_) => {
            for variable in &parsed.reads {
                check_variable(block, &parsed.field, variable, known, diagnostics);
            }
        }
    }
}

fn check_variable(block: &str, field: &str, variable: &str, known: &HashSet<String>, diagnostics: &mut Vec<Diagnostic>) {
    // Architect names are case-insensitive, and `Task.Queue.id` reads a member of `Task.Queue`.
    let is_known = expr::name_and_prefixes(variable)
        .any(|candidate| is_architect_builtin(candidate) || known.contains(&candidate.to_ascii_lowercase()));
    if !is_known {
        diagnostics.push(Diagnostic::error(
            "undeclared-variable",
            Some(block),
            format!("{field} reads `{variable}`, which is neither declared in `variables` nor set by any block"),
        ));
    }
}

/// A condition written without `=` is a constant; a constant string is always a runtime type error.
fn check_condition(block: &str, field: &str, condition: &Expression, diagnostics: &mut Vec<Diagnostic>) {
    if let Some(value) = condition.literal_value()
        && !matches!(value, Value::Boolean(_))
    {
        diagnostics.push(Diagnostic::error(
            "literal-condition",
            Some(block),
            format!("{field} is the literal `{}`; start it with `=` to make it an expression", value.to_attribute_string()),
        ));
    }
}

fn check_data_action(
    index: &FlowIndex<'_>,
    block: &str,
    action: &DataActionBlock,
    catalog: &Catalog,
    options: &ValidationOptions,
    diagnostics: &mut Vec<Diagnostic>,
) {
    if action.timeout_ms > options.latency_sla_ms {
        diagnostics.push(Diagnostic::warning(
            "timeout-over-sla",
            Some(block),
            format!("timeout_ms {} exceeds the {} ms latency SLA", action.timeout_ms, options.latency_sla_ms),
        ));
    }
    if let Some(retry) = &action.retry {
        if retry.max_attempts == 0 {
            diagnostics.push(Diagnostic::error("invalid-retry", Some(block), "retry.max_attempts must be at least 1"));
        }
        if retry.max_attempts > 1 && retry.initial_delay_ms == 0 {
            diagnostics.push(Diagnostic::error(
                "retry-without-backoff",
                Some(block),
                format!(
                    "{} attempts with initial_delay_ms 0 retry at once; every call hammers a failing integration together",
                    retry.max_attempts
                ),
            ));
        }
    }
    let error_paths = std::iter::once(action.on_error.as_str()).chain(action.on_timeout.as_deref());
    let reached = index.reachable_from_names(error_paths);
    let handled = index.blocks.iter().zip(&reached).any(|(block, reached)| {
        *reached
            && matches!(
                block,
                Block::TransferToQueue { .. } | Block::Disconnect { .. } | Block::TransferToVoicemail { .. } | Block::EndTask { .. }
            )
    });
    if !handled {
        diagnostics.push(Diagnostic::warning(
            "on-error-not-handled",
            Some(block),
            "the on_error path never reaches a transfer_to_queue or disconnect; failed calls have no fallback",
        ));
    }
    if let Some(integrations) = reference_list(&catalog.integrations, &action.integration)
        && !integrations.contains(&action.integration)
    {
        diagnostics.push(Diagnostic::error(
            "unknown-integration",
            Some(block),
            format!("integration `{}` does not exist in the org", action.integration),
        ));
    }
}

/// Checks a literal reference against a catalog list; expressions are resolved per call, so skipped.
fn check_reference(
    block: &str,
    reference: &Expression,
    list: &Option<BTreeSet<String>>,
    code: &'static str,
    kind: &str,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let Some(Value::String(name)) = reference.literal_value() else { return };
    if let Some(names) = reference_list(list, name)
        && !names.contains(name)
    {
        diagnostics.push(Diagnostic::error(code, Some(block), format!("{kind} `{name}` does not exist in the org")));
    }
}

/// The catalog list to check against, or `None` when the check is off or the name is still a template.
fn reference_list<'a, T>(list: &'a Option<T>, name: &str) -> Option<&'a T> {
    if name.contains("{{") { None } else { list.as_ref() }
}

/// Names Architect defines for every call flow: the read-only `Call.` scope, the in-queue flow's
/// hold prompt and start time, and the `NOT_SET` constant.
pub(super) fn is_architect_builtin(variable: &str) -> bool {
    let lower = variable.to_ascii_lowercase();
    lower.starts_with("call.")
        || lower == "not_set"
        || ["flow.holdprompt", "flow.startdatetimeutc", "flow.isdebugging"].contains(&lower.as_str())
}
