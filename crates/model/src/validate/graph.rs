//! Graph checks of a flow: dangling successor names, unreachable blocks, flows with no way out,
//! and loops that spin without consuming call time. Walks over the shared `FlowIndex` and Tarjan's SCC, all linear.

use super::Diagnostic;
use super::index::FlowIndex;
use crate::flow::{Block, FlowType};

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

pub(super) fn check(index: &FlowIndex<'_>) -> Vec<Diagnostic> {
    let flow = index.flow;
    let mut diagnostics = Vec::new();
    if index.start.is_none() {
        diagnostics.push(Diagnostic::error(
            "missing-block",
            None,
            format!("start block `{}` is not defined", flow.start),
        ));
    }
    for (name, successors) in index.names.iter().zip(&index.successor_names) {
        for successor in successors {
            if index.position(successor).is_none() {
                diagnostics.push(Diagnostic::error(
                    "missing-block",
                    Some(name),
                    format!("goes to `{successor}`, which is not defined"),
                ));
            }
        }
    }
    let Some(start) = index.start else { return diagnostics };

    let reachable = index.reachable([start]);
    for (name, _) in index.names.iter().zip(&reachable).filter(|(_, reached)| !**reached) {
        diagnostics.push(Diagnostic::warning(
            "unreachable-block",
            Some(name),
            format!("no path from start `{}` reaches this block", flow.start),
        ));
    }

    // In-queue flows loop (hold music, offers) until an agent answers, so they need no exit.
    if flow.flow_type != FlowType::InQueueCall {
        check_exits(index, &reachable, &mut diagnostics);
    }
    check_cycles(index, &reachable, &mut diagnostics);
    diagnostics
}

fn check_exits(index: &FlowIndex<'_>, reachable: &[bool], diagnostics: &mut Vec<Diagnostic>) {
    let has_terminal = index.blocks.iter().zip(reachable).any(|(block, reached)| *reached && is_terminal(block));
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
    let mut predecessors: Vec<Vec<usize>> = vec![Vec::new(); index.blocks.len()];
    for (node, successors) in index.successors.iter().enumerate() {
        for successor in successors {
            predecessors[*successor].push(node);
        }
    }
    let mut can_exit = vec![false; index.blocks.len()];
    let mut stack: Vec<usize> = (0..index.blocks.len()).filter(|node| is_terminal(index.blocks[*node])).collect();
    while let Some(node) = stack.pop() {
        if !std::mem::replace(&mut can_exit[node], true) {
            stack.extend(predecessors[node].iter().copied());
        }
    }
    let trapped: Vec<&str> =
        (0..index.blocks.len()).filter(|node| reachable[*node] && !can_exit[*node]).map(|node| index.names[node]).collect();
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
fn check_cycles(index: &FlowIndex<'_>, reachable: &[bool], diagnostics: &mut Vec<Diagnostic>) {
    let nodes: Vec<usize> =
        (0..index.blocks.len()).filter(|node| reachable[*node] && !consumes_time(index.blocks[*node])).collect();
    let mut local: Vec<Option<usize>> = vec![None; index.blocks.len()];
    for (position, node) in nodes.iter().enumerate() {
        local[*node] = Some(position);
    }
    let edges: Vec<Vec<usize>> =
        nodes.iter().map(|node| index.successors[*node].iter().filter_map(|next| local[*next]).collect()).collect();
    for component in strongly_connected_components(&edges) {
        let is_loop = component.len() > 1 || edges[component[0]].contains(&component[0]);
        if is_loop {
            let mut names: Vec<&str> = component.iter().map(|member| index.names[nodes[*member]]).collect();
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
