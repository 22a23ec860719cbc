//! Which menus and tasks the export writes: the kept ones that still fit, the entry, every menu,
//! and a task for each block that cannot be written inline.

use super::{ArchyContainer, Block, ContainerKind, Exporter, FlowType, Json, Map, json};
use std::collections::BTreeSet;

impl Exporter<'_> {
    /// Decides the containers: the kept ones that still fit, the entry, every menu, and a task
    /// for each block that cannot be written inline (reached twice, called, or unreached).
    pub(super) fn plan(&mut self) {
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

    pub(super) fn task_container(&self, block: &str) -> ArchyContainer {
        let mut keys = Map::new();
        keys.insert("name".to_string(), json!(block));
        keys.insert("refId".to_string(), json!(block));
        ArchyContainer { kind: ContainerKind::Task, block: block.to_string(), keys }
    }

    /// Writes every container; returns them by kind.
    pub(super) fn emit_all(&mut self) -> (Vec<Json>, Vec<Json>, Vec<Json>) {
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

}
