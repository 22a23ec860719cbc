//! Apply progress as plain lines on stderr (one per step and per org), so stdout keeps the one
//! result document; the same on a terminal and in CI logs.

use switchboard_deploy::apply::{Progress, StepOutcome};
use switchboard_deploy::plan::Action;

pub struct Lines;

impl Progress for Lines {
    fn org_started(&self, org: &str, steps: usize) {
        eprintln!("[{org}] applying {steps} step(s)");
    }

    fn step(&self, org: &str, resource: &str, action: Action, outcome: StepOutcome) {
        let outcome = match outcome {
            StepOutcome::Written => "done",
            StepOutcome::Unchanged => "unchanged",
            StepOutcome::ConflictKept => "hand edit kept",
            StepOutcome::Failed => "FAILED",
            StepOutcome::Skipped => "already done",
        };
        if action != Action::Unchanged || outcome != "unchanged" {
            eprintln!("[{org}] {} {resource}: {outcome}", action.as_str());
        }
    }

    fn org_finished(&self, org: &str, status: &str) {
        eprintln!("[{org}] {status}");
    }

    fn message(&self, line: &str) {
        eprintln!("{line}");
    }
}
