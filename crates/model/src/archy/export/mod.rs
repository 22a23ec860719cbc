//! `FlowDefinition` → Archy YAML, in Architect's names (`archy::scoped`). Menus and tasks come back from the kept containers (or, for
//! flows written in the flow format, one task per block that more than one path reaches); every
//! action is written from the kept Archy action when that still imports to the same block, else
//! from the block's fields. Blocks Architect has no words for (a weighted split, retries, a play
//! duration) are written as their nearest Architect action and carried exactly, as JSON, in the
//! string variable `Flow.SwitchboardBlocks`, so import gives back the same definition.

mod emit;
mod menus;
mod plan;
mod shapes;
mod yaml;

use super::import::{PATCH_VARIABLE, reference_key, strip_actions, variable_declaration};
use super::values::{self, single_entry};
use crate::flow::{ArchyContainer, ArchyExtras, Block, ContainerKind, FlowDefinition, FlowType};
use serde_json::{Map, Value as Json, json};
use shapes::{shape, variable_item};
use std::collections::{BTreeMap, BTreeSet};

/// Writes the flow as Archy YAML.
pub fn export(flow: &FlowDefinition) -> String {
    // Architect's names and spellings first (the identity on a flow imported from Archy).
    let flow = &super::scoping::scoped(flow);
    let extras = flow.archy.clone().unwrap_or_default();
    let mut exporter = Exporter::new(flow, &extras);
    exporter.plan();
    yaml::write(&exporter.document())
}

/// Drops from an imported flow's extras whatever export would write anyway, so a flow written in
/// the flow format comes back from Archy without extras. Called by import.
pub(crate) fn normalize(flow: &mut FlowDefinition) {
    let Some(mut extras) = flow.archy.take() else { return };
    let bare = ArchyExtras::default();
    let mut derived = Exporter::new(flow, &bare);
    derived.plan();
    let (_, menus, _) = derived.emit_all();
    let derived_menus: BTreeMap<String, Json> = menus
        .iter()
        .filter_map(|menu| Some((menu.get("menu")?.get("name")?.as_str()?.to_string(), strip_actions(menu))))
        .collect();
    extras.actions.retain(|name, raw| match flow.blocks.get(name) {
        Some(Block::Menu(_)) => derived_menus.get(name) != Some(raw),
        None => true,
        Some(block) => {
            let derived = shape(name, block, flow);
            *raw != json!({ derived.kind: derived.body })
        }
    });
    extras.variables.retain(|name, raw| match flow.variables.get(name) {
        Some(declaration) => *raw != variable_item(name, declaration),
        None => true,
    });
    if extras.flow == derived_flow_keys() {
        extras.flow.clear();
    }
    if derived.containers == extras.containers {
        extras.containers.clear();
    }
    flow.archy = (!extras.is_empty()).then_some(extras);
}

fn derived_flow_keys() -> Map<String, Json> {
    let mut keys = Map::new();
    keys.insert("defaultLanguage".to_string(), json!("en-us"));
    keys
}

/// Stands for "the end of the container" when checking what an action would import to.
const END_OF_LIST: &str = "\u{3}";

struct Exporter<'a> {
    flow: &'a FlowDefinition,
    extras: &'a ArchyExtras,
    flow_key: &'static str,
    greeting: Option<Json>,
    entry: String,
    containers: Vec<ArchyContainer>,
    heads: BTreeSet<String>,
    emitted: BTreeSet<String>,
    promote: Vec<String>,
    loops: Vec<(String, String)>,
    patches: BTreeMap<String, Block>,
}

