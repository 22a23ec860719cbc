//! Archy YAML → `FlowDefinition`: menus, tasks and nested action lists become a graph of named
//! blocks. Each action is one block named after its `name:` (made unique with ` (2)`, ` (3)`...);
//! the paths an action does not write fall through to the action after it, and running off the
//! end of a task reaches an implicit `end_task`. Jumps (`jumpToTask`, `jumpToMenu`,
//! `menuJumpToTask`) are edges, not blocks. Whatever is not interpreted is kept in `archy` extras.

mod actions;
mod containers;
mod parts;
mod reader;

pub(crate) use actions::{Targets, build, canonical, dtmf_key, dtmf_name};
pub(crate) use containers::{menu_fields, variable_declaration};

use super::document::{self, Document, pointer_segment};
use super::error::{ArchyDiagnostic, ArchyError};
use super::values::single_entry;
use crate::flow::{ArchyExtras, Block, FlowDefinition, FlowType};
use serde_json::{Map, Value as Json};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Prefix of a target that is resolved once the whole document is read.
const LINK: char = '\u{1}';
/// Prefix of a path reference (`/inboundCall/tasks/task[X]`): the index into `references`.
const REFERENCE: char = '\u{2}';
/// Prefix of the end of a task's action list (materialized as an implicit `end_task` when reached).
const END: char = '\u{3}';

/// Call flow types Switchboard imports, by their Archy key.
pub(crate) const CALL_FLOW_TYPES: &[(&str, FlowType)] = &[
    ("inboundCall", FlowType::InboundCall),
    ("inqueueCall", FlowType::InQueueCall),
    ("commonModule", FlowType::CommonModule),
];

/// Archy flow types that are recognised and refused.
pub(crate) const OTHER_FLOW_TYPES: &[&str] = &[
    "outboundCall",
    "secureCall",
    "workflow",
    "workitem",
    "inboundShortMessage",
    "inqueueShortMessage",
    "inboundChat",
    "inboundEmail",
    "inqueueEmail",
    "botFlow",
    "digitalBotFlow",
    "digitalBot",
    "voiceSurvey",
    "surveyInvite",
    "voicemail",
];

/// The variable that carries, as JSON, blocks Architect has no words for (written by export).
pub(crate) const PATCH_VARIABLE: &str = "Flow.SwitchboardBlocks";

/// Where a node is: its JSON pointer (for the line) and its display path.
#[derive(Debug, Clone)]
pub(crate) struct At {
    pub pointer: String,
    pub path: String,
}

impl At {
    fn key(&self, key: &str) -> At {
        At { pointer: format!("{}/{}", self.pointer, pointer_segment(key)), path: format!("{}.{key}", self.path) }
    }

    /// A list item's wrapper key (`- task:`), kept in the pointer but not in the display path.
    fn wrapper(&self, key: &str) -> At {
        At { pointer: format!("{}/{}", self.pointer, pointer_segment(key)), path: self.path.clone() }
    }

    fn index(&self, index: usize) -> At {
        At { pointer: format!("{}/{index}", self.pointer), path: format!("{}[{index}]", self.path) }
    }

    /// A pointer below this node (`/timeout/lit`), for problems found inside an action.
    fn below(&self, pointer: &str) -> At {
        let path = pointer.split('/').filter(|segment| !segment.is_empty()).fold(self.path.clone(), |path, segment| {
            if segment.bytes().all(|byte| byte.is_ascii_digit()) { format!("{path}[{segment}]") } else { format!("{path}.{segment}") }
        });
        At { pointer: format!("{}{pointer}", self.pointer), path }
    }
}

