//! Apply progress on stderr, so stdout keeps the one result document: per-org indicatif bars on
//! a terminal ([`Bars`]), plain lines otherwise ([`Lines`], for CI logs); [`for_stderr`] picks.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use indicatif::{MultiProgress, ProgressBar};
use switchboard_deploy::apply::{Progress, StepOutcome};
use switchboard_deploy::plan::Action;

/// Bars on a terminal, lines elsewhere.
pub fn for_stderr() -> Arc<dyn Progress> {
    if crate::progress::bars_wanted() { Arc::new(Bars::default()) } else { Arc::new(Lines) }
}

fn outcome_text(outcome: StepOutcome) -> &'static str {
    match outcome {
        StepOutcome::Written => "done",
        StepOutcome::Unchanged => "unchanged",
        StepOutcome::ConflictKept => "hand edit kept",
        StepOutcome::Failed => "FAILED",
        StepOutcome::Skipped => "already done",
    }
}

pub struct Lines;

impl Progress for Lines {
    fn org_started(&self, org: &str, steps: usize) {
        eprintln!("[{org}] applying {steps} step(s)");
    }

    fn step(&self, org: &str, resource: &str, action: Action, outcome: StepOutcome) {
        if action != Action::Unchanged || outcome != StepOutcome::Unchanged {
            eprintln!("[{org}] {} {resource}: {}", action.as_str(), outcome_text(outcome));
        }
    }

    fn org_finished(&self, org: &str, status: &str) {
        eprintln!("[{org}] {status}");
    }

    fn message(&self, line: &str) {
        eprintln!("{line}");
    }
}

/// One bar per org (its steps), the latest step as the bar's message, the org's status at the end.
pub struct Bars {
    multi: MultiProgress,
    bars: Mutex<BTreeMap<String, ProgressBar>>,
}

impl Default for Bars {
    fn default() -> Self {
        Self { multi: crate::progress::multi(), bars: Mutex::new(BTreeMap::new()) }
    }
}

impl Bars {
    fn with_bar(&self, org: &str, action: impl FnOnce(&ProgressBar)) {
        let bars = self.bars.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(bar) = bars.get(org) {
            action(bar);
        }
    }
}

impl Progress for Bars {
    fn org_started(&self, org: &str, steps: usize) {
        let bar = crate::progress::bar(&self.multi, org, steps);
        self.bars.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(org.to_string(), bar);
    }

    fn step(&self, org: &str, resource: &str, action: Action, outcome: StepOutcome) {
        self.with_bar(org, |bar| {
            bar.inc(1);
            bar.set_message(format!("{} {resource}: {}", action.as_str(), outcome_text(outcome)));
            // Failures and kept hand edits stay on screen above the bars.
            if matches!(outcome, StepOutcome::Failed | StepOutcome::ConflictKept) {
                bar.println(format!("[{org}] {} {resource}: {}", action.as_str(), outcome_text(outcome)));
            }
        });
    }

    fn org_finished(&self, org: &str, status: &str) {
        self.with_bar(org, |bar| bar.finish_with_message(status.to_string()));
    }

    fn message(&self, line: &str) {
        let _ = self.multi.println(line);
    }
}
