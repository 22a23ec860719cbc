//! Seed 001's reliability rules beyond single fields: data actions whose failure joins the success
//! path, retry loops with no bound, retries that do not back off or have no working cap, waits
//! whose length nobody bounds, switches that let unmatched values fall through, and participant
//! data that no longer matches the active version.

use super::index::FlowIndex;
use super::{Diagnostic, MAX_RETRY_ATTEMPTS, MAX_RETRY_DELAY_MS, ValidationOptions};
use crate::expr::{self, Ast, CompiledExpression, Function};
use crate::flow::{Backoff, Block, DataActionBlock, FlowDefinition};
use std::collections::HashSet;

pub(super) fn check(index: &FlowIndex<'_>, options: &ValidationOptions) -> Vec<Diagnostic> {
    let flow = index.flow;
    let mut diagnostics = Vec::new();
    for (position, (name, block)) in index.names.iter().zip(&index.blocks).enumerate() {
        let (name, block): (&str, &Block) = (name, block);
        match block {
            Block::DataAction(action) => {
                check_error_path(name, action, &mut diagnostics);
                check_retry_policy(name, action, &mut diagnostics);
                check_retry_loop(index, position, action, &mut diagnostics);
            }
            Block::Wait { duration_from: Some(variable), .. } if !is_clamped(index, variable) => {
                diagnostics.push(Diagnostic::warning(
                    "unbounded-wait",
                    Some(name),
                    format!(
                        "waits as long as `{variable}` says, and no block bounds it; set it with Min(..., <limit>) (a Retry-After of an hour holds the call an hour)"
                    ),
                ));
            }
            Block::Switch { default, .. } if falls_through(flow, name, default) => {
                diagnostics.push(Diagnostic::warning(
                    "switch-without-default",
                    Some(name),
                    format!("no default path: a value no case matches falls through to `{default}` unnoticed"),
                ));
            }
            _ => {}
        }
    }
    if let Some(active) = &options.active_variables {
        for (variable, active_type) in active {
            match flow.variables.get(variable) {
                Some(declaration) if declaration.variable_type != *active_type => {
                    diagnostics.push(Diagnostic::error(
                        "participant-data-incompatible",
                        None,
                        format!(
                            "`{variable}` is {:?} in the active version and {:?} here; calls in flight and flows that read it disagree",
                            active_type, declaration.variable_type
                        ),
                    ));
                }
                None => diagnostics.push(Diagnostic::warning(
                    "participant-data-incompatible",
                    None,
                    format!("`{variable}` is declared by the active version and not by this one; readers of it lose it"),
                )),
                Some(_) => {}
            }
        }
    }
    diagnostics
}

/// A failure (or timeout) that goes where success goes is no error path: the flow carries on as
/// if the integration had answered.
fn check_error_path(block: &str, action: &DataActionBlock, diagnostics: &mut Vec<Diagnostic>) {
    let failure_joins = action.on_error == action.on_success;
    let timeout_joins = action.on_timeout.as_deref().is_some_and(|timeout| timeout == action.on_success);
    if failure_joins || timeout_joins {
        let path = if failure_joins { "on_error" } else { "on_timeout" };
        diagnostics.push(Diagnostic::warning(
            "data-action-no-error-path",
            Some(block),
            format!("{path} goes to `{}` like on_success; a failed call carries on as if the integration had answered", action.on_success),
        ));
    }
}

fn check_retry_policy(block: &str, action: &DataActionBlock, diagnostics: &mut Vec<Diagnostic>) {
    let Some(retry) = &action.retry else { return };
    if retry.max_attempts > MAX_RETRY_ATTEMPTS {
        diagnostics.push(Diagnostic::error(
            "retry-unbounded",
            Some(block),
            format!("{} attempts; more than {MAX_RETRY_ATTEMPTS} is retrying without a bound", retry.max_attempts),
        ));
    }
    if retry.max_attempts <= 1 || retry.initial_delay_ms == 0 {
        // One attempt has no retry; a zero delay is `retry-without-backoff` (checks.rs).
        return;
    }
    match retry.backoff {
        Backoff::Fixed if retry.max_attempts > 2 => diagnostics.push(Diagnostic::warning(
            "retry-fixed-delay",
            Some(block),
            format!(
                "{} attempts {} ms apart without backoff; every waiting call retries a struggling integration in step",
                retry.max_attempts, retry.initial_delay_ms
            ),
        )),
        Backoff::Exponential if retry.max_delay_ms < retry.initial_delay_ms || retry.max_delay_ms > MAX_RETRY_DELAY_MS => {
            diagnostics.push(Diagnostic::error(
                "retry-without-max-delay",
                Some(block),
                format!(
                    "max_delay_ms {} is no working cap for delays starting at {} ms (cap between the initial delay and {MAX_RETRY_DELAY_MS} ms)",
                    retry.max_delay_ms, retry.initial_delay_ms
                ),
            ))
        }
        _ => {}
    }
}

