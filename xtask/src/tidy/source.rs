//! The source as tidy reads it: each `.rs` file under `crates/*/src` and `crates/*/tests`, with
//! comments blanked and inline `#[cfg(test)]` modules marked, so a check sees code, not prose.

use std::path::{Path, PathBuf};

/// One Rust file, by its path relative to the workspace root (always with `/`).
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: String,
    /// The crate folder's name (`review` for `crates/review/...`).
    pub krate: String,
    /// Each line with its comment removed (line numbers are kept: index + 1).
    pub code: Vec<String>,
    /// From this line index on the file is test code (an inline `#[cfg(test)] mod ... {`).
    pub test_from: usize,
    /// Under `tests/`, or a unit-test file (`tests.rs`, `*_tests.rs`, `testsupport.rs`).
    pub test_file: bool,
}

impl SourceFile {
    pub fn new(path: &str, text: &str) -> SourceFile {
        let krate = path.strip_prefix("crates/").and_then(|rest| rest.split('/').next()).unwrap_or("").to_string();
        let code: Vec<String> = text.lines().map(strip_comment).collect();
        let file_name = path.rsplit('/').next().unwrap_or(path);
        let in_tests_dir = path.split('/').skip(2).any(|part| part == "tests");
        let test_file = in_tests_dir || file_name == "tests.rs" || file_name.ends_with("_tests.rs") || file_name == "testsupport.rs";
        let test_from = inline_test_module(&code).unwrap_or(code.len());
        SourceFile { path: path.to_string(), krate, code, test_from, test_file }
    }

    /// (line number, code) of the lines that are not test code.
    pub fn product_lines(&self) -> impl Iterator<Item = (usize, &str)> {
        let end = if self.test_file { 0 } else { self.test_from };
        self.code.iter().take(end).enumerate().map(|(index, line)| (index + 1, line.as_str()))
    }

    /// (line number, code) of the lines that are test code.
    pub fn test_lines(&self) -> impl Iterator<Item = (usize, &str)> {
        let start = if self.test_file { 0 } else { self.test_from };
        self.code.iter().enumerate().skip(start).map(|(index, line)| (index + 1, line.as_str()))
    }
}

/// A line without its `//` comment. A `//` inside a string literal (`"http://..."`) is kept:
/// quotes are tracked on the line, which is enough for this codebase's one-line strings.
fn strip_comment(line: &str) -> String {
    let mut in_string = false;
    let mut escaped = false;
    let bytes = line.as_bytes();
    for (index, &byte) in bytes.iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if byte == b'\\' {
                escaped = true;
            } else if byte == b'"' {
                in_string = false;
            }
        } else if byte == b'"' {
            in_string = true;
        } else if byte == b'/' && bytes.get(index + 1) == Some(&b'/') {
            return line[..index].to_string();
        }
    }
    line.to_string()
}

/// The line index of `#[cfg(test)]` followed by an inline `mod name {`; by convention the last
/// item of a file, so everything after it is test code.
fn inline_test_module(code: &[String]) -> Option<usize> {
    code.iter().enumerate().find_map(|(index, line)| {
        if line.trim() != "#[cfg(test)]" {
            return None;
        }
        let next = code[index + 1..].iter().map(|line| line.trim()).find(|line| !line.is_empty())?;
        (next.starts_with("mod ") && next.ends_with('{')).then_some(index)
    })
}

/// Every `.rs` file under `crates/*/src` and `crates/*/tests`, sorted.
pub fn load(root: &Path) -> std::io::Result<Vec<SourceFile>> {
    let mut paths = Vec::new();
    for krate in sorted_entries(&root.join("crates"))? {
        for part in ["src", "tests"] {
            collect(&krate.join(part), &mut paths)?;
        }
    }
    paths.sort();
    let mut files = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path)?;
        let relative = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
        files.push(SourceFile::new(&relative, &text));
    }
    Ok(files)
}

fn sorted_entries(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?.map(|entry| entry.map(|entry| entry.path())).collect::<Result<_, _>>()?;
    entries.sort();
    Ok(entries)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if !dir.is_dir() {
        return Ok(());
    }
    for entry in sorted_entries(dir)? {
        if entry.is_dir() {
            collect(&entry, out)?;
        } else if entry.extension().is_some_and(|extension| extension == "rs") {
            out.push(entry);
        }
    }
    Ok(())
}
