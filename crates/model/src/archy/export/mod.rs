//! `FlowDefinition` → Archy YAML. Menus and tasks come back from the kept containers (or, for
//! flows written in the flow format, one task per block that more than one path reaches); every
//! action is written from the kept Archy action when that still imports to the same block, else
//! from the block's fields. Blocks Architect has no words for (a weighted split, retries, a play
//! duration) are written as their nearest Architect action and carried exactly, as JSON, in the
//! string variable `Flow.SwitchboardBlocks`, so import gives back the same definition.

mod shapes;
mod yaml;

use super::import::{PATCH_VARIABLE, Targets, build, canonical, menu_fields, reference_key, variable_declaration};
use super::values::{self, audio_form, single_entry};
use crate::flow::{ArchyContainer, ArchyExtras, Block, ContainerKind, FlowDefinition, FlowType, MenuBlock};
use serde_json::{Map, Value as Json, json};
use shapes::{ActionShape, shape, variable_item};
use std::collections::{BTreeMap, BTreeSet};

/// Writes the flow as Archy YAML.
pub fn export(flow: &FlowDefinition) -> String {
    let extras = flow.archy.clone().unwrap_or_default();
    let mut exporter = Exporter::new(flow, &extras);
    exporter.plan();
    yaml::write(&exporter.document())
}

