//! The three-way, field-level diff of one resource: desired (config), base (what we last
//! applied, or what the plan saw when apply re-checks) and live. Pure.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Why a field differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// The config changed (or the resource was never applied): we write it.
    Ours,
    /// Changed by hand while the config did not change: a conflict, left alone unless forced.
    Manual,
    /// Both the config and a hand edit changed it: a conflict.
    Both,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    /// `description`, `rows.KEY`, ...
    pub field: String,
    pub live: Option<Value>,
    pub desired: Option<Value>,
    pub origin: Origin,
}

impl FieldChange {
    pub fn is_conflict(&self) -> bool {
        self.origin != Origin::Ours
    }
}

/// `wanted` holds within `live`: objects by their keys (extra live keys are the platform's
/// own), everything else by equality (numbers by value).
pub fn holds(wanted: &Value, live: &Value) -> bool {
    match (wanted, live) {
        (Value::Object(wanted), Value::Object(live)) => wanted.iter().all(|(key, value)| live.get(key).is_some_and(|found| holds(value, found)) || value.is_null() && !live.contains_key(key)),
        (Value::Number(left), Value::Number(right)) => left.as_f64() == right.as_f64(),
        (Value::Array(left), Value::Array(right)) => left.len() == right.len() && left.iter().zip(right).all(|(left, right)| holds(left, right)),
        (left, right) => left == right,
    }
}

/// Fields compared one by one: the desired document's top-level keys, and `rows` key by key
/// (a table's rows are managed as a set: rows we do not declare are removed).
fn fields(desired: &Value, live: &Value) -> Vec<(String, Option<Value>, Option<Value>)> {
    let mut out = Vec::new();
    let Value::Object(desired_map) = desired else { return out };
    for (key, wanted) in desired_map {
        let found = live.get(key);
        if key == "rows"
            && let (Value::Object(wanted_rows), Some(Value::Object(live_rows))) = (wanted, found)
        {
            for (row, value) in wanted_rows {
                out.push((format!("rows.{row}"), Some(value.clone()), live_rows.get(row).cloned()));
            }
            for (row, value) in live_rows.iter().filter(|(row, _)| !wanted_rows.contains_key(*row)) {
                out.push((format!("rows.{row}"), None, Some(value.clone())));
            }
            continue;
        }
        out.push((key.clone(), Some(wanted.clone()), found.cloned()));
    }
    out
}

fn at(document: Option<&Value>, field: &str) -> Option<Value> {
    let document = document?;
    match field.strip_prefix("rows.") {
        Some(row) => document.get("rows")?.get(row).cloned(),
        None => document.get(field).cloned(),
    }
}

fn same(left: &Option<Value>, right: &Option<Value>) -> bool {
    match (left, right) {
        (Some(left), Some(right)) => holds(left, right),
        (None, None) => true,
        _ => false,
    }
}

/// Every field where live does not hold what is desired, with why. `base` is `None` when we
/// never applied this resource (every difference is then ours to write).
pub fn diff(desired: &Value, live: &Value, base: Option<&Value>) -> Vec<FieldChange> {
    let mut changes = Vec::new();
    for (field, wanted, found) in fields(desired, live) {
        if same(&wanted, &found) {
            continue;
        }
        let origin = match base {
            None => Origin::Ours,
            Some(base) => {
                let before = at(Some(base), &field);
                if same(&before, &found) {
                    Origin::Ours
                } else if same(&wanted, &before) {
                    Origin::Manual
                } else {
                    Origin::Both
                }
            }
        };
        changes.push(FieldChange { field, live: found, desired: wanted, origin });
    }
    changes
}

/// The document to write: desired, with conflicting fields kept at their live value unless
/// `force`.
pub fn write_body(desired: &Value, changes: &[FieldChange], force: bool) -> Value {
    let mut body = desired.clone();
    if force {
        return body;
    }
    for change in changes.iter().filter(|change| change.is_conflict()) {
        let Value::Object(map) = &mut body else { break };
        match change.field.strip_prefix("rows.") {
            Some(row) => {
                if let Some(Value::Object(rows)) = map.get_mut("rows") {
                    match &change.live {
                        Some(live) => rows.insert(row.to_string(), live.clone()),
                        None => rows.remove(row),
                    };
                }
            }
            None => match &change.live {
                Some(live) => {
                    map.insert(change.field.clone(), live.clone());
                }
                None => {
                    map.remove(&change.field);
                }
            },
        }
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn three_way_tells_ours_manual_and_both_apart() {
        let base = json!({"name": "Q", "description": "old", "acwSettings": {"timeoutMs": 1}, "skillEvaluationMethod": "ALL"});
        let desired = json!({"name": "Q", "description": "new", "acwSettings": {"timeoutMs": 1}, "skillEvaluationMethod": "BEST"});
        let live = json!({"name": "Q", "description": "old", "acwSettings": {"timeoutMs": 2, "wrapupPrompt": "OPTIONAL"}, "skillEvaluationMethod": "NONE", "extra": 1});
        let changes = diff(&desired, &live, Some(&base));
        let origins: Vec<(&str, Origin)> = changes.iter().map(|change| (change.field.as_str(), change.origin)).collect();
        assert_eq!(origins, vec![("acwSettings", Origin::Manual), ("description", Origin::Ours), ("skillEvaluationMethod", Origin::Both)]);
        let body = write_body(&desired, &changes, false);
        assert_eq!(body["description"], "new");
        assert_eq!(body["acwSettings"]["timeoutMs"], 2);
        assert_eq!(body["skillEvaluationMethod"], "NONE");
        assert_eq!(write_body(&desired, &changes, true), desired);
    }

    #[test]
    fn rows_are_a_set_and_numbers_compare_by_value() {
        let desired = json!({"rows": {"a": {"key": "a", "n": 1}}});
        let live = json!({"rows": {"a": {"key": "a", "n": 1.0}, "b": {"key": "b"}}});
        let changes = diff(&desired, &live, None);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].field, "rows.b");
        assert_eq!(changes[0].desired, None);
    }
}
