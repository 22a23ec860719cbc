//! What apply reports as it goes; the CLI draws bars or prints lines from it.

use crate::plan::Action;

/// How one step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepOutcome {
    Written,
    Unchanged,
    /// A hand-changed field was kept (the write, if any, left it alone).
    ConflictKept,
    Failed,
    Skipped,
}

pub trait Progress: Send + Sync {
    fn org_started(&self, _org: &str, _steps: usize) {}
    fn step(&self, _org: &str, _resource: &str, _action: Action, _outcome: StepOutcome) {}
    fn org_finished(&self, _org: &str, _status: &str) {}
    /// A line about the run as a whole (the org canary's choice, window and verdict).
    fn message(&self, _line: &str) {}
}

/// Reports nothing.
pub struct Silent;

impl Progress for Silent {}