/// Drops from an imported flow's extras whatever export would write anyway, so a flow written in
/// the flow format comes back from Archy without extras. Called by import.
pub(crate) fn normalize(flow: &mut FlowDefinition) {
    let Some(mut extras) = flow.archy.take() else { return };
    extras.actions.retain(|name, raw| match flow.blocks.get(name) {
        Some(Block::Menu(_)) | None => true,
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
    let bare = ArchyExtras::default();
    let mut derived = Exporter::new(flow, &bare);
    derived.plan();
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

    /// Decides the containers: the kept ones that still fit, the entry, every menu, and a task
    /// for each block that cannot be written inline (reached twice, called, or unreached).
    fn plan(&mut self) {
        let mut seen = BTreeSet::new();
        for container in &self.extras.containers {
            let fits = self.flow.blocks.contains_key(&container.block)
                && (container.kind == ContainerKind::Menu) == self.is_menu(&container.block)
                && (container.kind != ContainerKind::StartUpTaskActions || container.block == self.entry);
            if fits && seen.insert(container.block.clone()) {
                self.containers.push(container.clone());
            }
        }
        let menus: Vec<String> = self.flow.blocks.keys().filter(|name| self.is_menu(name)).cloned().collect();
        for menu in menus {
            if seen.insert(menu.clone()) {
                self.containers.push(ArchyContainer { kind: ContainerKind::Menu, block: menu, keys: Map::new() });
            }
        }
        let entry = self.entry.clone();
        if !seen.contains(&entry) {
            let container = if self.flow.flow_type == FlowType::InboundCall {
                self.task_container(&entry)
            } else {
                ArchyContainer { kind: ContainerKind::StartUpTaskActions, block: entry.clone(), keys: Map::new() }
            };
            self.containers.insert(0, container);
        }
        for _ in 0..self.flow.blocks.len() + 1 {
            self.heads = self.containers.iter().filter(|c| c.kind != ContainerKind::Menu).map(|c| c.block.clone()).collect();
            self.emit_all();
            let mut promote = std::mem::take(&mut self.promote);
            if promote.is_empty() {
                promote.extend(self.flow.blocks.iter().find_map(|(name, block)| {
                    let greeting = self.greeting.is_some() && *name == self.flow.start;
                    let structural =
                        greeting || matches!(block, Block::EndTask { implicit: true }) || self.heads.contains(name);
                    (!structural && !self.emitted.contains(name) && !self.is_menu(name)).then(|| name.clone())
                }));
            }
            if promote.is_empty() {
                break;
            }
            for name in promote {
                if !self.heads.contains(&name) && !self.is_menu(&name) {
                    let container = self.task_container(&name);
                    self.containers.push(container);
                    self.heads.insert(name);
                }
            }
        }
        // Archy's order: start-up actions, menus, tasks (each in its own order).
        self.containers.sort_by_key(|container| match container.kind {
            ContainerKind::StartUpTaskActions => 0,
            ContainerKind::Menu => 1,
            ContainerKind::Task => 2,
        });
    }

    fn task_container(&self, block: &str) -> ArchyContainer {
        let mut keys = Map::new();
        keys.insert("name".to_string(), json!(block));
        keys.insert("refId".to_string(), json!(block));
        ArchyContainer { kind: ContainerKind::Task, block: block.to_string(), keys }
    }

    /// Writes every container; returns them by kind.
    fn emit_all(&mut self) -> (Vec<Json>, Vec<Json>, Vec<Json>) {
        self.emitted.clear();
        self.promote.clear();
        self.patches.clear();
        let (mut start_up, mut menus, mut tasks) = (Vec::new(), Vec::new(), Vec::new());
        for container in self.containers.clone() {
            match container.kind {
                ContainerKind::Menu => {
                    self.emitted.insert(container.block.clone());
                    menus.push(self.menu(&container));
                }
                ContainerKind::StartUpTaskActions => start_up = self.list(&container.block, None, true),
                ContainerKind::Task => {
                    let actions = self.list(&container.block, None, true);
                    let mut keys = container.keys.clone();
                    keys.insert("actions".to_string(), Json::Array(actions));
                    tasks.push(json!({ "task": keys }));
                }
            }
        }
        (start_up, menus, tasks)
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

    /// The action list from `start` until `stop`, a jump, or the end of a path.
    fn list(&mut self, start: &str, stop: Option<&str>, top: bool) -> Vec<Json> {
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
    fn action(&mut self, name: &str, block: &Block, stop: Option<&str>) -> (Json, Option<String>) {
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
        let mut problems = Vec::new();
        if build(kind, &body, &targets, &mut problems).as_ref() != Some(block) {
            self.patches.insert(name.to_string(), block.clone());
        }
        if let Block::CallTask { task, .. } = block {
            if !self.heads.contains(task) {
                self.promote.push(task.clone());
            }
            body.insert("targetTaskRef".to_string(), json!(self.reference(task)));
        }
        place_outputs(kind, &mut body, written);
        let next = if branching { join } else { derived.next };
        (json!({ kind: body }), next)
    }

    /// The kept action when it still imports to this block, else the derived one.
    fn kept_or_derived(&self, name: &str, block: &Block, derived: &ActionShape, targets: &Targets) -> (&'static str, Map<String, Json>) {
        if let Some((written_kind, Json::Object(raw))) = self.extras.actions.get(name).and_then(single_entry)
            && let Some((kind, _)) = canonical(written_kind)
        {
            let mut problems = Vec::new();
            let mut raw = raw.clone();
            if kind == "callTask" {
                raw.remove("targetTaskRef");
                raw.insert("targetTaskRef".to_string(), json!(""));
            }
            if build(kind, &raw, targets, &mut problems).as_ref() == Some(block) {
                return (kind, raw);
            }
        }
        (derived.kind, derived.body.clone())
    }

    /// A menu container: its kept keys when they still describe the block, and its choices.
    fn menu(&mut self, container: &ArchyContainer) -> Json {
        let name = container.block.clone();
        let Some(Block::Menu(menu)) = self.flow.blocks.get(&name) else { return json!({}) };
        let kept = self.extras.actions.get(&name).and_then(|raw| raw.get("menu")).and_then(Json::as_object).filter(|raw| {
            let expected: Vec<(Option<String>, Vec<String>)> =
                menu.choices.iter().map(|choice| (choice.dtmf.clone(), choice.speech.clone())).collect();
            menu_fields(raw).is_some_and(|(prompt, choices)| prompt == menu.prompt && choices == expected)
        });
        let mut body = match kept {
            Some(raw) => raw.clone(),
            None => {
                let mut body = Map::new();
                body.insert("name".to_string(), json!(name));
                body.insert("refId".to_string(), json!(name));
                body.insert("audio".to_string(), audio_form(&menu.prompt));
                body
            }
        };
        let kept_choices: Vec<Json> = body.get("choices").and_then(Json::as_array).cloned().unwrap_or_default();
        let mut choices = Vec::new();
        let mut default_ref = None;
        for (index, choice) in menu.choices.iter().enumerate() {
            let kept = kept_choices.get(index).and_then(single_entry).map(|(kind, body)| (kind.to_string(), body.clone()));
            let (kind, mut choice_body) = self.choice(&choice.next, kept);
            match &choice.dtmf {
                Some(key) => choice_body.insert("dtmf".to_string(), json!(super::import::dtmf_name(key))),
                None => choice_body.remove("dtmf"),
            };
            let kept_terms = menu_fields(&Map::from_iter([(
                "choices".to_string(),
                json!([{ kind.clone(): choice_body.clone() }]),
            )]))
            .and_then(|(_, choices)| choices.into_iter().next())
            .map(|(_, speech)| speech);
            if kept_terms.as_ref() != Some(&choice.speech) {
                if choice.speech.is_empty() {
                    choice_body.remove("speechRecTerms");
                } else {
                    choice_body.insert("speechRecTerms".to_string(), json!({ "en-us": { "terms": choice.speech } }));
                }
            }
            if default_ref.is_none() && menu.default.as_ref() == Some(&choice.next) {
                let id = choice_body.get("refId").or_else(|| choice_body.get("name")).and_then(Json::as_str).unwrap_or_default();
                default_ref = Some(format!("./choices/{kind}[{id}]"));
            }
            choices.push(json!({ kind: choice_body }));
        }
        body.insert("choices".to_string(), Json::Array(choices));
        let kept_default = body.get("defaultChildMenuRef").and_then(Json::as_str).map(str::to_string);
        match (&default_ref, kept_default) {
            (Some(derived), Some(kept)) if reference_key(&kept) == reference_key(derived) => {}
            (Some(derived), _) => {
                body.insert("defaultChildMenuRef".to_string(), json!(derived));
            }
            (None, _) => {
                body.remove("defaultChildMenuRef");
                if menu.default.is_some() {
                    self.patches.insert(name.clone(), Block::Menu(MenuBlock { ..menu.clone() }));
                }
            }
        }
        json!({ "menu": body })
    }

    /// A menu choice leading to `target`: a jump, the target block as a choice of its own, or an
    /// inline task.
    fn choice(&mut self, target: &str, kept: Option<(String, Json)>) -> (String, Map<String, Json>) {
        let kept_body = |wanted: &str| {
            kept.as_ref()
                .filter(|(kind, _)| kind.eq_ignore_ascii_case(wanted))
                .and_then(|(_, body)| body.as_object().cloned())
        };
        if self.heads.contains(target) || self.is_menu(target) {
            let (kind, key) =
                if self.is_menu(target) { ("menuJumpToMenu", "targetMenuRef") } else { ("menuJumpToTask", "targetTaskRef") };
            let mut body = kept_body(kind).unwrap_or_else(|| Map::from_iter([("name".to_string(), json!(target))]));
            body.insert(key.to_string(), json!(self.reference(target)));
            return (kind.to_string(), body);
        }
        let block = self.flow.blocks.get(target).cloned();
        let own = match &block {
            Some(Block::Disconnect { .. }) => Some("menuDisconnect"),
            Some(Block::TransferToQueue { on_failure: None, .. }) => Some("menuTransferToAcd"),
            _ => None,
        };
        if let (Some(kind), Some(block)) = (own, &block)
            && !self.emitted.contains(target)
        {
            self.emitted.insert(target.to_string());
            let (item, _) = self.action(target, block, None);
            let body = item.get(single_entry(&item).map(|(kind, _)| kind).unwrap_or_default()).and_then(Json::as_object).cloned();
            let mut body = body.unwrap_or_default();
            if single_entry(&item).map(|(written, _)| written) != Some(kind) {
                // The kept action was a plain action, not a choice: write the choice form.
                body.remove("outputs");
            }
            return (kind.to_string(), body);
        }
        let actions = self.list(target, None, false);
        let mut body = kept_body("menuTask").unwrap_or_else(|| Map::from_iter([("name".to_string(), json!(target))]));
        let mut task = body.get("task").and_then(Json::as_object).cloned().unwrap_or_default();
        task.insert("actions".to_string(), Json::Array(actions));
        body.insert("task".to_string(), Json::Object(task));
        ("menuTask".to_string(), body)
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
