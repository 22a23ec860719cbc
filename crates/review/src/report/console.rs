//! The console table: one row per finding (check, severity, code, subject, message), then a
//! line per check and the verdict.

use crate::finding::{CheckStatus, Outcome, Review, Severity};
use std::fmt::Write;

pub fn table(review: &Review) -> String {
    let headers = ["CHECK", "SEVERITY", "CODE", "SUBJECT", "MESSAGE"];
    let rows: Vec<[String; 5]> = review
        .findings
        .iter()
        .map(|finding| {
            [
                finding.check.to_string(),
                match finding.severity {
                    Severity::Error => "error".to_string(),
                    Severity::Warning => "warning".to_string(),
                },
                finding.code.clone(),
                finding.subject.clone(),
                finding.message.clone(),
            ]
        })
        .collect();
    let mut widths = headers.map(str::len);
    for row in &rows {
        for (width, value) in widths.iter_mut().zip(row.iter()).take(4) {
            *width = (*width).max(value.chars().count());
        }
    }
    let mut out = String::new();
    if !rows.is_empty() {
        let line = |cells: [&str; 5]| -> String {
            let mut text = String::new();
            for (index, value) in cells.iter().enumerate() {
                if index < 4 {
                    let _ = write!(text, "{value:<width$}  ", width = widths[index]);
                } else {
                    text.push_str(value);
                }
            }
            text
        };
        let _ = writeln!(out, "{}", line(headers));
        for row in &rows {
            let _ = writeln!(out, "{}", line([&row[0], &row[1], &row[2], &row[3], &row[4]]));
        }
        out.push('\n');
    }
    for run in &review.checks {
        let status = match &run.status {
            CheckStatus::Ran => "ran".to_string(),
            CheckStatus::NotApplicable(reason) => format!("not applicable ({reason})"),
            CheckStatus::Skipped(reason) => format!("skipped ({reason})"),
            CheckStatus::CouldNotRun(reason) => format!("COULD NOT RUN ({reason})"),
        };
        let errors = review.findings.iter().filter(|finding| finding.check == run.check && finding.severity == Severity::Error).count();
        let _ = writeln!(out, "{:<20} {status}: {} subject(s), {errors} error(s), {} ms", run.check.name(), run.subjects.len(), run.duration_ms);
    }
    let verdict = match review.outcome {
        Outcome::Pass => "PASS",
        Outcome::Fail => "FAIL",
        Outcome::CouldNotRun => "COULD NOT RUN",
    };
    let _ = writeln!(out, "review of `{}`: {verdict} ({} errors, {} warnings)", review.environment, review.errors(), review.warnings());
    out
}
