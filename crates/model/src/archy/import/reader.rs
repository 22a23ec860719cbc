//! Reads the keys of one action, recording each problem with the JSON pointer it is at.

use super::super::values;
use super::actions::{Problem, pointer};
use crate::flow::{Expression, Value};
use serde_json::{Map, Value as Json};

/// Reads an action's keys, recording problems with their pointer.
pub(super) struct Reader<'a> {
    pub(super) body: &'a Map<String, Json>,
    pub(super) problems: &'a mut Vec<Problem>,
}

impl<'a> Reader<'a> {
    pub(super) fn refuse<T>(&mut self, at: &str, message: &str) -> Option<T> {
        self.problems.push((at.to_string(), message.to_string()));
        None
    }

    pub(super) fn optional(&self, key: &str) -> Option<&'a Json> {
        self.body.get(key)
    }

    pub(super) fn required(&mut self, key: &str) -> Option<&'a Json> {
        match self.body.get(key) {
            Some(value) => Some(value),
            None => self.refuse("", &format!("missing `{key}:`")),
        }
    }

    pub(super) fn lift<T>(&mut self, at: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(message) => self.refuse(at, &message),
        }
    }

    pub(super) fn expression(&mut self, key: &str) -> Option<Expression> {
        let form = self.required(key)?;
        self.lift(&format!("/{}", pointer(key)), values::expression(form))
    }

    /// The mappings of a list of one-key items (`- attribute: {...}`).
    pub(super) fn items(&mut self, key: &str, item_key: &str) -> Option<Vec<&'a Map<String, Json>>> {
        let Some(Json::Array(items)) = self.body.get(key) else {
            return self.refuse("", &format!("needs a `{key}:` list"));
        };
        let mut out = Vec::new();
        for (index, item) in items.iter().enumerate() {
            match item.get(item_key) {
                Some(Json::Object(map)) => out.push(map),
                _ => return self.refuse(&format!("/{key}/{index}"), &format!("expected `- {item_key}: {{...}}`")),
            }
        }
        Some(out)
    }

    /// A participant-data attribute name: `name: {lit: key}` (or a plain string).
    pub(super) fn attribute_name(&mut self, at: &str, attribute: &Map<String, Json>) -> Option<String> {
        match attribute.get("name") {
            Some(Json::String(name)) => Some(name.clone()),
            Some(form) => match values::expression(form).map(|expression| expression.literal_value().cloned()) {
                Ok(Some(Value::String(name))) => Some(name),
                _ => self.refuse(&format!("{at}/name"), "only a literal attribute name (`lit: <name>`) is supported"),
            },
            None => self.refuse(at, "an attribute needs `name:`"),
        }
    }
}