pub(crate) struct Importer<'a> {
    file: &'a str,
    document: &'a Document,
    diagnostics: Vec<ArchyDiagnostic>,
    pub blocks: BTreeMap<String, Block>,
    pub extras: ArchyExtras,
    /// Branching block → (the target after it, whether actions follow it in its list).
    joins: BTreeMap<String, (String, bool)>,
    /// Links some block's path went through: the paths that fall through to them.
    used: BTreeSet<String>,
    taken: BTreeSet<String>,
    /// Base name → the next ` (N)` suffix to try, so naming the k-th repeat of a name does not
    /// count up from 2 again (that made a flow of many unnamed actions quadratic).
    next_suffix: HashMap<String, usize>,
    /// Set once the flow has more than `FLOW_BLOCKS_MAX` blocks (reported once).
    too_many_blocks: bool,
    links: HashMap<String, String>,
    counter: usize,
    /// `task:<refId>` / `menu:<refId>` → target.
    refs: HashMap<String, String>,
    references: Vec<(String, At)>,
    /// End placeholder → the implicit end block made for it.
    ends: BTreeMap<String, String>,
    loops: Vec<(String, String)>,
}

/// Imports Archy YAML (after substitution) into a flow definition.
pub fn import(text: &str, file: &str) -> Result<FlowDefinition, ArchyError> {
    let document = document::parse(text, file)?;
    let root = &document.root;
    let Some((key, body)) = single_entry(root) else {
        return Err(ArchyError::single(file, 1, 1, "", "an Archy flow is a one-key mapping: `inboundCall:`, `inqueueCall:` or `commonModule:`"));
    };
    let (line, column) = document.position(&format!("/{}", pointer_segment(key)));
    let Some((flow_key, flow_type)) = CALL_FLOW_TYPES.iter().find(|(name, _)| name.eq_ignore_ascii_case(key)) else {
        let message = match OTHER_FLOW_TYPES.iter().find(|name| name.eq_ignore_ascii_case(key)) {
            Some(kind) => format!(
                "flow type `{kind}` is not supported: Switchboard runs call flows (inboundCall, inqueueCall, commonModule)"
            ),
            None => format!("`{key}` is not an Archy flow type (expected inboundCall, inqueueCall or commonModule)"),
        };
        return Err(ArchyError::single(file, line, column, key, message));
    };
    let Json::Object(body) = body else {
        return Err(ArchyError::single(file, line, column, key, "the flow must be a mapping"));
    };
    let mut importer = Importer {
        file,
        document: &document,
        diagnostics: Vec::new(),
        blocks: BTreeMap::new(),
        extras: ArchyExtras::default(),
        joins: BTreeMap::new(),
        used: BTreeSet::new(),
        taken: BTreeSet::new(),
        next_suffix: HashMap::new(),
        too_many_blocks: false,
        links: HashMap::new(),
        counter: 0,
        refs: HashMap::new(),
        references: Vec::new(),
        ends: BTreeMap::new(),
        loops: Vec::new(),
    };
    let at = At { pointer: format!("/{}", pointer_segment(key)), path: (*flow_key).to_string() };
    let flow = importer.flow(body, &at, *flow_type);
    if !importer.diagnostics.is_empty() {
        importer.diagnostics.sort_by_key(|diagnostic| (diagnostic.line, diagnostic.column));
        // A bad reference is met once per path that leads through it; report it once.
        importer.diagnostics.dedup();
        return Err(ArchyError { diagnostics: importer.diagnostics });
    }
    let mut flow = flow.ok_or_else(|| ArchyError::single(file, line, column, flow_key, "the flow could not be read"))?;
    remove_unreached_ends(&mut flow);
    super::export::normalize(&mut flow);
    Ok(flow)
}

/// Implicit ends no block goes to any more (a patched block replaced the one that did).
fn remove_unreached_ends(flow: &mut FlowDefinition) {
    let referenced: BTreeSet<String> =
        flow.blocks.values().flat_map(|block| block.successors()).map(str::to_string).collect();
    let start = flow.start.clone();
    flow.blocks.retain(|name, block| {
        !matches!(block, Block::EndTask { implicit: true }) || referenced.contains(name) || *name == start
    });
    if let Some(extras) = flow.archy.as_mut() {
        extras.joins.retain(|block, join| flow.blocks.contains_key(block) && flow.blocks.contains_key(join));
    }
}

