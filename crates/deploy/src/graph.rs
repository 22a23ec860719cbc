//! The dependency graph over (org, resource) nodes: cycle detection that names the cycle, and
//! the order resources of one org are written in (dependencies first; deletes in reverse).

use std::collections::{BTreeMap, BTreeSet};

use crate::config::Diagnostic;
use crate::desired::{DesiredOrg, DesiredResource};
use crate::key::ResourceKey;

type Node = (String, ResourceKey);

fn edges(orgs: &[DesiredOrg]) -> BTreeMap<Node, Vec<Node>> {
    let known: BTreeSet<Node> = orgs.iter().flat_map(|org| org.resources.iter().map(|resource| (org.org.clone(), resource.key.clone()))).collect();
    let mut edges = BTreeMap::new();
    for org in orgs {
        for resource in &org.resources {
            let targets: Vec<Node> = resource
                .depends_on
                .iter()
                .map(|dependency| (dependency.reference.org.clone().unwrap_or_else(|| org.org.clone()), dependency.reference.key.clone()))
                .filter(|node| known.contains(node))
                .collect();
            edges.insert((org.org.clone(), resource.key.clone()), targets);
        }
    }
    edges
}

/// `Err` names the first cycle found (`org:kind/name → ... → org:kind/name`) at the file and
/// line of its first resource.
pub fn check_cycles(orgs: &[DesiredOrg]) -> Result<(), Diagnostic> {
    let edges = edges(orgs);
    let mut state: BTreeMap<&Node, u8> = BTreeMap::new(); // 1 = on the stack, 2 = done
    for start in edges.keys() {
        let mut stack: Vec<&Node> = Vec::new();
        if let Some(cycle) = visit(start, &edges, &mut state, &mut stack) {
            let names: Vec<String> = cycle.iter().map(|(org, key)| format!("{org}:{key}")).collect();
            let (org, key) = cycle[0];
            let source = orgs.iter().find(|candidate| &candidate.org == org).and_then(|org| org.resources.iter().find(|resource| &resource.key == key)).map(|resource| resource.source.clone()).unwrap_or_default();
            return Err(Diagnostic::new(source.file, source.line, format!("dependency cycle: {}", names.join(" → "))));
        }
    }
    Ok(())
}

fn visit<'a>(node: &'a Node, edges: &'a BTreeMap<Node, Vec<Node>>, state: &mut BTreeMap<&'a Node, u8>, stack: &mut Vec<&'a Node>) -> Option<Vec<&'a Node>> {
    match state.get(node) {
        Some(2) => return None,
        Some(_) => {
            let start = stack.iter().position(|candidate| *candidate == node).unwrap_or(0);
            let mut cycle: Vec<&Node> = stack[start..].to_vec();
            cycle.push(node);
            return Some(cycle);
        }
        None => {}
    }
    state.insert(node, 1);
    stack.push(node);
    for next in edges.get(node).map(Vec::as_slice).unwrap_or_default() {
        if let Some(cycle) = visit(next, edges, state, stack) {
            return Some(cycle);
        }
    }
    stack.pop();
    state.insert(node, 2);
    None
}

/// The resources of one org with every same-org dependency before its dependants (stable:
/// otherwise in config order). Assumes no cycles (`check_cycles` ran at render time).
pub fn write_order(resources: &[DesiredResource]) -> Vec<usize> {
    let index: BTreeMap<&ResourceKey, usize> = resources.iter().enumerate().map(|(position, resource)| (&resource.key, position)).collect();
    let mut done = vec![false; resources.len()];
    let mut order = Vec::with_capacity(resources.len());
    fn place(position: usize, resources: &[DesiredResource], index: &BTreeMap<&ResourceKey, usize>, done: &mut [bool], order: &mut Vec<usize>, depth: usize) {
        if done[position] || depth > resources.len() {
            return;
        }
        done[position] = true;
        for dependency in &resources[position].depends_on {
            if dependency.reference.org.is_none()
                && let Some(&target) = index.get(&dependency.reference.key)
            {
                place(target, resources, index, done, order, depth + 1);
            }
        }
        order.push(position);
    }
    for position in 0..resources.len() {
        place(position, resources, &index, &mut done, &mut order, 0);
    }
    order
}
