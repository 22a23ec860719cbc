//! The review's data model: findings (check, code, severity, subject, message, evidence), what
//! each check ran on, and the outcome that becomes the exit code. The JSON of [`Review`] is the
//! documented, stable report schema (docs/review.md); add fields, never rename them.

use serde::Serialize;

/// Version of the JSON report schema; bumped only for a change that breaks readers.
pub const SCHEMA_VERSION: u32 = 1;

/// The checks of a review, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    StaticValidation,
    LatencySla,
    FailureModes,
    QuotaHeadroom,
    FlowLocks,
    SessionHygiene,
    EnvironmentParity,
}

impl Check {
    pub const ALL: [Check; 7] = [
        Check::StaticValidation,
        Check::LatencySla,
        Check::FailureModes,
        Check::QuotaHeadroom,
        Check::FlowLocks,
        Check::SessionHygiene,
        Check::EnvironmentParity,
    ];

    /// The name used in reports, JUnit suites and `--check` flags.
    pub fn name(self) -> &'static str {
        match self {
            Check::StaticValidation => "static_validation",
            Check::LatencySla => "latency_sla",
            Check::FailureModes => "failure_modes",
            Check::QuotaHeadroom => "quota_headroom",
            Check::FlowLocks => "flow_locks",
            Check::SessionHygiene => "session_hygiene",
            Check::EnvironmentParity => "environment_parity",
        }
    }

    pub fn from_name(name: &str) -> Option<Check> {
        Check::ALL.into_iter().find(|check| check.name() == name)
    }
}

impl std::fmt::Display for Check {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(self.name())
    }
}

/// An error fails the review; a warning is reported and does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One thing a check found about one subject (a flow, an integration, a licence, a lock).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub check: Check,
    /// Stable code (docs/review.md): CI gates and suppressions refer to it.
    pub code: String,
    pub severity: Severity,
    /// What the finding is about: `flow:Main IVR`, `integration:CRM Lookup`, `license:cloudCX3`.
    pub subject: String,
    pub message: String,
    /// What the check saw, one line each: the block, each probe's latency, each call's path.
    pub evidence: Vec<String>,
}

/// Whether a check ran, and on what. A check that could not run makes the review exit 2.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "status", content = "reason")]
pub enum CheckStatus {
    Ran,
    /// Not meaningful for this target (session hygiene against a real org).
    NotApplicable(String),
    /// Skipped on request or for want of input (no flows with data actions).
    Skipped(String),
    CouldNotRun(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckRun {
    pub check: Check,
    #[serde(flatten)]
    pub status: CheckStatus,
    /// Every subject the check looked at, findings or not (one JUnit test case each).
    pub subjects: Vec<String>,
    pub duration_ms: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Pass,
    Fail,
    CouldNotRun,
}

impl Outcome {
    /// 0 pass, 1 fail, 2 could not run.
    pub fn exit_code(self) -> i32 {
        match self {
            Outcome::Pass => 0,
            Outcome::Fail => 1,
            Outcome::CouldNotRun => 2,
        }
    }
}

/// A whole review: the JSON report's root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Review {
    pub schema_version: u32,
    pub environment: String,
    pub started_at: String,
    pub duration_ms: u64,
    pub outcome: Outcome,
    pub checks: Vec<CheckRun>,
    pub findings: Vec<Finding>,
}

impl Review {
    /// Assembles a review; the outcome follows from the checks and findings: a check that could
    /// not run wins, then any error finding fails.
    pub fn new(environment: &str, started_at: String, duration_ms: u64, checks: Vec<CheckRun>, mut findings: Vec<Finding>) -> Review {
        findings.sort_by(|left, right| {
            (left.check, left.severity, &left.subject, &left.code).cmp(&(right.check, right.severity, &right.subject, &right.code))
        });
        let outcome = if checks.iter().any(|run| matches!(run.status, CheckStatus::CouldNotRun(_))) {
            Outcome::CouldNotRun
        } else if findings.iter().any(|finding| finding.severity == Severity::Error) {
            Outcome::Fail
        } else {
            Outcome::Pass
        };
        Review { schema_version: SCHEMA_VERSION, environment: environment.to_string(), started_at, duration_ms, outcome, checks, findings }
    }

    pub fn errors(&self) -> usize {
        self.findings.iter().filter(|finding| finding.severity == Severity::Error).count()
    }

    pub fn warnings(&self) -> usize {
        self.findings.len() - self.errors()
    }

    /// The findings of one check about one subject.
    pub fn findings_for<'a>(&'a self, check: Check, subject: &'a str) -> impl Iterator<Item = &'a Finding> + 'a {
        self.findings.iter().filter(move |finding| finding.check == check && finding.subject == subject)
    }
}
