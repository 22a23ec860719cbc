//! The reviewed exceptions: `xtask/tidy-allow.txt`, one `check path  # why` a line. An entry
//! allows every violation of that check in that file; it must say why.

use super::Violation;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub check: String,
    pub path: String,
    pub reason: String,
    /// Line in the allow-list file, for messages.
    pub line: usize,
}

pub fn parse(text: &str) -> Result<Vec<Entry>, String> {
    let mut entries = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let (rule, reason) = trimmed.split_once('#').ok_or_else(|| format!("line {line}: no `# reason`"))?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(format!("line {line}: the reason after `#` is empty"));
        }
        let mut words = rule.split_whitespace();
        let (Some(check), Some(path), None) = (words.next(), words.next(), words.next()) else {
            return Err(format!("line {line}: expected `check path  # reason`"));
        };
        entries.push(Entry { check: check.to_string(), path: path.to_string(), reason: reason.to_string(), line });
    }
    Ok(entries)
}

/// (violations no entry allows, entries that allowed nothing).
pub fn apply(entries: &[Entry], violations: Vec<Violation>) -> (Vec<Violation>, Vec<Entry>) {
    let mut used = vec![false; entries.len()];
    let mut remaining = Vec::new();
    for violation in violations {
        match entries.iter().position(|entry| entry.check == violation.check && entry.path == violation.path) {
            Some(position) => used[position] = true,
            None => remaining.push(violation),
        }
    }
    let stale = entries.iter().zip(used).filter(|(_, used)| !used).map(|(entry, _)| entry.clone()).collect();
    (remaining, stale)
}