impl<'a> Exporter<'a> {
    fn new(flow: &'a FlowDefinition, extras: &'a ArchyExtras) -> Exporter<'a> {
        let flow_key = match flow.flow_type {
            FlowType::InboundCall => "inboundCall",
            FlowType::InQueueCall => "inqueueCall",
            FlowType::CommonModule => "commonModule",
            FlowType::Workflow => "workflow",
        };
        let mut greeting = None;
        let mut entry = flow.start.clone();
        if let (Some(Block::Play { prompt, duration_ms, next }), Some(raw)) =
            (flow.blocks.get(&flow.start), extras.actions.get(&flow.start))
            && let Some(("initialGreeting", audio)) = single_entry(raw)
            && values::audio(audio).as_ref() == Ok(prompt)
            && values::prompt_duration_ms(audio) == *duration_ms
        {
            greeting = Some(audio.clone());
            entry = next.clone();
        }
        Exporter {
            flow,
            extras,
            flow_key,
            greeting,
            entry,
            containers: Vec::new(),
            heads: BTreeSet::new(),
            emitted: BTreeSet::new(),
            promote: Vec::new(),
            loops: Vec::new(),
            patches: BTreeMap::new(),
        }
    }

    fn is_menu(&self, name: &str) -> bool {
        matches!(self.flow.blocks.get(name), Some(Block::Menu(_)))
    }

    fn document(&mut self) -> Json {
        let (start_up, menus, tasks) = self.emit_all();
        let mut body = Map::new();
        body.insert("name".to_string(), json!(self.flow.name));
        if let Some(description) = &self.flow.description {
            body.insert("description".to_string(), json!(description));
        }
        let keys = if self.extras.flow.is_empty() { derived_flow_keys() } else { self.extras.flow.clone() };
        body.extend(keys);
        if let Some(audio) = &self.greeting {
            body.insert("initialGreeting".to_string(), audio.clone());
        }
        if start_up.is_empty() || !menus.is_empty() || self.flow.flow_type == FlowType::InboundCall {
            let entry = self.entry.clone();
            let derived = self.reference(&entry);
            let kept = body.get("startUpRef").and_then(Json::as_str).map(reference_key);
            if kept.is_none() || kept != Some(reference_key(&derived)) {
                body.insert("startUpRef".to_string(), json!(derived));
            }
        }
        let variables = self.variables();
        if !variables.is_empty() {
            body.insert("variables".to_string(), Json::Array(variables));
        }
        if !start_up.is_empty() || self.flow.flow_type != FlowType::InboundCall {
            body.insert("startUpTaskActions".to_string(), Json::Array(start_up));
        }
        if !menus.is_empty() {
            body.insert("menus".to_string(), Json::Array(menus));
        }
        if !tasks.is_empty() {
            body.insert("tasks".to_string(), Json::Array(tasks));
        }
        json!({ self.flow_key: body })
    }

    /// Flow-level variables (task variables stay in their task's kept keys), then the patch.
    fn variables(&self) -> Vec<Json> {
        let in_tasks: BTreeSet<String> = self
            .containers
            .iter()
            .filter_map(|container| container.keys.get("variables").and_then(Json::as_array))
            .flatten()
            .filter_map(|item| variable_declaration(item).ok().map(|(name, _)| name))
            .collect();
        let mut items = Vec::new();
        for (name, declaration) in &self.flow.variables {
            if in_tasks.contains(name) {
                continue;
            }
            let kept = self.extras.variables.get(name).filter(|raw| {
                variable_declaration(raw).ok().as_ref() == Some(&(name.clone(), declaration.clone()))
            });
            items.push(kept.cloned().unwrap_or_else(|| variable_item(name, declaration)));
        }
        if !self.patches.is_empty() {
            let text = serde_json::to_string(&self.patches).unwrap_or_default();
            items.push(json!({ "stringVariable": {
                "name": PATCH_VARIABLE,
                "initialValue": { "lit": text },
                "description": "Switchboard blocks Architect has no action for (exact form, read back by Switchboard's import)",
            }}));
        }
        items
    }

    /// The path reference of a container's block.
    fn reference(&self, block: &str) -> String {
        let container = self.containers.iter().find(|container| container.block == block);
        let id = container
            .and_then(|container| container.keys.get("refId").or_else(|| container.keys.get("name")))
            .and_then(Json::as_str)
            .map(str::to_string)
            .or_else(|| self.menu_id(block))
            .unwrap_or_else(|| block.to_string());
        let collection = if self.is_menu(block) { "menus/menu" } else { "tasks/task" };
        format!("/{}/{collection}[{id}]", self.flow_key)
    }

    fn menu_id(&self, block: &str) -> Option<String> {
        let raw = self.extras.actions.get(block)?.get("menu")?;
        raw.get("refId").or_else(|| raw.get("name")).and_then(Json::as_str).map(str::to_string)
    }

    fn jump(&self, target: &str) -> Json {
        let (kind, key) = if self.is_menu(target) { ("jumpToMenu", "targetMenuRef") } else { ("jumpToTask", "targetTaskRef") };
        json!({ kind: { "name": format!("Jump to {target}"), key: self.reference(target) } })
    }

}
