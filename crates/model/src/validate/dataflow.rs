//! `read-before-set`: a variable read on some path from start that never wrote it (it reads
//! NOT_SET, which is an error in most expressions). A forward "definitely written" analysis over
//! the block graph; outputs count only on the path they are written on (a data action's on its
//! success path). Checked for Architect's flow-local scopes (`Flow.`, `Task.`, `State.`) without a
//! default and for names nothing declares; declared participant data may come from an earlier
//! flow. A variable the flow tests with `IsSet`, `IsNotSet`, `IsNotSetOrEmpty`, `coalesce`,
//! `AreEqual` or against `NOT_SET` is guarded and skipped.

use super::Diagnostic;
use super::checks::is_architect_builtin;
use super::index::FlowIndex;
use super::reliability::written_variables;
use crate::expr::{self, Ast, BinaryOperator, Function};
use crate::flow::{Block, SYSTEM_VARIABLES};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

pub(super) fn check(index: &FlowIndex<'_>) -> Vec<Diagnostic> {
    let flow = index.flow;
    let Some(start) = index.start else { return Vec::new() };
    let blocks = &index.blocks;
    let mut names_in_flow: HashSet<String> = flow.variables.keys().map(|name| name.to_ascii_lowercase()).collect();
    for block in blocks {
        names_in_flow.extend(written_variables(block).into_iter().map(str::to_ascii_lowercase));
    }
    let base_variable = |read: &str| -> String {
        expr::name_and_prefixes(read)
            .map(str::to_ascii_lowercase)
            .find(|candidate| names_in_flow.contains(candidate))
            .unwrap_or_else(|| read.to_ascii_lowercase())
    };

    // Reads per block (as written, with their lower-cased base), and the guarded names to leave alone.
    let mut guarded = BTreeSet::new();
    let mut reads: Vec<Vec<(&str, String)>> = Vec::with_capacity(blocks.len());
    for (position, block) in blocks.iter().enumerate() {
        let mut block_reads = Vec::new();
        for field in &index.fields[position] {
            if let Ok(compiled) = &field.compiled {
                if let expr::CompiledExpression::Expression(ast) = compiled {
                    collect_guarded(ast, &mut guarded);
                }
                block_reads.extend(field.reads.iter().map(|read| (read.as_str(), base_variable(read))));
            }
        }
        if let Block::Wait { duration_from: Some(variable), .. } = block {
            block_reads.push((variable.as_str(), base_variable(variable)));
        }
        reads.push(block_reads);
    }

    // The tracked variables: flow-local scopes without a default, and undeclared names.
    let declared: BTreeMap<String, bool> = flow
        .variables
        .iter()
        .map(|(name, declaration)| (name.to_ascii_lowercase(), declaration.default.is_some()))
        .collect();
    let tracked = |name: &str| -> bool {
        let lower = name.to_ascii_lowercase();
        let is_guarded = guarded.iter().any(|guard: &String| {
            guard.strip_prefix(lower.as_str()).is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
        });
        if is_guarded || is_architect_builtin(name) || SYSTEM_VARIABLES.iter().any(|system| system.eq_ignore_ascii_case(name)) {
            return false;
        }
        // A name nothing declares or writes is `undeclared-variable`'s, not this check's.
        if !names_in_flow.contains(&lower) {
            return false;
        }
        match declared.get(&lower) {
            Some(has_default) => !has_default && ["flow.", "task.", "state."].iter().any(|scope| lower.starts_with(scope)),
            None => true,
        }
    };
    // `Task.Queue.id` reads `Task.Queue`: track the longest prefix some block writes.
    let mut variables: HashMap<&str, usize> = HashMap::new();
    let mut considered: HashSet<&str> = HashSet::new();
    for (_, base) in reads.iter().flatten() {
        if considered.insert(base.as_str()) && tracked(base) {
            let next = variables.len();
            variables.insert(base.as_str(), next);
        }
    }
    if variables.is_empty() {
        return Vec::new();
    }
    let words = variables.len().div_ceil(64);

    // Per edge (block, successor) the variables written on it.
    let written_on_edge = |block: &Block, successor: &str| -> Vec<usize> {
        let mut out: Vec<usize> = Vec::new();
        let mut add = |name: &str| {
            if let Some(bit) = variables.get(name.to_ascii_lowercase().as_str()) {
                out.push(*bit);
            }
        };
        match block {
            Block::DataAction(action) if successor != action.on_success => {}
            Block::DatatableLookup { on_found, .. } if successor != on_found => {}
            Block::CollectInput(collect) if successor != collect.on_success => {}
            Block::FindQueue { on_found, .. } if successor != on_found => {}
            Block::Loop(looping) if successor != looping.body => {}
            Block::CallTask { task, next } if successor == next => {
                // A task's writes are done when it returns.
                let in_task = index.reachable_from_names([task.as_str()]);
                for (task_block, _) in blocks.iter().zip(&in_task).filter(|(_, reached)| **reached) {
                    written_variables(task_block).into_iter().for_each(&mut add);
                }
            }
            other => written_variables(other).into_iter().for_each(&mut add),
        }
        out
    };

    // Each block's out-edges with what they write, computed once (the worklist revisits edges).
    let edges: Vec<Vec<(usize, Vec<usize>)>> = blocks
        .iter()
        .zip(&index.edges)
        .map(|(block, out)| out.iter().map(|(target, successor)| (*target, written_on_edge(block, successor))).collect())
        .collect();

    // IN sets: None = not reached yet (top); start begins empty.
    let mut incoming: Vec<Option<Vec<u64>>> = vec![None; blocks.len()];
    incoming[start] = Some(vec![0; words]);
    let mut queue: VecDeque<usize> = VecDeque::from([start]);
    let mut queued = vec![false; blocks.len()];
    queued[start] = true;
    while let Some(node) = queue.pop_front() {
        queued[node] = false;
        let Some(state) = incoming[node].clone() else { continue };
        for (target, written) in &edges[node] {
            let target = *target;
            let mut out = state.clone();
            for bit in written {
                out[bit / 64] |= 1 << (bit % 64);
            }
            let merged = match &incoming[target] {
                None => out,
                Some(existing) => existing.iter().zip(&out).map(|(left, right)| left & right).collect(),
            };
            if incoming[target].as_ref() != Some(&merged) {
                incoming[target] = Some(merged);
                if !queued[target] {
                    queued[target] = true;
                    queue.push_back(target);
                }
            }
        }
    }

    let mut diagnostics = Vec::new();
    for (node, block_reads) in reads.iter().enumerate() {
        let Some(state) = &incoming[node] else { continue };
        let mut reported = BTreeSet::new();
        for (read, base) in block_reads {
            let Some(&bit) = variables.get(base.as_str()) else { continue };
            if state[bit / 64] & (1 << (bit % 64)) == 0 && reported.insert(bit) {
                diagnostics.push(Diagnostic::warning(
                    "read-before-set",
                    Some(index.names[node]),
                    format!("reads `{read}`, which some path from start reaches without setting (it reads NOT_SET)"),
                ));
            }
        }
    }
    diagnostics
}

