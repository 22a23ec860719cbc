//! Logical names: a resource is `kind/name` within an org; a reference `$ref{kind/name}` (same
//! org) or `$ref{org:kind/name}` (another org, e.g. the parent's global queue) names one. Ids
//! never appear in a config repository.

use serde::{Deserialize, Serialize};
use std::fmt;

/// `kind/name`, e.g. `queue/Support`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ResourceKey {
    pub kind: String,
    pub name: String,
}

impl ResourceKey {
    pub fn new(kind: impl Into<String>, name: impl Into<String>) -> Self {
        Self { kind: kind.into(), name: name.into() }
    }

    /// Parses `kind/name` (the name may itself contain `/`).
    pub fn parse(text: &str) -> Option<Self> {
        let (kind, name) = text.split_once('/')?;
        (!kind.is_empty() && !name.is_empty()).then(|| Self::new(kind.trim(), name.trim()))
    }
}

impl fmt::Display for ResourceKey {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}/{}", self.kind, self.name)
    }
}

/// A reference found in a document: the org it points into (`None` = the same org) and the key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Reference {
    pub org: Option<String>,
    pub key: ResourceKey,
}

impl fmt::Display for Reference {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.org {
            Some(org) => write!(formatter, "{org}:{}", self.key),
            None => write!(formatter, "{}", self.key),
        }
    }
}

const OPEN: &str = "$ref{";

/// Every `$ref{...}` in a text with its byte offset; `Err` holds a malformed one's text.
pub fn find_references(text: &str) -> Vec<(usize, Result<Reference, String>)> {
    let mut found = Vec::new();
    let mut offset = 0;
    while let Some(start) = text[offset..].find(OPEN) {
        let begin = offset + start;
        let inner_start = begin + OPEN.len();
        let Some(close) = text[inner_start..].find('}') else {
            found.push((begin, Err(text[begin..].lines().next().unwrap_or_default().to_string())));
            break;
        };
        let inner = &text[inner_start..inner_start + close];
        found.push((begin, parse_reference(inner).ok_or_else(|| format!("{OPEN}{inner}}}"))));
        offset = inner_start + close + 1;
    }
    found
}

/// `kind/name` or `org:kind/name`.
pub fn parse_reference(inner: &str) -> Option<Reference> {
    let (org, rest) = match inner.split_once(':') {
        Some((org, rest)) if !org.contains('/') => (Some(org.trim().to_string()), rest),
        _ => (None, inner),
    };
    Some(Reference { org, key: ResourceKey::parse(rest)? })
}

/// Replaces every well-formed `$ref{...}` in `text` by what `resolve` returns for it; `None`
/// leaves the reference as it is.
pub fn replace_references(text: &str, mut resolve: impl FnMut(&Reference) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut offset = 0;
    for (begin, reference) in find_references(text) {
        let Ok(reference) = reference else { continue };
        let Some(end) = text[begin..].find('}').map(|close| begin + close + 1) else { continue };
        out.push_str(&text[offset..begin]);
        match resolve(&reference) {
            Some(value) => out.push_str(&value),
            None => out.push_str(&text[begin..end]),
        }
        offset = end;
    }
    out.push_str(&text[offset..]);
    out
}

/// The text form of a reference, for export.
pub fn reference_text(reference: &Reference) -> String {
    format!("{OPEN}{reference}}}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_parse_and_replace() {
        let text = "a $ref{queue/Support} b $ref{global:queue/Global VIP} c $ref{oops}";
        let found = find_references(text);
        assert_eq!(found.len(), 3);
        assert_eq!(found[1].1.as_ref().ok().map(ToString::to_string).as_deref(), Some("global:queue/Global VIP"));
        assert!(found[2].1.is_err());
        let replaced = replace_references(text, |reference| (reference.org.is_none()).then(|| "ID1".to_string()));
        assert_eq!(replaced, "a ID1 b $ref{global:queue/Global VIP} c $ref{oops}");
    }
}
