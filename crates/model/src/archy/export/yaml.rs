//! A small YAML writer for export: block mappings and lists, scalars plain when that is
//! unambiguous under both YAML 1.1 and 1.2 (so `yes`, `no`, `on`, numbers-as-text are quoted),
//! double-quoted with JSON escapes otherwise. Keys in Archy's usual order: `name`, `refId` first,
//! nested structure (`outputs`, `choices`, `actions`...) last.

use serde_json::{Map, Value};

pub(crate) fn write(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) if !map.is_empty() => mapping(map, 0, &mut out),
        Value::Array(items) if !items.is_empty() => sequence(items, 0, &mut out),
        other => {
            out.push_str(&inline(other));
            out.push('\n');
        }
    }
    out
}

fn mapping(map: &Map<String, Value>, indent: usize, out: &mut String) {
    for (key, value) in ordered(map) {
        out.push_str(&" ".repeat(indent));
        out.push_str(&scalar_text(key));
        out.push(':');
        child(value, indent, out);
    }
}

fn sequence(items: &[Value], indent: usize, out: &mut String) {
    for item in items {
        out.push_str(&" ".repeat(indent));
        out.push('-');
        match item {
            Value::Object(map) if !map.is_empty() => {
                // The first key goes on the dash line, the rest align under it.
                let mut first = true;
                for (key, value) in ordered(map) {
                    if first {
                        out.push(' ');
                        first = false;
                    } else {
                        out.push_str(&" ".repeat(indent + 2));
                    }
                    out.push_str(&scalar_text(key));
                    out.push(':');
                    child(value, indent + 2, out);
                }
            }
            Value::Array(inner) if !inner.is_empty() => {
                out.push('\n');
                sequence(inner, indent + 2, out);
            }
            other => {
                out.push(' ');
                out.push_str(&inline(other));
                out.push('\n');
            }
        }
    }
}

/// The value after `key:` at `indent`.
fn child(value: &Value, indent: usize, out: &mut String) {
    match value {
        Value::Object(inner) if !inner.is_empty() => {
            out.push('\n');
            mapping(inner, indent + 2, out);
        }
        Value::Array(inner) if !inner.is_empty() => {
            out.push('\n');
            sequence(inner, indent + 2, out);
        }
        other => {
            out.push(' ');
            out.push_str(&inline(other));
            out.push('\n');
        }
    }
}

fn inline(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(flag) => flag.to_string(),
        Value::Number(number) => number.to_string(),
        Value::String(text) => scalar_text(text),
        Value::Array(_) => "[]".to_string(),
        Value::Object(_) => "{}".to_string(),
    }
}

/// A string as a plain scalar when safe, else double-quoted.
fn scalar_text(text: &str) -> String {
    if is_plain_safe(text) { text.to_string() } else { serde_json::to_string(text).unwrap_or_else(|_| format!("\"{text}\"")) }
}

fn is_plain_safe(text: &str) -> bool {
    let Some(first) = text.chars().next() else { return false };
    if text.trim() != text || "-?:,[]{}#&*!|>'\"%@`~".contains(first) {
        return false;
    }
    if text.contains(": ") || text.contains(" #") || text.ends_with(':') || text.chars().any(|c| c.is_control()) {
        return false;
    }
    let lower = text.to_ascii_lowercase();
    let reserved = ["true", "false", "yes", "no", "on", "off", "y", "n", "null", "~"];
    if reserved.contains(&lower.as_str()) {
        return false;
    }
    let numeric_start = first.is_ascii_digit() || first == '.' || first == '+';
    !(numeric_start || text.parse::<f64>().is_ok())
}

/// Archy's usual key order: `name`, `refId` first, nested structure last, the rest alphabetical.
fn ordered(map: &Map<String, Value>) -> Vec<(&String, &Value)> {
    let rank = |key: &str| match key {
        "name" => 0,
        "refId" | "description" => 1,
        "outputs" | "choices" | "actions" | "statements" | "attributes" | "menus" | "tasks" | "startUpTaskActions" => 3,
        _ => 2,
    };
    let mut entries: Vec<(&String, &Value)> = map.iter().collect();
    entries.sort_by(|a, b| rank(a.0).cmp(&rank(b.0)).then_with(|| a.0.cmp(b.0)));
    entries
}
