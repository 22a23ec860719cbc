//! `{{name}}` / `${name}` substitution on the text of an Archy file before YAML parsing, as Archy's
//! options file and CX-as-Code's `substitutions` do. It works on the text because placeholders
//! appear unquoted and even inside mapping keys (`{{prefix}}-Lambda:`), where YAML would not parse.

use super::error::{ArchyDiagnostic, ArchyError};
use crate::limits::PLACEHOLDERS_MAX;
use std::collections::{BTreeMap, HashSet};

/// Replaces every `{{name}}` and `${name}` (spaces inside the braces allowed) with its value.
/// Every unknown name is reported with its line and column, not just the first. A file with more
/// than [`PLACEHOLDERS_MAX`] placeholders is refused as a whole. Linear in the text's length.
pub fn substitute(text: &str, file: &str, values: &BTreeMap<String, String>) -> Result<String, ArchyError> {
    let mut output = String::with_capacity(text.len());
    let mut diagnostics = Vec::new();
    let mut found = 0usize;
    for (line_index, line) in text.split_inclusive('\n').enumerate() {
        let mut rest = line;
        while let Some((start, open_len, close)) = next_placeholder(rest) {
            found += 1;
            if found > PLACEHOLDERS_MAX {
                let message = format!("more than {PLACEHOLDERS_MAX} substitution placeholders in one file");
                return Err(ArchyError::single(file, line_index + 1, line.len() - rest.len() + start + 1, "", message));
            }
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
/// Linear in the text's length; [`substitute`] refuses a file with too many placeholders.
pub fn placeholders(text: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    // Line by line, as `substitute` reads them, so the two always agree on what is a placeholder.
    for line in text.split_inclusive('\n') {
        let mut rest = line;
        while let Some((start, open_len, close)) = next_placeholder(rest) {
            let after_open = &rest[start + open_len..];
            let Some(end) = after_open.find(close) else { break };
            let name = after_open[..end].trim();
            if is_name(name) && seen.insert(name) {
                names.push(name.to_string());
            }
            rest = &after_open[end + close.len()..];
        }
    }
    names
}

/// The earliest `{{` or `${` in `text`: (byte offset, opener length, closer). One pass up to the
/// opener: searching for each opener through the whole rest made a text with many of one and
/// none of the other quadratic.
fn next_placeholder(text: &str) -> Option<(usize, usize, &'static str)> {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(offset) = text[from..].find('{') {
        let index = from + offset;
        if index > 0 && bytes[index - 1] == b'$' {
            return Some((index - 1, 2, "}"));
        }
        if bytes.get(index + 1) == Some(&b'{') {
            return Some((index, 2, "}}"));
        }
        from = index + 1;
    }
    None
}

/// Substitution names are identifiers (letters, digits, `_`, `-`, `.`); anything else between
/// braces (a flow mapping, an expression) is left alone.
fn is_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}
