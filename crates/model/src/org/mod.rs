//! Organizations and the org tree: a parent org and its regional sub-orgs (seed 002).

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
    /// Platform region (`us-east-1`, `eu-central-1`); empty when unknown.
    #[serde(default)]
    pub region: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrgTreeError {
    #[error("organization id `{0}` appears twice")]
    DuplicateId(String),
    #[error("organization `{org}` names parent `{parent}`, which does not exist")]
    UnknownParent { org: String, parent: String },
    #[error("organizations [{}] form a parent cycle", .0.join(", "))]
    Cycle(Vec<String>),
}

/// A validated forest of organizations: ids unique, parents exist, no cycles.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OrgTree {
    orgs: BTreeMap<String, Organization>,
    children: BTreeMap<String, Vec<String>>,
}

impl OrgTree {
    pub fn new(orgs: impl IntoIterator<Item = Organization>) -> Result<OrgTree, OrgTreeError> {
        let mut by_id = BTreeMap::new();
        for org in orgs {
            if by_id.contains_key(&org.id) {
                return Err(OrgTreeError::DuplicateId(org.id));
            }
            by_id.insert(org.id.clone(), org);
        }
        let mut children: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for org in by_id.values() {
            if let Some(parent) = &org.parent_id {
                if !by_id.contains_key(parent) {
                    return Err(OrgTreeError::UnknownParent { org: org.id.clone(), parent: parent.clone() });
                }
                children.entry(parent.clone()).or_default().push(org.id.clone());
            }
        }
        let tree = OrgTree { orgs: by_id, children };
        // Every org reachable from a root is in the forest; the rest sit on a parent cycle.
        let placed: BTreeSet<&str> = tree.topological_order().iter().map(|org| org.id.as_str()).collect();
        let cyclic: Vec<String> = tree.orgs.keys().filter(|id| !placed.contains(id.as_str())).cloned().collect();
        if !cyclic.is_empty() {
            return Err(OrgTreeError::Cycle(cyclic));
        }
        Ok(tree)
    }

    pub fn get(&self, id: &str) -> Option<&Organization> {
        self.orgs.get(id)
    }

    /// All organizations by id.
    pub fn iter(&self) -> impl Iterator<Item = &Organization> {
        self.orgs.values()
    }

    pub fn roots(&self) -> Vec<&Organization> {
        self.orgs.values().filter(|org| org.parent_id.is_none()).collect()
    }

    /// Direct children, by id.
    pub fn children_of(&self, id: &str) -> Vec<&Organization> {
        self.children.get(id).into_iter().flatten().filter_map(|child| self.orgs.get(child)).collect()
    }

    /// Parent, grandparent, … up to the root; empty for a root or an unknown id.
    pub fn ancestors(&self, id: &str) -> Vec<&Organization> {
        let mut out = Vec::new();
        let mut current = self.orgs.get(id).and_then(|org| org.parent_id.as_deref());
        while let Some(parent) = current.and_then(|parent| self.orgs.get(parent)) {
            out.push(parent);
            current = parent.parent_id.as_deref();
        }
        out
    }

    /// What a token of `id` may see: the org itself and all its descendants, parents first.
    pub fn visible_from(&self, id: &str) -> Vec<&Organization> {
        let mut out = Vec::new();
        let mut queue: std::collections::VecDeque<&Organization> = self.orgs.get(id).into_iter().collect();
        while let Some(org) = queue.pop_front() {
            out.push(org);
            queue.extend(self.children_of(&org.id));
        }
        out
    }

    /// Every org with parents before children (breadth-first from the roots): the order to deploy in.
    pub fn topological_order(&self) -> Vec<&Organization> {
        self.roots().iter().flat_map(|root| self.visible_from(&root.id)).collect()
    }
}

#[cfg(test)]
mod tests;
