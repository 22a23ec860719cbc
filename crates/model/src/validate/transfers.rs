//! `transfer-cycle`: flows that hand a call on (transfer to flow, call a common module) in a
//! chain that comes back to a flow already in it. A call in such a chain never settles; a common
//! module that calls itself recurses until the platform stops it. Literal targets only (an
//! expression resolves per call), matched by flow name.

use super::Diagnostic;
use crate::flow::{Block, FlowDefinition, Value};
use std::collections::{BTreeMap, BTreeSet};

pub(super) fn check<'a>(flows: impl IntoIterator<Item = &'a FlowDefinition>) -> Vec<(String, Diagnostic)> {
    let flows: BTreeMap<&str, &FlowDefinition> = flows.into_iter().map(|flow| (flow.name.as_str(), flow)).collect();
    // Flow → (target flow, block that hands over), targets restricted to the flows given.
    let mut edges: BTreeMap<&str, Vec<(&str, &str)>> = BTreeMap::new();
    for (name, flow) in &flows {
        for (block_name, block) in &flow.blocks {
            let target = match block {
                Block::TransferToFlow { flow: target, .. } => match target.literal_value() {
                    Some(Value::String(target)) => Some(target.as_str()),
                    _ => None,
                },
                Block::CallCommonModule(call) => Some(call.module.as_str()),
                _ => None,
            };
            if let Some((target, _)) = target.and_then(|target| flows.get_key_value(target)) {
                edges.entry(name).or_default().push((target, block_name.as_str()));
            }
        }
    }
    // Each flow that starts a cycle reports it once: a cycle is reported from its least flow name.
    let mut diagnostics = Vec::new();
    let mut reported: BTreeSet<Vec<&str>> = BTreeSet::new();
    for start in flows.keys() {
        if let Some(path) = find_cycle(start, &edges) {
            let mut members: Vec<&str> = path.iter().map(|(flow, _)| *flow).collect();
            members.sort_unstable();
            members.dedup();
            if members.first() != Some(start) || !reported.insert(members) {
                continue;
            }
            let chain: Vec<&str> = path.iter().map(|(flow, _)| *flow).chain(std::iter::once(*start)).collect();
            let block = path.first().map(|(_, block)| *block);
            diagnostics.push((
                start.to_string(),
                Diagnostic::error(
                    "transfer-cycle",
                    block,
                    format!("transfer chain {} comes back to `{start}`; a call would go round for ever", chain.join(" → ")),
                ),
            ));
        }
    }
    diagnostics
}

/// The shortest chain of hand-overs from `start` back to `start` (breadth first), as (flow, block
/// handing over) steps.
fn find_cycle<'a>(start: &'a str, edges: &BTreeMap<&'a str, Vec<(&'a str, &'a str)>>) -> Option<Vec<(&'a str, &'a str)>> {
    let mut came_from: BTreeMap<&str, (&str, &str)> = BTreeMap::new();
    let mut frontier = vec![start];
    while !frontier.is_empty() {
        let mut next_frontier = Vec::new();
        for flow in frontier {
            for (target, block) in edges.get(flow).into_iter().flatten() {
                if *target == start {
                    let mut path = vec![(flow, *block)];
                    let mut cursor = flow;
                    while cursor != start {
                        let Some((previous, previous_block)) = came_from.get(cursor) else { break };
                        path.push((*previous, *previous_block));
                        cursor = previous;
                    }
                    path.reverse();
                    return Some(path);
                }
                if *target != start && !came_from.contains_key(target) {
                    came_from.insert(target, (flow, block));
                    next_frontier.push(*target);
                }
            }
        }
        frontier = next_frontier;
    }
    None
}
