//! Resolving `$ref{...}` to platform ids per org: from live objects, or the pending marker for
//! objects this deployment creates first (apply resolves those once they exist).

use std::collections::BTreeMap;

use serde_json::Value;

use super::LiveState;
use crate::desired::Desired;
use crate::key::{ResourceKey, replace_references};

/// What a reference resolves to while its target is not created yet.
pub const PENDING_ID: &str = "(known after apply)";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub id: String,
    pub enabled: bool,
}

/// (org, kind, name) → id.
#[derive(Debug, Clone, Default)]
pub struct IdIndex {
    entries: BTreeMap<(String, String, String), Found>,
}

impl IdIndex {
    pub fn from_live(live: &LiveState, desired: &Desired) -> Self {
        let mut index = Self::default();
        for org in &desired.orgs {
            for resource in &org.resources {
                index.entries.insert((org.org.clone(), resource.key.kind.clone(), resource.key.name.clone()), Found { id: PENDING_ID.to_string(), enabled: true });
            }
        }
        for (org, objects) in &live.orgs {
            for object in objects {
                index.insert(org, &object.kind, &object.name, &object.id, object.enabled);
            }
        }
        index
    }

    pub fn insert(&mut self, org: &str, kind: &str, name: &str, id: &str, enabled: bool) {
        self.entries.insert((org.to_string(), kind.to_string(), name.to_string()), Found { id: id.to_string(), enabled });
    }

    pub fn lookup(&self, org: &str, key: &ResourceKey) -> Option<&Found> {
        self.entries.get(&(org.to_string(), key.kind.clone(), key.name.clone()))
    }

    /// Id → the reference that names it from `org` (for export: ids back to logical names).
    pub fn reverse(&self, org: &str) -> BTreeMap<String, String> {
        self.entries
            .iter()
            .filter(|(_, found)| found.id != PENDING_ID)
            .map(|((owner, kind, name), found)| {
                let reference = crate::key::Reference { org: (owner != org).then(|| owner.clone()), key: ResourceKey::new(kind.clone(), name.clone()) };
                (found.id.clone(), crate::key::reference_text(&reference))
            })
            .collect()
    }
}

/// Every reference in every string of `body`, resolved from `org`'s point of view.
pub fn resolve_body(body: &Value, org: &str, ids: &IdIndex) -> Value {
    match body {
        Value::String(text) if text.contains("$ref{") => Value::String(replace_references(text, |reference| {
            let target = reference.org.as_deref().unwrap_or(org);
            ids.lookup(target, &reference.key).map(|found| found.id.clone())
        })),
        Value::Array(items) => Value::Array(items.iter().map(|item| resolve_body(item, org, ids)).collect()),
        Value::Object(map) => Value::Object(map.iter().map(|(key, value)| (key.clone(), resolve_body(value, org, ids))).collect()),
        other => other.clone(),
    }
}

/// True when a resolved document still waits for an id.
pub fn is_pending(body: &Value) -> bool {
    match body {
        Value::String(text) => text.contains(PENDING_ID) || text.contains("$ref{"),
        Value::Array(items) => items.iter().any(is_pending),
        Value::Object(map) => map.values().any(is_pending),
        _ => false,
    }
}
