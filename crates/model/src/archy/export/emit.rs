//! Action lists: each block as an action item, its output paths nested as Architect nests them,
//! from the kept action when it still imports to the block.

use super::shapes::{ActionShape, shape};
use super::{END_OF_LIST, Exporter, Json, Map, json};
use crate::archy::import::{Targets, build, canonical};
use crate::archy::values::single_entry;
use crate::flow::Block;
use std::collections::BTreeMap;

impl Exporter<'_> {
    /// The action list from `start` until `stop`, a jump, or the end of a path.
    pub(super) fn list(&mut self, start: &str, stop: Option<&str>, top: bool) -> Vec<Json> {
        let mut out = Vec::new();
        let mut current = start.to_string();
        let mut first = true;
        loop {
            if Some(current.as_str()) == stop {
                break;
            }
            let Some(block) = self.flow.blocks.get(&current) else { break };
            if matches!(block, Block::EndTask { implicit: true }) {
                break;
            }
            let at_head = first && top;
            if !at_head && (self.heads.contains(&current) || self.is_menu(&current)) {
                out.push(self.jump(&current));
                break;
            }
            if self.emitted.contains(&current) {
                self.promote.push(current.clone());
                out.push(self.jump(&current));
                break;
            }
            self.emitted.insert(current.clone());
            first = false;
            let (item, next) = self.action(&current, block, stop);
            out.push(item);
            match next {
                Some(next) => current = next,
                None => break,
            }
        }
        out
    }

    /// One block as an action item; returns where the list goes on.
    pub(super) fn action(&mut self, name: &str, block: &Block, stop: Option<&str>) -> (Json, Option<String>) {
        let derived = shape(name, block, self.flow);
        let branching = !derived.outputs.is_empty();
        let join = if branching { self.extras.joins.get(name).cloned() } else { None };
        let nested_stop = join.clone().or_else(|| stop.map(str::to_string));
        if let Block::Loop(looping) = block {
            self.loops.push((name.to_string(), looping.next.clone()));
        }
        let mut written: Vec<(String, String, Vec<Json>)> = Vec::new();
        for (path, target) in &derived.outputs {
            let path_stop = if matches!(block, Block::Loop(_)) { Some(name.to_string()) } else { nested_stop.clone() };
            if Some(target) == path_stop.as_ref() {
                continue;
            }
            let actions = self.list(target, path_stop.as_deref(), false);
            written.push((path.clone(), target.clone(), actions));
        }
        if matches!(block, Block::Loop(_)) {
            self.loops.pop();
        }
        let continuation = if branching { nested_stop.clone() } else { derived.next.clone() };
        let targets_map: BTreeMap<String, String> = written.iter().map(|(path, target, _)| (path.clone(), target.clone())).collect();
        let mut targets_map = targets_map;
        if let Block::CallTask { task, .. } = block {
            targets_map.insert("task".to_string(), task.clone());
        }
        let next_target = continuation.clone().unwrap_or_else(|| END_OF_LIST.to_string());
        let enclosing = self.loops.last().cloned();
        let targets = Targets {
            outputs: &targets_map,
            next: &next_target,
            enclosing_loop: enclosing.as_ref().map(|(block, next)| (block.as_str(), next.as_str())),
        };
        let (kind, mut body) = self.kept_or_derived(name, block, &derived, &targets);
        if let Block::CallTask { task, .. } = block {
            if !self.heads.contains(task) {
                self.promote.push(task.clone());
            }
            body.insert("targetTaskRef".to_string(), json!(self.reference(task)));
        }
        if build(kind, &body, &targets, &mut Vec::new()).as_ref() != Some(block) {
            self.patches.insert(name.to_string(), block.clone());
        }
        place_outputs(kind, &mut body, written);
        let next = if branching { join } else { derived.next };
        (json!({ kind: body }), next)
    }

    /// The kept action when it still imports to this block, else the derived one.
    pub(super) fn kept_or_derived(&self, name: &str, block: &Block, derived: &ActionShape, targets: &Targets) -> (&'static str, Map<String, Json>) {
        if let Some((written_kind, Json::Object(raw))) = self.extras.actions.get(name).and_then(single_entry)
            && let Some((kind, _)) = canonical(written_kind)
        {
            let mut raw = raw.clone();
            if kind == "callTask" {
                // The task reference is structure: written from the graph below.
                raw.insert("targetTaskRef".to_string(), json!(""));
            }
            if build(kind, &raw, targets, &mut Vec::new()).as_ref() == Some(block) {
                return (kind, raw);
            }
        }
        (derived.kind, derived.body.clone())
    }

}

/// Puts the nested action lists where Archy writes them: `outputs.<path>.actions`, or the cases
/// and default of a `switch`.
fn place_outputs(kind: &str, body: &mut Map<String, Json>, written: Vec<(String, String, Vec<Json>)>) {
    if kind == "switch" {
        let Some(Json::Object(evaluate)) = body.get_mut("evaluate") else { return };
        let Some((mode, inner)) = evaluate.iter_mut().next() else { return };
        let inner = if mode == "firstMatch" {
            match inner.as_object_mut().and_then(|typed| typed.values_mut().next()) {
                Some(inner) => inner,
                None => return,
            }
        } else {
            inner
        };
        let Some(inner) = inner.as_object_mut() else { return };
        for (path, _, actions) in written {
            if let Some(index) = path.strip_prefix("case").and_then(|index| index.parse::<usize>().ok()) {
                if let Some(Json::Object(case)) =
                    inner.get_mut("cases").and_then(Json::as_array_mut).and_then(|cases| cases.get_mut(index)).and_then(|c| c.get_mut("case"))
                {
                    case.insert("actions".to_string(), Json::Array(actions));
                }
            } else if path == "default" {
                inner.insert("default".to_string(), json!({ "actions": actions }));
            }
        }
        return;
    }
    if written.is_empty() {
        return;
    }
    let outputs: Map<String, Json> =
        written.into_iter().map(|(path, _, actions)| (path, json!({ "actions": actions }))).collect();
    body.insert("outputs".to_string(), Json::Object(outputs));
}