/// An error path that leads back to the same data action retries by hand (Archy has no retry
/// settings, so this is how Architect flows retry). It is bounded when the way back passes a
/// `loop` block (a fixed count) or a decision or switch that tests a variable the way back
/// writes (a counter); otherwise a call retries for ever.
fn check_retry_loop(index: &FlowIndex<'_>, block: usize, action: &DataActionBlock, diagnostics: &mut Vec<Diagnostic>) {
    let error_paths: Vec<usize> = std::iter::once(action.on_error.as_str())
        .chain(action.on_timeout.as_deref())
        .filter_map(|name| index.position(name))
        .collect();
    let way_back = index.reachable(error_paths.iter().copied());
    if !way_back[block] {
        return;
    }
    let written: HashSet<String> = (0..index.blocks.len())
        .filter(|node| way_back[*node])
        .flat_map(|node| written_variables(index.blocks[node]))
        .map(str::to_ascii_lowercase)
        .collect();
    // A decision's or switch's expression fields are its conditions.
    let bounds = |node: usize| match index.blocks[node] {
        Block::Loop(_) => true,
        Block::Decision { .. } | Block::Switch { .. } => {
            index.fields[node].iter().any(|condition| reads_any(&condition.reads, &written))
        }
        _ => false,
    };
    // Walk the error paths again, stopping at every block that bounds the loop.
    let mut seen = vec![false; index.blocks.len()];
    let mut stack: Vec<usize> = error_paths.into_iter().filter(|node| !bounds(*node)).collect();
    while let Some(node) = stack.pop() {
        if node == block {
            diagnostics.push(Diagnostic::error(
                "retry-unbounded",
                Some(index.names[block]),
                "its error path leads back to it with no loop count or counter test on the way; a failing integration is retried for ever",
            ));
            return;
        }
        if std::mem::replace(&mut seen[node], true) {
            continue;
        }
        stack.extend(index.successors[node].iter().copied().filter(|successor| !bounds(*successor)));
    }
}

fn reads_any(reads: &[String], variables: &HashSet<String>) -> bool {
    reads.iter().any(|read| {
        expr::name_and_prefixes(read).any(|candidate| variables.contains(&candidate.to_ascii_lowercase()))
    })
}

/// Variables a block writes (on any of its paths).
pub(super) fn written_variables(block: &Block) -> Vec<&str> {
    match block {
        Block::SetVariable { variable, .. } => vec![variable],
        Block::DataAction(action) => action.outputs.values().map(String::as_str).collect(),
        Block::DatatableLookup { outputs, .. } => outputs.values().map(String::as_str).collect(),
        Block::UpdateData { statements, .. } => statements.iter().map(|statement| statement.variable.as_str()).collect(),
        Block::SetParticipantData { attributes, .. } => attributes.iter().map(|attribute| attribute.name.as_str()).collect(),
        Block::GetParticipantData { attributes, .. } => {
            attributes.iter().map(|attribute| attribute.variable.as_str()).collect()
        }
        Block::CollectInput(collect) => vec![&collect.variable],
        Block::FindQueue { variable: Some(variable), .. } => vec![variable],
        Block::CallCommonModule(call) => call.outputs.values().map(String::as_str).collect(),
        Block::Loop(looping) => looping.index_variable.iter().map(String::as_str).collect(),
        _ => Vec::new(),
    }
}

/// A wait length is bounded when every block that writes the variable writes a `Min(...)` (or a
/// literal); a variable nothing in the flow writes comes from outside and is not.
fn is_clamped(index: &FlowIndex<'_>, variable: &str) -> bool {
    let flow: &FlowDefinition = index.flow;
    let mut writers = 0;
    for (position, block) in index.blocks.iter().enumerate() {
        let block: &Block = block;
        let values: Vec<&crate::flow::Expression> = match block {
            Block::SetVariable { variable: written, value, .. } if written.eq_ignore_ascii_case(variable) => vec![value],
            Block::UpdateData { statements, .. } => statements
                .iter()
                .filter(|statement| statement.variable.eq_ignore_ascii_case(variable))
                .map(|statement| &statement.value)
                .collect(),
            other if written_variables(other).iter().any(|written| written.eq_ignore_ascii_case(variable)) => {
                return false;
            }
            _ => continue,
        };
        for value in values {
            writers += 1;
            let bounded = matches!(
                index.compiled(position, value),
                Some(Ok(
                    CompiledExpression::Literal(_)
                        | CompiledExpression::Expression(Ast::Call { function: Function::Min, .. } | Ast::Literal(_))
                ))
            );
            if !bounded {
                return false;
            }
        }
    }
    // With no writer, a declared default (a literal) bounds it; a declaration without one is filled
    // from outside (an earlier flow). An undeclared name is `undeclared-variable`'s to report.
    writers > 0
        || flow
            .variables
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(variable))
            .is_none_or(|(_, declaration)| declaration.default.is_some())
}

/// A switch default that goes where the switch's own continuation goes: an Archy switch whose
/// `default` was left empty (its paths fall through to the action after it).
fn falls_through(flow: &FlowDefinition, block: &str, default: &str) -> bool {
    flow.archy.as_ref().and_then(|extras| extras.joins.get(block)).is_some_and(|join| join == default)
}
