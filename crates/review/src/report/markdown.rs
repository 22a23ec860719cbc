//! The Markdown summary for a merge-request comment: the verdict, a table per check, then every
//! error and warning with its evidence.

use crate::finding::{CheckStatus, Outcome, Review, Severity};
use std::fmt::Write;

pub fn markdown(review: &Review) -> String {
    let verdict = match review.outcome {
        Outcome::Pass => "✅ passed",
        Outcome::Fail => "❌ failed",
        Outcome::CouldNotRun => "⚠️ could not run",
    };
    let mut out = format!(
        "## Switchboard review of `{}`: {verdict}\n\n{} errors, {} warnings across {} checks ({} ms).\n\n| check | status | subjects | errors | warnings |\n|---|---|---|---|---|\n",
        review.environment,
        review.errors(),
        review.warnings(),
        review.checks.len(),
        review.duration_ms
    );
    for run in &review.checks {
        let status = match &run.status {
            CheckStatus::Ran => "ran".to_string(),
            CheckStatus::NotApplicable(reason) => format!("not applicable: {reason}"),
            CheckStatus::Skipped(reason) => format!("skipped: {reason}"),
            CheckStatus::CouldNotRun(reason) => format!("**could not run**: {reason}"),
        };
        let count = |severity| review.findings.iter().filter(|finding| finding.check == run.check && finding.severity == severity).count();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            run.check,
            cell(&status),
            run.subjects.len(),
            count(Severity::Error),
            count(Severity::Warning)
        );
    }
    for (severity, title) in [(Severity::Error, "Errors"), (Severity::Warning, "Warnings")] {
        let findings: Vec<_> = review.findings.iter().filter(|finding| finding.severity == severity).collect();
        if findings.is_empty() {
            continue;
        }
        let _ = write!(out, "\n### {title}\n\n");
        for finding in findings {
            let _ = writeln!(out, "- **`{}`** {} — {}: {}", finding.code, finding.check, cell(&finding.subject), cell(&finding.message));
            for line in &finding.evidence {
                let _ = writeln!(out, "  - `{}`", line.replace('`', "'"));
            }
        }
    }
    out
}

/// Keeps a value inside one table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}