impl Importer<'_> {
    pub(crate) fn report(&mut self, at: &At, message: impl Into<String>) {
        let (line, column) = self.document.position(&at.pointer);
        self.diagnostics.push(ArchyDiagnostic {
            file: self.file.to_string(),
            line,
            column,
            path: at.path.clone(),
            message: message.into(),
        });
    }

    /// A unique block name: the action's name, else its kind; ` (2)`, ` (3)`... on repeats.
    /// Amortized constant time per name: each base remembers where its count stopped.
    pub(crate) fn allocate(&mut self, wanted: &str) -> String {
        if self.taken.len() == crate::limits::FLOW_BLOCKS_MAX && !self.too_many_blocks {
            self.too_many_blocks = true;
            let limit = crate::limits::FLOW_BLOCKS_MAX;
            self.diagnostics.push(ArchyDiagnostic {
                file: self.file.to_string(),
                line: 1,
                column: 1,
                path: String::new(),
                message: format!("a flow has at most {limit} blocks (each action is one)"),
            });
        }
        let base = if wanted.trim().is_empty() { "block" } else { wanted.trim() };
        let mut candidate = base.to_string();
        let counter = self.next_suffix.entry(base.to_string()).or_insert(2);
        while self.taken.contains(&candidate) {
            candidate = format!("{base} ({counter})");
            *counter += 1;
        }
        self.taken.insert(candidate.clone());
        candidate
    }

    fn placeholder(&mut self) -> String {
        self.counter += 1;
        format!("{LINK}{}", self.counter)
    }

    fn link(&mut self, placeholder: String, target: String) {
        self.links.insert(placeholder, target);
    }

    /// A target standing for a path reference, resolved at the end.
    pub(crate) fn reference(&mut self, reference: &str, at: &At) -> String {
        self.references.push((reference.to_string(), at.clone()));
        format!("{REFERENCE}{}", self.references.len() - 1)
    }

    /// The end of a container's action list, named after the container.
    pub(crate) fn end_of(&self, label: &str) -> String {
        format!("{END}{label}")
    }

    /// An action list: each action's `next` is the action after it, the last one's is `continuation`.
    /// Returns the target of the list (its first action, or `continuation` when empty).
    pub(crate) fn list(&mut self, items: &Json, at: &At, continuation: String) -> String {
        let Json::Array(items) = items else {
            self.report(at, "expected a list of actions");
            return continuation;
        };
        if items.is_empty() {
            return continuation;
        }
        let afters: Vec<String> = (0..items.len()).map(|_| self.placeholder()).collect();
        let mut first = None;
        for (index, item) in items.iter().enumerate() {
            let target = self.action(item, &at.index(index), afters[index].clone()).unwrap_or_else(|| afters[index].clone());
            if let Some((_, followed)) = self.joins.get_mut(&target) {
                *followed = index + 1 < items.len();
            }
            if index == 0 {
                first = Some(target);
            } else {
                self.link(afters[index - 1].clone(), target);
            }
        }
        if let Some(last) = afters.last() {
            self.link(last.clone(), continuation.clone());
        }
        first.unwrap_or(continuation)
    }

    /// One action item; returns the target it stands for (its block, or a jump's destination).
    pub(crate) fn action(&mut self, item: &Json, at: &At, next: String) -> Option<String> {
        let Some((written, Json::Object(body))) = single_entry(item) else {
            self.report(at, "an action is a one-key mapping `- <actionType>: {...}`");
            return None;
        };
        let at = at.key(written);
        if written.eq_ignore_ascii_case("jumpToTask") || written.eq_ignore_ascii_case("jumpToMenu") {
            let key = if written.eq_ignore_ascii_case("jumpToTask") { "targetTaskRef" } else { "targetMenuRef" };
            return match body.get(key) {
                Some(Json::String(reference)) => Some(self.reference(reference, &at.key(key))),
                _ => {
                    self.report(&at, format!("`{written}` needs `{key}:`"));
                    None
                }
            };
        }
        let Some((kind, paths)) = canonical(written) else {
            self.report(&at, format!("action `{written}` is not supported"));
            return None;
        };
        let wanted = match body.get("name") {
            Some(Json::String(name)) => name.clone(),
            _ => kind.to_string(),
        };
        let name = self.allocate(&wanted);
        let mut targets = BTreeMap::new();
        let outputs_at = at.key("outputs");
        match body.get("outputs") {
            None | Some(Json::Null) => {}
            Some(Json::Object(outputs)) => {
                for (path, output) in outputs {
                    let path_at = outputs_at.key(path);
                    if !paths.contains(&path.as_str()) {
                        self.report(&path_at, format!("output `{path}` is not supported on `{kind}`"));
                        continue;
                    }
                    let continuation = if kind == "loop" { name.clone() } else { next.clone() };
                    if kind == "loop" {
                        self.loops.push((name.clone(), next.clone()));
                    }
                    let actions = output.get("actions").cloned().unwrap_or(Json::Array(Vec::new()));
                    let target = self.list(&actions, &path_at.key("actions"), continuation);
                    if kind == "loop" {
                        self.loops.pop();
                    }
                    targets.insert(path.clone(), target);
                }
            }
            Some(_) => self.report(&outputs_at, "`outputs:` must be a mapping of paths"),
        }
        if kind == "switch" {
            self.switch_lists(body, &at, &next, &mut targets);
        }
        if kind == "callTask"
            && let Some(Json::String(reference)) = body.get("targetTaskRef")
        {
            let target = self.reference(reference, &at.key("targetTaskRef"));
            targets.insert("task".to_string(), target);
        }
        let mut problems = Vec::new();
        let enclosing = self.loops.last().cloned();
        let block = build(
            kind,
            body,
            &Targets {
                outputs: &targets,
                next: &next,
                enclosing_loop: enclosing.as_ref().map(|(block, next)| (block.as_str(), next.as_str())),
            },
            &mut problems,
        );
        for (pointer, message) in problems {
            self.report(&at.below(&pointer), format!("{message} (in `{kind}`)"));
        }
        let block = block?;
        if !paths.is_empty() || kind == "switch" {
            self.joins.insert(name.clone(), (next, false));
        }
        let mut kept = kept_action(item);
        if kind == "callTask"
            && let Some(Json::Object(body)) = kept.as_object_mut().and_then(|map| map.values_mut().next())
        {
            body.remove("targetTaskRef");
        }
        self.extras.actions.insert(name.clone(), kept);
        self.blocks.insert(name.clone(), block);
        Some(name)
    }

    /// The case and default lists of a `switch`, as targets `case<N>` and `default`.
    fn switch_lists(&mut self, body: &Map<String, Json>, at: &At, next: &str, targets: &mut BTreeMap<String, String>) {
        let Some((mode, inner)) = body.get("evaluate").and_then(single_entry) else { return };
        let evaluate_at = at.key("evaluate").key(mode);
        let (inner, inner_at) = if mode == "firstMatch" {
            match single_entry(inner) {
                Some((kind, inner)) => (inner, evaluate_at.key(kind)),
                None => return,
            }
        } else {
            (inner, evaluate_at)
        };
        for (index, case) in inner.get("cases").and_then(Json::as_array).into_iter().flatten().enumerate() {
            let case_at = inner_at.key("cases").index(index).wrapper("case");
            let actions = case.get("case").and_then(|case| case.get("actions")).cloned().unwrap_or(Json::Array(Vec::new()));
            let target = self.list(&actions, &case_at.key("actions"), next.to_string());
            targets.insert(format!("case{index}"), target);
        }
        if let Some(actions) = inner.get("default").and_then(|default| default.get("actions")) {
            let target = self.list(actions, &inner_at.key("default").key("actions"), next.to_string());
            targets.insert("default".to_string(), target);
        }
    }

    /// Follows links and references to a block name; materializes implicit ends when `materialize`.
    fn resolve(&mut self, target: &str, materialize: bool) -> Option<String> {
        let mut current = target.to_string();
        for _ in 0..10_000 {
            match current.chars().next() {
                Some(LINK) => {
                    if materialize {
                        self.used.insert(current.clone());
                    }
                    current = self.links.get(&current)?.clone();
                }
                Some(REFERENCE) => {
                    let index: usize = current[REFERENCE.len_utf8()..].parse().ok()?;
                    let (reference, at) = self.references.get(index)?.clone();
                    match reference_key(&reference).and_then(|key| self.refs.get(&key).cloned()) {
                        Some(resolved) => current = resolved,
                        None => {
                            self.report(&at, format!("reference `{reference}` names no task or menu of this flow"));
                            return None;
                        }
                    }
                }
                Some(END) => {
                    if let Some(block) = self.ends.get(&current) {
                        return Some(block.clone());
                    }
                    if !materialize {
                        return None;
                    }
                    let label = current[END.len_utf8()..].to_string();
                    let name = self.allocate(&format!("{label} (end)"));
                    self.blocks.insert(name.clone(), Block::EndTask { implicit: true });
                    self.ends.insert(current.clone(), name.clone());
                    return Some(name);
                }
                _ => return Some(current),
            }
        }
        None
    }

    /// Replaces every symbolic target by a block name.
    pub(crate) fn resolve_all(&mut self, start: &str) -> String {
        let names: Vec<String> = self.blocks.keys().cloned().collect();
        for name in names {
            let Some(mut block) = self.blocks.remove(&name) else { continue };
            for successor in block.successors_mut() {
                if let Some(resolved) = self.resolve(successor, true) {
                    *successor = resolved;
                }
            }
            self.blocks.insert(name, block);
        }
        let start = self.resolve(start, true).unwrap_or_default();
        // A join matters when a path falls through to it or actions follow the block.
        let joins = std::mem::take(&mut self.joins);
        for (block, (join, followed)) in joins {
            if (followed || self.used.contains(&join))
                && let Some(resolved) = self.resolve(&join, false)
            {
                self.extras.joins.insert(block, resolved);
            }
        }
        let containers = std::mem::take(&mut self.extras.containers);
        for mut container in containers {
            if let Some(resolved) = self.resolve(&container.block, true) {
                container.block = resolved;
            }
            self.extras.containers.push(container);
        }
        start
    }
}

