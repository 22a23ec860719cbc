//! Menus and their choices: jumps, blocks that are choices of their own (`menuDisconnect`,
//! `menuTransferToAcd`), and inline tasks (`menuTask`).

use super::shapes::shape;
use super::{END_OF_LIST, Exporter, Json, Map, json};
use crate::archy::import::{Targets, build, dtmf_name, menu_fields, reference_key};
use crate::archy::values::{audio_form, single_entry};
use crate::flow::{ArchyContainer, Block, MenuBlock};
use std::collections::BTreeMap;

impl Exporter<'_> {
    /// A menu container: its kept keys when they still describe the block, and its choices.
    pub(super) fn menu(&mut self, container: &ArchyContainer) -> Json {
        let name = container.block.clone();
        let Some(Block::Menu(menu)) = self.flow.blocks.get(&name) else { return json!({}) };
        // The kept menu keeps its name, refId and settings; its audio only while it still says the
        // prompt (choices are rebuilt one by one below).
        let kept = self.extras.actions.get(&name).and_then(|raw| raw.get("menu")).and_then(Json::as_object);
        let mut body = match kept {
            Some(raw) => raw.clone(),
            None => {
                let mut body = Map::new();
                body.insert("name".to_string(), json!(name));
                body.insert("refId".to_string(), json!(name));
                body
            }
        };
        if menu_fields(&body).map(|(prompt, _)| prompt).as_ref() != Some(&menu.prompt) {
            body.insert("audio".to_string(), audio_form(&menu.prompt));
        }
        let kept_choices: Vec<Json> = body.get("choices").and_then(Json::as_array).cloned().unwrap_or_default();
        let mut choices = Vec::new();
        let mut default_ref = None;
        for (index, choice) in menu.choices.iter().enumerate() {
            let kept = kept_choices.get(index).and_then(single_entry).map(|(kind, body)| (kind.to_string(), body.clone()));
            let (kind, mut choice_body) = self.choice(&choice.next, kept);
            match &choice.dtmf {
                Some(key) => choice_body.insert("dtmf".to_string(), json!(dtmf_name(key))),
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

    /// A block that is a menu choice of its own (`menuDisconnect`, `menuTransferToAcd`): the
    /// choice as kept in the menu when it still imports to the block, else derived from it.
    pub(super) fn own_choice(&mut self, name: &str, block: &Block, kind: &'static str, kept: Option<Map<String, Json>>) -> Map<String, Json> {
        let no_outputs = BTreeMap::new();
        let targets = Targets { outputs: &no_outputs, next: END_OF_LIST, enclosing_loop: None };
        let imports_to_block = |body: &Map<String, Json>| build(kind, body, &targets, &mut Vec::new()).as_ref() == Some(block);
        let body = match kept {
            Some(body) if imports_to_block(&body) => body,
            _ => shape(name, block, self.flow).body,
        };
        if !imports_to_block(&body) {
            self.patches.insert(name.to_string(), block.clone());
        }
        body
    }

    /// A menu choice leading to `target`: a jump, the target block as a choice of its own, or an
    /// inline task.
    pub(super) fn choice(&mut self, target: &str, kept: Option<(String, Json)>) -> (String, Map<String, Json>) {
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
            return (kind.to_string(), self.own_choice(target, block, kind, kept_body(kind)));
        }
        let actions = self.list(target, None, false);
        let mut body = kept_body("menuTask").unwrap_or_else(|| Map::from_iter([("name".to_string(), json!(target))]));
        let mut task = body.get("task").and_then(Json::as_object).cloned().unwrap_or_default();
        task.insert("actions".to_string(), Json::Array(actions));
        body.insert("task".to_string(), Json::Object(task));
        ("menuTask".to_string(), body)
    }
}
