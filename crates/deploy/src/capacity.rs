//! Capacity-aware weights (seed 002 edge case 3): a value written `{capacity: queue/NAME}` (or
//! `{capacity: global:queue/NAME}`) anywhere in a resource — typically a data-table row's weight
//! column that a Traffic Cop or routing flow reads — becomes the number of agents on queue for
//! that target, as its org's provider reads it at plan time and again at apply time. The
//! renderer turns the target into an ordinary `$ref{...}` (so it is a dependency with a line
//! and resolves per org like any reference); plan and apply replace the whole object by the
//! count before ids are resolved.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::key::{Reference, find_references, parse_reference, reference_text};
use crate::plan::{IdIndex, PENDING_ID, Providers};

/// The key of a capacity object.
pub const KEY: &str = "capacity";

/// The target text of a capacity object (`{"capacity": "<text>"}` and nothing else).
fn target(value: &Value) -> Option<&str> {
    let map = value.as_object()?;
    if map.len() != 1 {
        return None;
    }
    map.get(KEY)?.as_str()
}

/// Render time: `{capacity: "queue/X"}` → `{capacity: "$ref{queue/X}"}` everywhere in `body`.
/// Returns each target that is neither `kind/name` nor `org:kind/name`.
pub fn normalize(body: &mut Value) -> Vec<String> {
    let mut bad = Vec::new();
    normalize_into(body, &mut bad);
    bad
}

fn normalize_into(value: &mut Value, bad: &mut Vec<String>) {
    if let Some(text) = target(value).map(str::to_string) {
        if text.contains("$ref{") {
            return;
        }
        match parse_reference(text.trim()) {
            Some(reference) => *value = serde_json::json!({ KEY: reference_text(&reference) }),
            None => bad.push(text),
        }
        return;
    }
    match value {
        Value::Array(items) => items.iter_mut().for_each(|item| normalize_into(item, bad)),
        Value::Object(map) => map.values_mut().for_each(|item| normalize_into(item, bad)),
        _ => {}
    }
}

/// The reference of a (normalized) capacity object.
fn reference(value: &Value) -> Option<Reference> {
    let text = target(value)?;
    match find_references(text).as_slice() {
        [(_, Ok(reference))] => Some(reference.clone()),
        _ => None,
    }
}

/// Every capacity target in `body`.
pub fn targets(body: &Value) -> Vec<Reference> {
    let mut found = Vec::new();
    collect(body, &mut found);
    found.sort();
    found.dedup();
    found
}

fn collect(value: &Value, found: &mut Vec<Reference>) {
    if let Some(reference) = reference(value) {
        found.push(reference);
        return;
    }
    match value {
        Value::Array(items) => items.iter().for_each(|item| collect(item, found)),
        Value::Object(map) => map.values().for_each(|item| collect(item, found)),
        _ => {}
    }
}

/// Counts by (org, reference as written from that org).
pub type Counts = BTreeMap<(String, Reference), u64>;

/// Replaces every capacity object in `body` (seen from `org`) whose count is known.
pub fn substitute(body: &Value, org: &str, counts: &Counts) -> Value {
    if let Some(reference) = reference(body) {
        if let Some(count) = counts.get(&(org.to_string(), reference)) {
            return Value::from(*count);
        }
        return body.clone();
    }
    match body {
        Value::Array(items) => Value::Array(items.iter().map(|item| substitute(item, org, counts)).collect()),
        Value::Object(map) => Value::Object(map.iter().map(|(key, value)| (key.clone(), substitute(value, org, counts))).collect()),
        other => other.clone(),
    }
}

/// Reads the count of every capacity target of `body` (seen from `org`) whose target exists,
/// from the target's own org. A target still to be created is left out (it has no agents yet).
pub async fn read_counts(body: &Value, org: &str, ids: &IdIndex, providers: &Providers, counts: &mut Counts) -> Result<(), String> {
    for reference in targets(body) {
        if counts.contains_key(&(org.to_string(), reference.clone())) {
            continue;
        }
        let target_org = reference.org.clone().unwrap_or_else(|| org.to_string());
        let Some(found) = ids.lookup(&target_org, &reference.key) else { continue };
        if found.id == PENDING_ID {
            continue;
        }
        let provider = providers.get(&target_org).ok_or_else(|| format!("capacity of {reference}: no provider for org {target_org}"))?;
        let count = provider
            .capacity(&reference.key.kind, &found.id)
            .await
            .map_err(|error| format!("capacity of {reference}: {error}"))?
            .ok_or_else(|| format!("capacity of {reference}: this platform cannot tell the agents on a {}", reference.key.kind))?;
        counts.insert((org.to_string(), reference), count);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn capacity_objects_become_references_then_counts() {
        let mut body = json!({"rows": {"a": {"key": "a", "weight": {"capacity": "queue/Sales"}}, "b": {"key": "b", "weight": {"capacity": "global:queue/VIP"}}, "c": {"weight": {"capacity": "nonsense"}}}});
        assert_eq!(normalize(&mut body), ["nonsense"]);
        assert_eq!(body["rows"]["a"]["weight"], json!({"capacity": "$ref{queue/Sales}"}));
        let found = targets(&body);
        assert_eq!(found.iter().map(ToString::to_string).collect::<Vec<_>>(), ["queue/Sales", "global:queue/VIP"]);
        let counts: Counts = BTreeMap::from([(("na".to_string(), found[0].clone()), 3)]);
        let done = substitute(&body, "na", &counts);
        assert_eq!(done["rows"]["a"]["weight"], json!(3));
        assert_eq!(done["rows"]["b"]["weight"], json!({"capacity": "$ref{global:queue/VIP}"}), "unknown counts stay as written");
        // An object with other keys is not a capacity object.
        let mut other = json!({"capacity": "queue/Sales", "scale": 2});
        assert!(normalize(&mut other).is_empty());
        assert!(targets(&other).is_empty());
    }
}
