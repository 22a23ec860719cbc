//! `cargo xtask tidy`: the invariants in ARCHITECTURE.md, checked by reading the source.
//!
//! Each check (`tidy/checks.rs`, `tidy/graph.rs`) reads text and reports violations; a reviewed
//! exception is a line in `xtask/tidy-allow.txt` naming the check, the file and why. An entry
//! that no longer matches anything is itself an error, so the list only shrinks as fixes land.
//! The xtask's own tests run tidy over the repository, so `cargo xtask test` (CI) runs it.

mod allow;
mod checks;
mod graph;
mod source;
#[cfg(test)]
mod tests;

use anyhow::{Context, bail};
use std::path::Path;

/// One broken rule at a place in the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub check: &'static str,
    pub path: String,
    /// 0 for a whole file (a manifest).
    pub line: usize,
    pub message: String,
}

impl Violation {
    pub fn new(check: &'static str, path: &str, line: usize, message: String) -> Violation {
        Violation { check, path: path.to_string(), line, message }
    }
}

impl std::fmt::Display for Violation {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            0 => write!(formatter, "{}: [{}] {}", self.path, self.check, self.message),
            line => write!(formatter, "{}:{line}: [{}] {}", self.path, self.check, self.message),
        }
    }
}

pub const ALLOW_LIST: &str = "xtask/tidy-allow.txt";

pub fn run(_arguments: &[String]) -> anyhow::Result<()> {
    let root = crate::test::workspace_root();
    let problems = problems(&root)?;
    if problems.is_empty() {
        println!("tidy: every check passes");
        return Ok(());
    }
    for problem in &problems {
        eprintln!("{problem}");
    }
    bail!("tidy: {} problem(s) (fix them, or add a reviewed line with its reason to {ALLOW_LIST})", problems.len());
}

/// Every violation not allowed, then every allow-list entry that matched nothing.
pub fn problems(root: &Path) -> anyhow::Result<Vec<String>> {
    let allow_text = std::fs::read_to_string(root.join(ALLOW_LIST)).with_context(|| format!("reading {ALLOW_LIST}"))?;
    let allow_list = allow::parse(&allow_text).map_err(|error| anyhow::anyhow!("{ALLOW_LIST}: {error}"))?;
    let violations = all_violations(root)?;
    let (remaining, stale) = allow::apply(&allow_list, violations);
    let mut problems: Vec<String> = remaining.iter().map(ToString::to_string).collect();
    problems.extend(stale.iter().map(|entry| format!("{ALLOW_LIST}:{}: allows `{} {}`, which no longer occurs: delete the line", entry.line, entry.check, entry.path)));
    Ok(problems)
}

/// Every check over the repository at `root`.
pub fn all_violations(root: &Path) -> anyhow::Result<Vec<Violation>> {
    let files = source::load(root).context("reading crates/*/src and crates/*/tests")?;
    let mut violations = check_sources(&files);
    for entry in std::fs::read_dir(root.join("crates")).context("listing crates/")? {
        let dir = entry?.path();
        let Some(krate) = dir.file_name().and_then(|name| name.to_str()).map(str::to_string) else { continue };
        let manifest = dir.join("Cargo.toml");
        if let Ok(text) = std::fs::read_to_string(&manifest) {
            violations.extend(graph::check_manifest(&krate, &format!("crates/{krate}/Cargo.toml"), &text));
        }
    }
    Ok(violations)
}

pub fn check_sources(files: &[source::SourceFile]) -> Vec<Violation> {
    let mut violations = Vec::new();
    violations.extend(checks::unseeded_randomness(files));
    violations.extend(checks::raw_http_client(files));
    violations.extend(checks::wire_shape(files));
    violations.extend(checks::flow_version_write(files));
    violations.extend(checks::secret_debug(files));
    violations.extend(checks::silent_skip(files));
    violations
}
