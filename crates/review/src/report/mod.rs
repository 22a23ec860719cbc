//! The review's reports: JSON (the documented schema), JUnit XML (one test case per check and
//! subject, which GitLab, GitHub and Jenkins show natively), a Markdown summary for merge-request
//! comments, and the console table. Each renderer is a pure function of the [`Review`].

mod console;
mod junit;
mod markdown;

pub use console::table;
pub use junit::junit_xml;
pub use markdown::markdown;

use crate::finding::Review;
use std::path::{Path, PathBuf};

/// The JSON report.
pub fn json(review: &Review) -> String {
    serde_json::to_string_pretty(review).unwrap_or_else(|error| format!("{{\"error\": \"{error}\"}}"))
}

/// The files [`write_all`] writes into a report directory.
pub const JSON_FILE: &str = "review.json";
pub const JUNIT_FILE: &str = "junit.xml";
pub const MARKDOWN_FILE: &str = "summary.md";

/// Writes the JSON, JUnit and Markdown reports into `directory` (created if needed).
pub fn write_all(review: &Review, directory: &Path) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(directory)?;
    let mut written = Vec::new();
    for (name, body) in [(JSON_FILE, json(review)), (JUNIT_FILE, junit_xml(review)), (MARKDOWN_FILE, markdown(review))] {
        let path = directory.join(name);
        std::fs::write(&path, body)?;
        written.push(path);
    }
    Ok(written)
}

/// Seconds with millisecond precision, as JUnit writes time.
pub(crate) fn seconds(milliseconds: u64) -> String {
    format!("{}.{:03}", milliseconds / 1000, milliseconds % 1000)
}
