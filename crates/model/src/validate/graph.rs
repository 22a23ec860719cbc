//! Graph checks of a flow: dangling successor names, unreachable blocks, flows with no way out,
//! and loops that spin without consuming call time. A plain DFS and Tarjan's SCC; flows are small.

use super::Diagnostic;
use crate::flow::{Block, FlowDefinition, FlowType};
use std::collections::{BTreeMap, BTreeSet};

/// Blocks where a call leaves the flow (on success, for the transfers).
/// `end_task` counts: with no caller it ends the flow (and a called task returns to its caller).
pub(crate) fn is_terminal(block: &Block) -> bool {
    matches!(
        block,
        Block::Disconnect { .. }
            | Block::TransferToQueue { .. }
            | Block::TransferToFlow { .. }
            | Block::TransferToVoicemail { .. }
            | Block::EndTask { .. }
    )
}

/// Blocks that consume call time (or, for `loop`, bound the number of turns), so a cycle through
/// them paces itself instead of spinning.
fn consumes_time(block: &Block) -> bool {
    matches!(
        block,
        Block::Wait { .. }
            | Block::Play { .. }
            | Block::Menu(_)
            | Block::CollectInput(_)
            | Block::HoldMusic { .. }
            | Block::PlayEstimatedWaitTime { .. }
            | Block::Loop(_)
    )
}

pub(super) fn check(flow: &FlowDefinition) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    if !flow.blocks.contains_key(&flow.start) {
        diagnostics.push(Diagnostic::error(
            "missing-block",
            None,
            format!("start block `{}` is not defined", flow.start),
        ));
    }
    for (name, block) in &flow.blocks {
        for successor in block.successors() {
            if !flow.blocks.contains_key(successor) {
                diagnostics.push(Diagnostic::error(
                    "missing-block",
                    Some(name),
                    format!("goes to `{successor}`, which is not defined"),
                ));
            }
        }
    }
    if !flow.blocks.contains_key(&flow.start) {
        return diagnostics;
    }

    let reachable = reachable_from(flow, std::iter::once(flow.start.as_str()));
    for name in flow.blocks.keys() {
        if !reachable.contains(name.as_str()) {
            diagnostics.push(Diagnostic::warning(
                "unreachable-block",
                Some(name),
                format!("no path from start `{}` reaches this block", flow.start),
            ));
        }
    }

    // In-queue flows loop (hold music, offers) until an agent answers, so they need no exit.
    if flow.flow_type != FlowType::InQueueCall {
        check_exits(flow, &reachable, &mut diagnostics);
    }
    check_cycles(flow, &reachable, &mut diagnostics);
    diagnostics
}

/// Every block reachable from `roots`, following only defined blocks.
pub(crate) fn reachable_from<'a>(
    flow: &'a FlowDefinition,
    roots: impl IntoIterator<Item = &'a str>,
) -> BTreeSet<&'a str> {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<&str> = roots.into_iter().collect();
    while let Some(name) = stack.pop() {
        let Some((key, block)) = flow.blocks.get_key_value(name) else { continue };
        if seen.insert(key.as_str()) {
            stack.extend(block.successors());
        }
    }
    seen
}

