//! What an Archy document holds beyond what the runtime interprets (settings, division, languages,
//! refIds, speech terms, per-action keys...), kept on a `FlowDefinition` so that export writes every
//! key back. Values are the document's own YAML as generic JSON values.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArchyExtras {
    /// The flow's top-level keys that are not mapped onto the definition (`division`,
    /// `defaultLanguage`, `supportedLanguages`, `settings*`...), verbatim.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub flow: Map<String, Value>,
    /// The flow's menus and tasks in document order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub containers: Vec<ArchyContainer>,
    /// Per block, its action as written (`{callData: {...}}`) less the nested action lists; export
    /// writes it back when it still imports to the same block, so edits to the block win.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub actions: BTreeMap<String, Value>,
    /// Branching blocks whose paths fall through to the action after them: block → that action.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub joins: BTreeMap<String, String>,
    /// Per variable, its declaration as written (`{queueVariable: {...}}`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub variables: BTreeMap<String, Value>,
}

impl ArchyExtras {
    pub fn is_empty(&self) -> bool {
        self == &ArchyExtras::default()
    }
}

/// A menu, a task, or the start-up actions of an in-queue flow or common module.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArchyContainer {
    pub kind: ContainerKind,
    /// The block the container starts at (a task's first action, the menu block).
    pub block: String,
    /// The container's own keys as written (`name`, `refId`, task `variables`...), less its actions.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub keys: Map<String, Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContainerKind {
    Menu,
    Task,
    StartUpTaskActions,
}
