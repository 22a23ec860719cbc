//! A YAML document as a JSON value plus the line and column of every node, read with the YAML
//! 1.2 core schema (so `yes:` / `no:` stay strings, as Architect writes them) from the parser's
//! events, because Archy diagnostics must name the line of any construct.

use super::error::ArchyError;
use serde_json::{Map, Number, Value};
use serde_saphyr::granit_parser::{Event, Parser, ScalarStyle};
use std::collections::HashMap;

/// The document and where each node starts, keyed by JSON pointer (`/inboundCall/tasks/0`).
#[derive(Debug, Default)]
pub(crate) struct Document {
    pub root: Value,
    positions: HashMap<String, (usize, usize)>,
}

impl Document {
    /// The 1-based line and column of the node at `pointer`, or of its nearest ancestor.
    pub fn position(&self, pointer: &str) -> (usize, usize) {
        let mut current = pointer;
        loop {
            if let Some(position) = self.positions.get(current) {
                return *position;
            }
            match current.rfind('/') {
                Some(index) => current = &current[..index],
                None => return (1, 1),
            }
        }
    }
}

/// Escapes a mapping key for a JSON pointer segment.
pub(crate) fn pointer_segment(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

enum Frame {
    Sequence { pointer: String, items: Vec<Value> },
    Mapping { pointer: String, entries: Map<String, Value>, pending_key: Option<(String, usize, usize)> },
}

/// Parses one YAML document. Anchors and aliases, tags and non-scalar keys are refused: Archy
/// files do not use them and a silent guess would be worse.
pub(crate) fn parse(text: &str, file: &str) -> Result<Document, ArchyError> {
    let mut document = Document::default();
    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<Value> = None;
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|error| {
            let marker = error.marker();
            ArchyError::single(file, marker.line(), marker.col() + 1, "", format!("YAML syntax: {}", error.info()))
        })?;
        let line = span.start.line();
        let column = span.start.col() + 1;
        let refuse = |message: &str| ArchyError::single(file, line, column, "", message.to_string());
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                if anchor != 0 || tag.is_some() {
                    return Err(refuse("YAML anchors and tags are not supported in Archy documents"));
                }
                let is_key = matches!(stack.last(), Some(Frame::Mapping { pending_key: None, .. }));
                if is_key {
                    if let Some(Frame::Mapping { entries, pending_key, .. }) = stack.last_mut() {
                        if entries.contains_key(text.as_ref()) {
                            return Err(refuse(&format!("duplicate key `{text}`")));
                        }
                        *pending_key = Some((text.into_owned(), line, column));
                    }
                    // A mapping entry is located at its key, where people look for it.
                    let pointer = child_pointer(&stack);
                    document.positions.insert(pointer, (line, column));
                    continue;
                }
                let value = scalar(&text, style);
                let pointer = child_pointer(&stack);
                document.positions.entry(pointer).or_insert((line, column));
                attach(&mut stack, &mut root, value);
            }
            Event::SequenceStart(_, anchor, ref tag) | Event::MappingStart(_, anchor, ref tag) => {
                if anchor != 0 || tag.is_some() {
                    return Err(refuse("YAML anchors and tags are not supported in Archy documents"));
                }
                if matches!(stack.last(), Some(Frame::Mapping { pending_key: None, .. })) {
                    return Err(refuse("mapping keys must be plain text"));
                }
                let pointer = child_pointer(&stack);
                document.positions.entry(pointer.clone()).or_insert((line, column));
                let is_sequence = matches!(event, Event::SequenceStart(..));
                stack.push(if is_sequence {
                    Frame::Sequence { pointer, items: Vec::new() }
                } else {
                    Frame::Mapping { pointer, entries: Map::new(), pending_key: None }
                });
            }
            Event::SequenceEnd => {
                if let Some(Frame::Sequence { items, .. }) = stack.pop() {
                    attach(&mut stack, &mut root, Value::Array(items));
                }
            }
            Event::MappingEnd => {
                if let Some(Frame::Mapping { entries, .. }) = stack.pop() {
                    attach(&mut stack, &mut root, Value::Object(entries));
                }
            }
            Event::Alias(_) => return Err(refuse("YAML aliases are not supported in Archy documents")),
            Event::DocumentStart(..) if root.is_some() => {
                return Err(refuse("an Archy file holds one YAML document"));
            }
            _ => {}
        }
    }
    document.root = root.unwrap_or(Value::Null);
    Ok(document)
}

/// The pointer of the node about to be attached to the top frame.
fn child_pointer(stack: &[Frame]) -> String {
    match stack.last() {
        None => String::new(),
        Some(Frame::Sequence { pointer, items }) => format!("{pointer}/{}", items.len()),
        Some(Frame::Mapping { pointer, pending_key, .. }) => {
            let key = pending_key.as_ref().map(|(key, _, _)| key.as_str()).unwrap_or_default();
            format!("{pointer}/{}", pointer_segment(key))
        }
    }
}

fn attach(stack: &mut [Frame], root: &mut Option<Value>, value: Value) {
    match stack.last_mut() {
        None => *root = Some(value),
        Some(Frame::Sequence { items, .. }) => items.push(value),
        Some(Frame::Mapping { entries, pending_key, .. }) => {
            if let Some((key, _, _)) = pending_key.take() {
                entries.insert(key, value);
            }
        }
    }
}

/// YAML 1.2 core schema for plain scalars; quoted and block scalars are always strings.
fn scalar(text: &str, style: ScalarStyle) -> Value {
    if style != ScalarStyle::Plain {
        return Value::String(text.to_string());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    let looks_numeric = text.bytes().next().is_some_and(|first| first.is_ascii_digit() || first == b'-' || first == b'+');
    if looks_numeric {
        if let Ok(integer) = text.parse::<i64>() {
            return Value::Number(integer.into());
        }
        if let Some(number) = text.parse::<f64>().ok().and_then(Number::from_f64) {
            return Value::Number(number);
        }
    }
    Value::String(text.to_string())
}

#[cfg(test)]
#[path = "document_tests.rs"]
mod tests;