fn check_exits(flow: &FlowDefinition, reachable: &BTreeSet<&str>, diagnostics: &mut Vec<Diagnostic>) {
    let has_terminal = reachable.iter().any(|name| flow.blocks.get(*name).is_some_and(is_terminal));
    if !has_terminal {
        diagnostics.push(Diagnostic::error(
            "no-terminal",
            None,
            "no disconnect, end_task or transfer (queue, flow, voicemail) is reachable from start; calls never leave the flow",
        ));
        return;
    }
    // Blocks that can reach a terminal: one walk backwards from every terminal (linear; asking
    // each block's reachability separately is quadratic and dominated 1,000-flow runs).
    let mut predecessors: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (name, block) in &flow.blocks {
        for successor in block.successors() {
            predecessors.entry(successor).or_default().push(name.as_str());
        }
    }
    let mut can_exit: BTreeSet<&str> = BTreeSet::new();
    let mut stack: Vec<&str> = flow.blocks.iter().filter(|(_, block)| is_terminal(block)).map(|(name, _)| name.as_str()).collect();
    while let Some(name) = stack.pop() {
        if can_exit.insert(name) {
            stack.extend(predecessors.get(name).into_iter().flatten().copied());
        }
    }
    let trapped: Vec<&str> = reachable.iter().copied().filter(|name| !can_exit.contains(name)).collect();
    if let Some(first) = trapped.first() {
        diagnostics.push(Diagnostic::warning(
            "no-terminal",
            Some(first),
            format!("calls that reach [{}] loop forever: no path from there leaves the flow", trapped.join(", ")),
        ));
    }
}

/// Loops among reachable blocks that avoid every `wait` and `play` would spin a call at full speed
/// (and hammer integrations). Tarjan's SCC on that subgraph finds each such loop once.
fn check_cycles(flow: &FlowDefinition, reachable: &BTreeSet<&str>, diagnostics: &mut Vec<Diagnostic>) {
    let nodes: Vec<&str> = reachable
        .iter()
        .copied()
        .filter(|name| flow.blocks.get(*name).is_some_and(|block| !consumes_time(block)))
        .collect();
    let index_of: BTreeMap<&str, usize> = nodes.iter().enumerate().map(|(index, name)| (*name, index)).collect();
    let edges: Vec<Vec<usize>> = nodes
        .iter()
        .map(|name| {
            flow.blocks
                .get(*name)
                .map(|block| block.successors().iter().filter_map(|next| index_of.get(next).copied()).collect())
                .unwrap_or_default()
        })
        .collect();
    for component in strongly_connected_components(&edges) {
        let is_loop = component.len() > 1 || edges[component[0]].contains(&component[0]);
        if is_loop {
            let mut names: Vec<&str> = component.iter().map(|index| nodes[*index]).collect();
            names.sort_unstable();
            diagnostics.push(Diagnostic::error(
                "cycle-without-wait",
                Some(names[0]),
                format!("loop [{}] has no wait or play block; a call would spin in it", names.join(" → ")),
            ));
        }
    }
}

/// Tarjan's algorithm; returns components in reverse topological order.
fn strongly_connected_components(edges: &[Vec<usize>]) -> Vec<Vec<usize>> {
    struct State<'a> {
        edges: &'a [Vec<usize>],
        index: Vec<Option<usize>>,
        lowlink: Vec<usize>,
        on_stack: Vec<bool>,
        stack: Vec<usize>,
        counter: usize,
        components: Vec<Vec<usize>>,
    }
    fn visit(state: &mut State<'_>, node: usize) {
        state.index[node] = Some(state.counter);
        state.lowlink[node] = state.counter;
        state.counter += 1;
        state.stack.push(node);
        state.on_stack[node] = true;
        for &next in &state.edges[node] {
            match state.index[next] {
                None => {
                    visit(state, next);
                    state.lowlink[node] = state.lowlink[node].min(state.lowlink[next]);
                }
                Some(next_index) if state.on_stack[next] => {
                    state.lowlink[node] = state.lowlink[node].min(next_index);
                }
                Some(_) => {}
            }
        }
        if Some(state.lowlink[node]) == state.index[node] {
            let mut component = Vec::new();
            while let Some(member) = state.stack.pop() {
                state.on_stack[member] = false;
                component.push(member);
                if member == node {
                    break;
                }
            }
            state.components.push(component);
        }
    }
    let count = edges.len();
    let mut state = State {
        edges,
        index: vec![None; count],
        lowlink: vec![0; count],
        on_stack: vec![false; count],
        stack: Vec::new(),
        counter: 0,
        components: Vec::new(),
    };
    for node in 0..count {
        if state.index[node].is_none() {
            visit(&mut state, node);
        }
    }
    state.components
}