/// Variables an expression tests for being set; reading them is deliberate.
fn collect_guarded(ast: &Ast, guarded: &mut BTreeSet<String>) {
    match ast {
        Ast::Call { function, arguments } => {
            if matches!(
                function,
                Function::IsSet | Function::IsNotSet | Function::IsNotSetOrEmpty | Function::Coalesce | Function::AreEqual
            ) {
                for argument in arguments {
                    for name in variables_of(argument) {
                        guarded.insert(name.to_ascii_lowercase());
                    }
                }
            }
            arguments.iter().for_each(|argument| collect_guarded(argument, guarded));
        }
        Ast::Binary { operator, left, right } => {
            if matches!(operator, BinaryOperator::Equal | BinaryOperator::NotEqual)
                && (matches!(**left, Ast::NotSet) || matches!(**right, Ast::NotSet))
            {
                for name in variables_of(left).into_iter().chain(variables_of(right)) {
                    guarded.insert(name.to_ascii_lowercase());
                }
            }
            collect_guarded(left, guarded);
            collect_guarded(right, guarded);
        }
        Ast::Not(operand) | Ast::Negate(operand) => collect_guarded(operand, guarded),
        Ast::Member { target, .. } => collect_guarded(target, guarded),
        Ast::Index { target, index } => {
            collect_guarded(target, guarded);
            collect_guarded(index, guarded);
        }
        Ast::Literal(_) | Ast::NotSet | Ast::Variable(_) => {}
    }
}

fn variables_of(ast: &Ast) -> Vec<String> {
    expr::CompiledExpression::Expression(ast.clone()).referenced_variables()
}
