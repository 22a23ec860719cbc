//! Archy YAML, the format Genesys Cloud Architect flows are authored, exported and kept in Git
//! in, to and from the flow format. Pure: text in, text out. See `docs/flow-format.md`,
//! "Archy YAML mapping", for the construct-by-construct table.

mod document;
mod error;
mod export;
mod import;
mod scoping;
mod substitution;
mod values;

pub use error::{ArchyDiagnostic, ArchyError};
pub use export::export;
pub use import::import;
pub use scoping::{architect_name, scoped};
pub use substitution::{placeholders, substitute};

use import::{CALL_FLOW_TYPES, OTHER_FLOW_TYPES};

/// True when the text is an Archy document (a top-level one-key mapping whose key is an Archy flow
/// type: `inboundCall:`, `inqueueCall:`, `commonModule:`, `workflow:`...) rather than the flow
/// format. Looks at the text only, so it works on templates before substitution.
pub fn is_archy(text: &str) -> bool {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut keys = text.lines().filter(|line| {
        let trimmed = line.trim();
        !trimmed.is_empty() && !trimmed.starts_with('#') && trimmed != "---" && !line.starts_with([' ', '\t'])
    });
    let Some(first) = keys.next() else { return false };
    let Some(key) = first.trim_end().strip_suffix(':').or_else(|| first.split_once(": ").map(|(key, _)| key)) else {
        return false;
    };
    let key = key.trim().trim_matches(['"', '\'']);
    let known = CALL_FLOW_TYPES.iter().map(|(name, _)| *name).chain(OTHER_FLOW_TYPES.iter().copied());
    known.into_iter().any(|name| name.eq_ignore_ascii_case(key)) && keys.next().is_none()
}

#[cfg(test)]
mod tests;
