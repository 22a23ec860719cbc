//! The flow level of an Archy import: name, variables, initial greeting, menus, tasks and the
//! start-up actions, and the keys kept verbatim for export.

use super::super::values::{self, single_entry};
use super::{At, Importer, PATCH_VARIABLE, dtmf_key, strip_actions};
use crate::flow::{
    ArchyContainer, Block, ContainerKind, FlowDefinition, FlowType, MenuBlock, MenuChoice, Value, VariableDeclaration,
    VariableType,
};
use serde_json::{Map, Value as Json, json};
use std::collections::BTreeMap;

/// Top-level keys the import interprets; every other key is kept verbatim.
const INTERPRETED: &[&str] =
    &["name", "description", "startUpRef", "initialGreeting", "variables", "menus", "tasks", "startUpTaskActions"];

impl Importer<'_> {
    pub(super) fn flow(&mut self, body: &Map<String, Json>, at: &At, flow_type: FlowType) -> Option<FlowDefinition> {
        let name = match body.get("name") {
            Some(Json::String(name)) => name.clone(),
            Some(Json::Number(number)) => number.to_string(),
            _ => {
                self.report(at, "the flow needs a `name:`");
                String::new()
            }
        };
        let description = body.get("description").and_then(Json::as_str).map(str::to_string);

        // Menus and tasks are registered first so references may point forward.
        let menus = self.items(body, "menus", "menu", at);
        let tasks = self.items(body, "tasks", "task", at);
        let mut menu_names = Vec::new();
        for (menu, _) in &menus {
            let wanted = menu.get("name").and_then(Json::as_str).unwrap_or("menu").to_string();
            let block = self.allocate(&wanted);
            for id in reference_ids(menu) {
                self.refs.entry(format!("menu:{id}")).or_insert_with(|| block.clone());
            }
            menu_names.push(block);
        }
        let mut task_heads = Vec::new();
        for (task, _) in &tasks {
            let head = self.placeholder();
            for id in reference_ids(task) {
                self.refs.entry(format!("task:{id}")).or_insert_with(|| head.clone());
            }
            task_heads.push(head);
        }

        let mut variables = BTreeMap::new();
        let mut patch = None;
        self.variables(body.get("variables"), &at.key("variables"), true, &mut variables, &mut patch);

        let greeting = match body.get("initialGreeting") {
            Some(audio) => match values::audio(audio) {
                Ok(prompt) => {
                    let block = self.allocate("Initial Greeting");
                    Some((block, prompt, values::prompt_duration_ms(audio)))
                }
                Err(message) => {
                    self.report(&at.key("initialGreeting"), message);
                    None
                }
            },
            None => None,
        };

        let mut start = None;
        if let Some(actions) = body.get("startUpTaskActions") {
            let label = "Start Up";
            let end = self.end_of(label);
            let first = self.list(actions, &at.key("startUpTaskActions"), end);
            self.extras.containers.push(ArchyContainer {
                kind: ContainerKind::StartUpTaskActions,
                block: first.clone(),
                keys: Map::new(),
            });
            start = Some(first);
        }
        for ((menu, menu_at), block) in menus.iter().zip(menu_names) {
            self.menu(menu, menu_at, block);
        }
        for ((task, task_at), head) in tasks.iter().zip(task_heads) {
            let label = task.get("name").and_then(Json::as_str).unwrap_or("task").to_string();
            if let Some(list) = task.get("variables") {
                self.variables(Some(list), &task_at.key("variables"), false, &mut variables, &mut patch);
            }
            let end = self.end_of(&label);
            let actions = task.get("actions").cloned().unwrap_or(Json::Array(Vec::new()));
            let first = self.list(&actions, &task_at.key("actions"), end);
            self.link(head.clone(), first);
            let keys = task.iter().filter(|(key, _)| *key != "actions").map(|(k, v)| (k.clone(), v.clone())).collect();
            self.extras.containers.push(ArchyContainer { kind: ContainerKind::Task, block: head, keys });
        }

        if let Some(reference) = body.get("startUpRef") {
            match reference {
                Json::String(reference) => {
                    start = Some(self.reference(reference, &at.key("startUpRef")));
                    // A relative reference is kept as written; export writes absolute ones.
                    if reference.starts_with("./") {
                        self.extras.flow.insert("startUpRef".to_string(), json!(reference));
                    }
                }
                _ => self.report(&at.key("startUpRef"), "`startUpRef:` must be a path to a task or menu"),
            }
        }
        let Some(mut start) = start else {
            let needs = if flow_type == FlowType::InboundCall { "`startUpRef:`" } else { "`startUpTaskActions:`" };
            self.report(at, format!("the flow needs {needs}"));
            return None;
        };
        if let Some((block, prompt, duration_ms)) = greeting {
            self.blocks.insert(block.clone(), Block::Play { prompt, duration_ms, next: start });
            if let Some(audio) = body.get("initialGreeting") {
                self.extras.actions.insert(block.clone(), json!({ "initialGreeting": audio }));
            }
            start = block;
        }
        let start = self.resolve_all(&start);
        if let Some(patch) = patch {
            self.apply_patch(patch, &at.key("variables"));
        }
        for (key, value) in body {
            if !INTERPRETED.contains(&key.as_str()) {
                self.extras.flow.insert(key.clone(), value.clone());
            }
        }
        Some(FlowDefinition {
            name,
            flow_type,
            description,
            variables,
            start,
            blocks: std::mem::take(&mut self.blocks),
            archy: Some(std::mem::take(&mut self.extras)),
        })
    }

    /// The mappings of `menus:` / `tasks:` (`- menu: {...}`) with their locations.
    fn items(&mut self, body: &Map<String, Json>, key: &str, item_key: &str, at: &At) -> Vec<(Map<String, Json>, At)> {
        let mut out = Vec::new();
        match body.get(key) {
            None => {}
            Some(Json::Array(items)) => {
                for (index, item) in items.iter().enumerate() {
                    let item_at = at.key(key).index(index);
                    match item.get(item_key) {
                        Some(Json::Object(map)) => out.push((map.clone(), item_at.wrapper(item_key))),
                        _ => self.report(&item_at, format!("expected `- {item_key}: {{...}}`")),
                    }
                }
            }
            Some(_) => self.report(&at.key(key), format!("`{key}:` must be a list")),
        }
        out
    }

    fn variables(
        &mut self,
        list: Option<&Json>,
        at: &At,
        top_level: bool,
        variables: &mut BTreeMap<String, VariableDeclaration>,
        patch: &mut Option<String>,
    ) {
        let Some(list) = list else { return };
        let Json::Array(items) = list else {
            self.report(at, "`variables:` must be a list");
            return;
        };
        for (index, item) in items.iter().enumerate() {
            match variable_declaration(item) {
                Ok((name, declaration)) => {
                    if top_level && name == PATCH_VARIABLE {
                        if let Some(Value::String(text)) = declaration.default {
                            *patch = Some(text);
                        }
                        continue;
                    }
                    if top_level {
                        self.extras.variables.insert(name.clone(), item.clone());
                    }
                    variables.insert(name, declaration);
                }
                Err(message) => self.report(&at.index(index), message),
            }
        }
    }

    fn menu(&mut self, menu: &Map<String, Json>, at: &At, block: String) {
        let prompt = match menu.get("audio") {
            Some(audio) => match values::audio(audio) {
                Ok(prompt) => prompt,
                Err(message) => {
                    self.report(&at.key("audio"), message);
                    String::new()
                }
            },
            None => String::new(),
        };
        let mut choices = Vec::new();
        let mut by_id: BTreeMap<String, String> = BTreeMap::new();
        let items = menu.get("choices").and_then(Json::as_array).cloned().unwrap_or_default();
        for (index, item) in items.iter().enumerate() {
            let item_at = at.key("choices").index(index);
            let Some((written, Json::Object(choice))) = single_entry(item) else {
                self.report(&item_at, "a choice is a one-key mapping `- menuDisconnect: {...}`");
                continue;
            };
            let choice_at = item_at.key(written);
            let label = choice.get("name").and_then(Json::as_str).unwrap_or("choice").to_string();
            let target = match written.to_ascii_lowercase().as_str() {
                "menujumptotask" | "menujumptomenu" => {
                    let key = if written.eq_ignore_ascii_case("menuJumpToTask") { "targetTaskRef" } else { "targetMenuRef" };
                    match choice.get(key) {
                        Some(Json::String(reference)) => self.reference(reference, &choice_at.key(key)),
                        _ => {
                            self.report(&choice_at, format!("`{written}` needs `{key}:`"));
                            continue;
                        }
                    }
                }
                "menutask" => {
                    let actions = choice
                        .get("task")
                        .and_then(|task| task.get("actions"))
                        .cloned()
                        .unwrap_or(Json::Array(Vec::new()));
                    let end = self.end_of(&label);
                    self.list(&actions, &choice_at.key("task").key("actions"), end)
                }
                "menudisconnect" | "menutransfertoacd" => {
                    let end = self.end_of(&label);
                    match self.action(item, &item_at, end) {
                        Some(target) => target,
                        None => continue,
                    }
                }
                _ => {
                    self.report(&choice_at, format!("menu choice `{written}` is not supported"));
                    continue;
                }
            };
            let (dtmf, speech) = choice_keys(choice);
            for id in reference_ids(choice) {
                by_id.entry(id).or_insert_with(|| target.clone());
            }
            choices.push(MenuChoice { dtmf, speech, next: target });
        }
        let default = match menu.get("defaultChildMenuRef") {
            Some(Json::String(reference)) => {
                let id = super::reference_key(reference).and_then(|key| key.split_once(':').map(|(_, id)| id.to_string()));
                match id.and_then(|id| by_id.get(&id).cloned()) {
                    Some(target) => Some(target),
                    None => {
                        self.report(&at.key("defaultChildMenuRef"), format!("`{reference}` names no choice of this menu"));
                        None
                    }
                }
            }
            _ => None,
        };
        self.blocks.insert(block.clone(), Block::Menu(MenuBlock { prompt, choices, default }));
        self.extras.actions.insert(block.clone(), json!({ "menu": strip_actions(&Json::Object(menu.clone())) }));
        self.extras.containers.push(ArchyContainer { kind: ContainerKind::Menu, block, keys: Map::new() });
    }

    /// Replaces blocks by the ones export carried in [`PATCH_VARIABLE`] (blocks Architect cannot say).
    fn apply_patch(&mut self, text: String, at: &At) {
        let parsed: Result<BTreeMap<String, Block>, _> = serde_json::from_str(&text);
        match parsed {
            Ok(blocks) => {
                for (name, block) in blocks {
                    self.blocks.insert(name, block);
                }
            }
            Err(error) => self.report(at, format!("`{PATCH_VARIABLE}` does not hold Switchboard blocks: {error}")),
        }
    }
}

