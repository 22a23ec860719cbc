//! JUnit XML: a `testsuite` per check, a `testcase` per check and subject. An error finding is a
//! `failure` (its code as `type`), a check that could not run is an `error`, a check that does not
//! apply or was skipped is `skipped`; warnings go to `system-out` so the case still passes.
//! The shape validates against `tests/fixtures/junit.xsd` (a test checks it).

use super::seconds;
use crate::finding::{CheckStatus, Review, Severity};
use std::fmt::Write;

pub fn junit_xml(review: &Review) -> String {
    let mut suites = String::new();
    let (mut total_tests, mut total_failures, mut total_errors) = (0usize, 0usize, 0usize);
    for run in &review.checks {
        let mut cases = String::new();
        let (mut failures, mut errors, mut skipped) = (0usize, 0usize, 0usize);
        // A check with no subjects still shows as one case, so a skipped check is visible.
        let subjects: Vec<&str> = if run.subjects.is_empty() { vec!["(none)"] } else { run.subjects.iter().map(String::as_str).collect() };
        for subject in &subjects {
            let classname = format!("switchboard.review.{}", run.check.name());
            let _ = write!(cases, "    <testcase classname=\"{}\" name=\"{}\" time=\"0.000\">", escape(&classname), escape(subject));
            match &run.status {
                CheckStatus::CouldNotRun(reason) => {
                    errors += 1;
                    let _ = write!(cases, "\n      <error type=\"could-not-run\" message=\"{}\"/>", escape(reason));
                }
                CheckStatus::NotApplicable(reason) | CheckStatus::Skipped(reason) => {
                    skipped += 1;
                    let _ = write!(cases, "\n      <skipped message=\"{}\"/>", escape(reason));
                }
                CheckStatus::Ran => {}
            }
            let findings: Vec<_> = review.findings_for(run.check, subject).collect();
            let mut failed = false;
            for finding in findings.iter().filter(|finding| finding.severity == Severity::Error) {
                failed = true;
                let _ = write!(
                    cases,
                    "\n      <failure type=\"{}\" message=\"{}\">{}</failure>",
                    escape(&finding.code),
                    escape(&finding.message),
                    escape(&finding.evidence.join("\n"))
                );
            }
            if failed {
                failures += 1;
            }
            let warnings: Vec<String> = findings
                .iter()
                .filter(|finding| finding.severity == Severity::Warning)
                .map(|finding| format!("warning[{}]: {} ({})", finding.code, finding.message, finding.evidence.join("; ")))
                .collect();
            if !warnings.is_empty() {
                let _ = write!(cases, "\n      <system-out>{}</system-out>", escape(&warnings.join("\n")));
            }
            cases.push_str("\n    </testcase>\n");
        }
        total_tests += subjects.len();
        total_failures += failures;
        total_errors += errors;
        let _ = write!(
            suites,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\" time=\"{}\" timestamp=\"{}\">\n{cases}  </testsuite>\n",
            run.check.name(),
            subjects.len(),
            seconds(run.duration_ms),
            escape(&review.started_at),
        );
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"switchboard review ({})\" tests=\"{total_tests}\" failures=\"{total_failures}\" errors=\"{total_errors}\" time=\"{}\">\n{suites}</testsuites>\n",
        escape(&review.environment),
        seconds(review.duration_ms),
    )
}

/// XML text and attribute escaping; characters XML 1.0 forbids are dropped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' | '\t' | '\r' => out.push(character),
            control if (control as u32) < 0x20 => {}
            other => out.push(other),
        }
    }
    out
}