/// `/inboundCall/tasks/task[Startup Task_42]`, `./menus/menu[Main]` → `task:Startup Task_42`, `menu:Main`.
pub(crate) fn reference_key(reference: &str) -> Option<String> {
    let last = reference.trim().trim_end_matches('/').rsplit('/').next()?;
    let open = last.find('[')?;
    let kind = &last[..open];
    let id = last[open + 1..].strip_suffix(']')?;
    Some(format!("{}:{id}", kind.to_ascii_lowercase()))
}

/// An action item as kept: less its `outputs` and nested action lists (the graph holds those).
pub(crate) fn kept_action(item: &Json) -> Json {
    let mut kept = strip_actions(item);
    if let Some(Json::Object(body)) = kept.as_object_mut().and_then(|map| map.values_mut().next()) {
        body.remove("outputs");
    }
    kept
}

/// An action as written, less its nested action lists (the graph holds those).
pub(crate) fn strip_actions(value: &Json) -> Json {
    match value {
        Json::Object(map) => Json::Object(
            map.iter()
                .filter(|(key, value)| !(key.as_str() == "actions" && value.is_array()))
                .map(|(key, value)| (key.clone(), strip_actions(value)))
                .collect(),
        ),
        Json::Array(items) => Json::Array(items.iter().map(strip_actions).collect()),
        other => other.clone(),
    }
}