/// The ids a task, menu or choice can be referenced by: its `refId` and its `name`.
fn reference_ids(map: &Map<String, Json>) -> Vec<String> {
    ["refId", "name"].iter().filter_map(|key| map.get(*key).and_then(Json::as_str)).map(str::to_string).collect()
}

/// A choice's DTMF key and speech terms (all languages, in language order).
fn choice_keys(choice: &Map<String, Json>) -> (Option<String>, Vec<String>) {
    let dtmf = choice.get("dtmf").and_then(Json::as_str).map(dtmf_key);
    let speech = choice
        .get("speechRecTerms")
        .and_then(Json::as_object)
        .into_iter()
        .flat_map(|languages| languages.values())
        .filter_map(|language| language.get("terms").and_then(Json::as_array))
        .flatten()
        .filter_map(Json::as_str)
        .map(str::to_string)
        .collect();
    (dtmf, speech)
}

/// What a menu mapping (as kept) says about the block: its prompt and each choice's keys.
pub(crate) fn menu_fields(menu: &Map<String, Json>) -> Option<(String, Vec<(Option<String>, Vec<String>)>)> {
    let prompt = match menu.get("audio") {
        Some(audio) => values::audio(audio).ok()?,
        None => String::new(),
    };
    let choices = menu
        .get("choices")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter_map(single_entry)
        .filter_map(|(_, choice)| choice.as_object().map(choice_keys))
        .collect();
    Some((prompt, choices))
}

/// `- stringVariable: {name, initialValue, ...}` → the variable's name and declaration. Types the
/// flow format lacks (queue, duration, collections...) are declared `string`; the item is kept.
pub(crate) fn variable_declaration(item: &Json) -> Result<(String, VariableDeclaration), String> {
    let Some((kind, Json::Object(body))) = single_entry(item) else {
        return Err("a variable is `- <type>Variable: {name: ..., initialValue: ...}`".to_string());
    };
    let Some(Json::String(name)) = body.get("name") else {
        return Err(format!("`{kind}` needs a `name:`"));
    };
    let variable_type = match kind.to_ascii_lowercase().as_str() {
        "integervariable" => VariableType::Integer,
        "decimalvariable" => VariableType::Decimal,
        "booleanvariable" => VariableType::Boolean,
        _ => VariableType::String,
    };
    let default = match body.get("initialValue").map(values::expression) {
        Some(Ok(expression)) => expression.literal_value().cloned(),
        _ => None,
    };
    let description = body.get("description").and_then(Json::as_str).map(str::to_string);
    Ok((name.clone(), VariableDeclaration { variable_type, default, description }))
}
