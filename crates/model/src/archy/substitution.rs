//! `{{name}}` / `${name}` substitution on the text of an Archy file before YAML parsing, as Archy's
//! options file and CX-as-Code's `substitutions` do. It works on the text because placeholders
//! appear unquoted and even inside mapping keys (`{{prefix}}-Lambda:`), where YAML would not parse.

use super::error::{ArchyDiagnostic, ArchyError};
use std::collections::BTreeMap;

/// Replaces every `{{name}}` and `${name}` (spaces inside the braces allowed) with its value.
/// Every unknown name is reported with its line and column, not just the first.
pub fn substitute(text: &str, file: &str, values: &BTreeMap<String, String>) -> Result<String, ArchyError> {
    let mut output = String::with_capacity(text.len());
    let mut diagnostics = Vec::new();
    for (line_index, line) in text.split_inclusive('\n').enumerate() {
        let mut rest = line;
        while let Some((start, open_len, close)) = next_placeholder(rest) {
            let after_open = &rest[start + open_len..];
            let Some(end) = after_open.find(close) else { break };
            let name = after_open[..end].trim();
            output.push_str(&rest[..start]);
            match values.get(name) {
                Some(value) if is_name(name) => output.push_str(value),
                _ if !is_name(name) => output.push_str(&rest[start..start + open_len + end + close.len()]),
                _ => {
                    let column = line.len() - rest.len() + start + 1;
                    diagnostics.push(ArchyDiagnostic {
                        file: file.to_string(),
                        line: line_index + 1,
                        column,
                        path: format!("{{{{{name}}}}}"),
                        message: format!("no value for substitution `{name}` (pass it with --set {name}=VALUE or a substitutions file)"),
                    });
                }
            }
            rest = &after_open[end + close.len()..];
        }
        output.push_str(rest);
    }
    if diagnostics.is_empty() { Ok(output) } else { Err(ArchyError { diagnostics }) }
}

/// The names a text asks for, in order of first appearance (to build a substitutions file).
pub fn placeholders(text: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some((start, open_len, close)) = next_placeholder(rest) {
        let after_open = &rest[start + open_len..];
        let Some(end) = after_open.find(close) else { break };
        let name = after_open[..end].trim();
        if is_name(name) && !names.iter().any(|known| known == name) {
            names.push(name.to_string());
        }
        rest = &after_open[end + close.len()..];
    }
    names
}

/// The earliest `{{` or `${` in `text`: (byte offset, opener length, closer).
fn next_placeholder(text: &str) -> Option<(usize, usize, &'static str)> {
    let braces = text.find("{{").map(|index| (index, 2, "}}"));
    let dollar = text.find("${").map(|index| (index, 2, "}"));
    match (braces, dollar) {
        (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
        (a, b) => a.or(b),
    }
}

/// Substitution names are identifiers (letters, digits, `_`, `-`, `.`); anything else between
/// braces (a flow mapping, an expression) is left alone.
fn is_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}
