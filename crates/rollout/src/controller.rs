//! The rollout controller: a pure state machine. Inputs are analysis intervals and operator
//! commands; outputs are the control row to write (if it changes) and events for the history.
//! The state serializes whole, so a driver stores it after every step and a restarted driver
//! resumes exactly where it was: it writes a row only when the stored state says the row should
//! differ from what the table holds.

use crate::control_row::ControlRow;
use crate::judge::{Judge, StepProgress, Verdict, VerdictKind};
use crate::policy::{Policy, PolicyError};
use crate::tally::{ArmTally, Window};
use serde::{Deserialize, Serialize};

/// Most events kept in the state's history (oldest dropped first); the journal keeps them all.
pub const HISTORY_LIMIT: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Running,
    Paused,
    Promoted,
    Aborted,
}

impl Phase {
    pub fn is_finished(self) -> bool {
        matches!(self, Phase::Promoted | Phase::Aborted)
    }
}

/// A published flow slot (`NAME_Blue` or `NAME_Green`) and the version calls run on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    pub flow_id: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    Started,
    Verdict { verdict: Box<Verdict> },
    StepAdvanced,
    Paused,
    Resumed,
    Aborted { reason: String },
    Promoted { reason: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RolloutEvent {
    pub at_ms: u64,
    /// Candidate weight after the event.
    pub weight: u8,
    pub step: usize,
    #[serde(flatten)]
    pub kind: EventKind,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Input {
    Interval(Window),
    Pause,
    Resume,
    Abort { reason: String },
    Promote,
}

/// What a step asks the driver to do.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Output {
    /// Write this row now (the weight or the slots changed).
    pub write: Option<ControlRow>,
    pub events: Vec<RolloutEvent>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ControllerError {
    #[error(transparent)]
    Policy(#[from] PolicyError),
    #[error("policy: {0}")]
    Stats(String),
    #[error("the rollout of {flow} is already {phase:?}; start a new one")]
    Finished { flow: String, phase: Phase },
    #[error("the rollout of {flow} is not paused")]
    NotPaused { flow: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Controller {
    pub flow: String,
    pub policy: Policy,
    pub active: Slot,
    pub candidate: Slot,
    pub phase: Phase,
    /// Index into `policy.steps`.
    pub step: usize,
    pub intervals_in_step: u32,
    pub candidate_calls_in_step: u64,
    /// The row the table should hold now.
    pub row: ControlRow,
    /// Bumped on every row change, so a driver can tell whether its last write happened.
    pub revision: u64,
    /// When the weight last changed: calls that arrived before then were routed differently.
    pub weight_since_ms: u64,
    pub judge: Judge,
    /// Calls per arm since the start, for status and the benchmark.
    pub active_totals: ArmTally,
    pub candidate_totals: ArmTally,
    pub history: Vec<RolloutEvent>,
}

impl Controller {
    /// Starts a rollout: the candidate gets the first step's weight at once.
    pub fn start(flow: &str, policy: Policy, active: Slot, candidate: Slot, at_ms: u64) -> Result<(Controller, Output), ControllerError> {
        policy.check()?;
        let judge = Judge::new(&policy).map_err(|error| ControllerError::Stats(error.to_string()))?;
        let row = ControlRow {
            active_flow_id: active.flow_id.clone(),
            active_version: active.version.clone(),
            candidate_flow_id: candidate.flow_id.clone(),
            candidate_version: candidate.version.clone(),
            traffic_weight: 0,
        };
        let mut controller = Controller {
            flow: flow.to_string(),
            policy,
            active,
            candidate,
            phase: Phase::Running,
            step: 0,
            intervals_in_step: 0,
            candidate_calls_in_step: 0,
            row,
            revision: 0,
            weight_since_ms: at_ms,
            judge,
            active_totals: ArmTally::default(),
            candidate_totals: ArmTally::default(),
            history: Vec::new(),
        };
        let mut output = Output::default();
        controller.push(&mut output, at_ms, EventKind::Started);
        if controller.policy.steps[0] >= 100 {
            controller.promote(&mut output, at_ms, "a single 100 % step is a blue-green cutover".into());
        } else {
            controller.set_weight(&mut output, controller.policy.steps[0], at_ms);
        }
        Ok((controller, output))
    }

    pub fn weight(&self) -> u8 {
        self.row.traffic_weight
    }

    /// Applies one input.
    pub fn step(&mut self, input: Input, at_ms: u64) -> Result<Output, ControllerError> {
        let mut output = Output::default();
        if self.phase.is_finished() {
            return match input {
                // Late intervals after the end change nothing.
                Input::Interval(_) => Ok(output),
                _ => Err(ControllerError::Finished { flow: self.flow.clone(), phase: self.phase }),
            };
        }
        match input {
            Input::Interval(window) => self.interval(&mut output, window, at_ms),
            Input::Pause => {
                if self.phase == Phase::Running {
                    self.phase = Phase::Paused;
                    self.push(&mut output, at_ms, EventKind::Paused);
                }
            }
            Input::Resume => {
                if self.phase != Phase::Paused {
                    return Err(ControllerError::NotPaused { flow: self.flow.clone() });
                }
                self.phase = Phase::Running;
                self.intervals_in_step = 0;
                self.push(&mut output, at_ms, EventKind::Resumed);
            }
            Input::Abort { reason } => self.abort(&mut output, at_ms, reason),
            Input::Promote => self.promote(&mut output, at_ms, "promoted by the operator".into()),
        }
        Ok(output)
    }

    fn interval(&mut self, output: &mut Output, window: Window, at_ms: u64) {
        self.active_totals.accumulate(&window.active);
        self.candidate_totals.accumulate(&window.candidate);
        if self.phase != Phase::Running {
            return;
        }
        self.intervals_in_step += 1;
        self.candidate_calls_in_step += window.candidate.calls;
        let progress = StepProgress { candidate_calls: self.candidate_calls_in_step, intervals: self.intervals_in_step };
        let verdict = self.judge.judge(&window, progress);
        let kind = verdict.kind;
        let reason = verdict.reason.clone();
        self.push(output, at_ms, EventKind::Verdict { verdict: Box::new(verdict) });
        match kind {
            VerdictKind::Fail => self.abort(output, at_ms, reason),
            VerdictKind::Pass => {
                let next = self.step + 1;
                match self.policy.steps.get(next) {
                    Some(weight) if *weight < 100 => {
                        self.step = next;
                        self.intervals_in_step = 0;
                        self.candidate_calls_in_step = 0;
                        self.set_weight(output, *weight, at_ms);
                        self.push(output, at_ms, EventKind::StepAdvanced);
                    }
                    _ => self.promote(output, at_ms, format!("every step passed; last: {reason}")),
                }
            }
            VerdictKind::Inconclusive => {
                // Too little traffic to decide: hold the weight and hand over to the operator
                // rather than guess (promote, abort or resume to keep collecting).
                if self.intervals_in_step >= self.policy.max_intervals_per_step {
                    self.phase = Phase::Paused;
                    self.push(output, at_ms, EventKind::Paused);
                }
            }
        }
    }

    fn abort(&mut self, output: &mut Output, at_ms: u64, reason: String) {
        self.phase = Phase::Aborted;
        self.set_weight(output, 0, at_ms);
        self.push(output, at_ms, EventKind::Aborted { reason });
    }

    /// The candidate becomes active at 100 %: the slots swap roles and the weight goes to 0 (all
    /// new calls to the new active slot; calls in progress finish where they are).
    fn promote(&mut self, output: &mut Output, at_ms: u64, reason: String) {
        std::mem::swap(&mut self.active, &mut self.candidate);
        self.phase = Phase::Promoted;
        self.row = ControlRow {
            active_flow_id: self.active.flow_id.clone(),
            active_version: self.active.version.clone(),
            candidate_flow_id: self.candidate.flow_id.clone(),
            candidate_version: self.candidate.version.clone(),
            traffic_weight: 0,
        };
        self.revision += 1;
        self.weight_since_ms = at_ms;
        output.write = Some(self.row.clone());
        self.push(output, at_ms, EventKind::Promoted { reason });
    }

    fn set_weight(&mut self, output: &mut Output, weight: u8, at_ms: u64) {
        if self.row.traffic_weight != weight || self.revision == 0 {
            self.row.traffic_weight = weight;
            self.revision += 1;
            self.weight_since_ms = at_ms;
            output.write = Some(self.row.clone());
        }
    }

    fn push(&mut self, output: &mut Output, at_ms: u64, kind: EventKind) {
        let event = RolloutEvent { at_ms, weight: self.row.traffic_weight, step: self.step, kind };
        if self.history.len() >= HISTORY_LIMIT {
            self.history.remove(0);
        }
        self.history.push(event.clone());
        output.events.push(event);
    }

    /// The last verdict, if any.
    pub fn last_verdict(&self) -> Option<&Verdict> {
        self.history.iter().rev().find_map(|event| match &event.kind {
            EventKind::Verdict { verdict } => Some(verdict.as_ref()),
            _ => None,
        })
    }
}
