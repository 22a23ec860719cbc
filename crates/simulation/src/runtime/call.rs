//! `CallExecution`: one call's position in its flows, its participant data and its path.

use super::caller::Caller;
use super::frames::{Frame, LoopState};
use super::path::{AttemptOutcome, BlockVisit, CallPath, DataActionAttempt, Terminal, TerminalOutcome};
use super::program::{BlockIndex, DataActionOp, Op};
use super::retry::{backoff_delay_ms, is_retryable};
use super::{DataActionOutcome, Effect, FlowHandle, FlowWorld};
use rand::RngCore;
use std::collections::BTreeMap;
use std::sync::Arc;
use switchboard_model::expr::{EvalContext, fixed_now};

/// The participant attribute naming the flow version a call belongs to; once set it sticks.
pub const FLOW_VERSION_ATTRIBUTE: &str = "Flow_Version";

/// Blocks a call may enter before it is cut off as a loop.
pub const DEFAULT_STEP_LIMIT: u32 = 1_000;

#[derive(Debug, Clone)]
pub(super) enum State {
    /// About to run the current block.
    Ready,
    /// `CallDataAction` was returned for this attempt; waiting for `complete_data_action`.
    AwaitingDataAction {
        attempt: u32,
    },
    /// The attempt failed and another is allowed: `step` picks the delay.
    BackoffDue {
        next_attempt: u32,
        retry_after_ms: Option<u64>,
    },
    /// The backoff was returned; the next `step` starts `attempt`.
    RetryDue {
        attempt: u32,
    },
    Finished(Effect),
}

/// One call running through flows. Cheap to create; all org state comes from the [`FlowWorld`].
#[derive(Debug, Clone)]
pub struct CallExecution {
    pub(super) data: BTreeMap<String, String>,
    pub(super) flow: FlowHandle,
    pub(super) block: BlockIndex,
    pub(super) state: State,
    pub(super) path: CallPath,
    steps: u32,
    step_limit: u32,
    pub(super) elapsed_ms: u64,
    /// The wall-clock instant (ms since the Unix epoch) the call started at; expressions read
    /// `GetCurrentDateTimeUtc()` as this plus `elapsed_ms`.
    clock_origin_ms: i64,
    /// Tasks and common modules the call is in, innermost last.
    pub(super) frames: Vec<Frame>,
    pub(super) loops: Vec<LoopState>,
    pub(super) caller: Caller,
}

impl CallExecution {
    /// A call entering `flow` at its start block with the given participant data (ANI, DNIS...).
    pub fn new(flow: FlowHandle, data: BTreeMap<String, String>) -> CallExecution {
        let mut call = CallExecution {
            data,
            block: flow.program.start(),
            flow: flow.clone(),
            state: State::Ready,
            path: CallPath::default(),
            steps: 0,
            step_limit: DEFAULT_STEP_LIMIT,
            elapsed_ms: 0,
            clock_origin_ms: fixed_now().timestamp_millis(),
            frames: Vec::new(),
            loops: Vec::new(),
            caller: Caller::default(),
        };
        call.enter(flow);
        call
    }

    /// Changes how many blocks the call may enter before it is disconnected with reason `loop`.
    pub fn with_step_limit(mut self, limit: u32) -> CallExecution {
        self.step_limit = limit;
        self
    }

    /// Sets the instant the call started (ms since the Unix epoch); the default is the expression
    /// language's fixed instant, 2000-01-01T00:00:00Z.
    pub fn with_clock_origin_ms(mut self, origin_ms: i64) -> CallExecution {
        self.clock_origin_ms = origin_ms;
        self
    }

    /// The call's clock now: its origin plus flow time so far.
    pub(super) fn clock_ms(&self) -> i64 {
        self.clock_origin_ms.saturating_add(i64::try_from(self.elapsed_ms).unwrap_or(i64::MAX))
    }

    /// Sets what the caller does at menus and input prompts (by default: seeded random choices).
    pub fn with_caller(mut self, caller: Caller) -> CallExecution {
        self.caller = caller;
        self
    }

    pub fn participant_data(&self) -> &BTreeMap<String, String> {
        &self.data
    }

    /// Sets an attribute from outside the flow (the conversations API's PATCH of attributes).
    pub fn set_attribute(&mut self, name: &str, value: &str) {
        self.data.insert(name.to_string(), value.to_string());
    }

    pub fn path(&self) -> &CallPath {
        &self.path
    }

    /// Takes the path out, leaving an empty one (for records handed to analytics).
    pub fn take_path(&mut self) -> CallPath {
        std::mem::take(&mut self.path)
    }

    pub fn take_participant_data(&mut self) -> BTreeMap<String, String> {
        std::mem::take(&mut self.data)
    }

    /// The flow the call is in now.
    pub fn current_flow(&self) -> &FlowHandle {
        &self.flow
    }

    /// Flow time so far: prompts, waits, backoffs and data-action latencies as reported.
    pub fn elapsed_ms(&self) -> u64 {
        self.elapsed_ms
    }

    /// Whether the flow part of the call is over.
    pub fn is_finished(&self) -> bool {
        matches!(self.state, State::Finished(_))
    }

    /// Runs the call until the next effect. Calling it again before the effect has been carried out
    /// (for a data action: before `complete_data_action`) returns the same request again.
    pub fn step(&mut self, world: &dyn FlowWorld, rng: &mut dyn RngCore) -> Effect {
        loop {
            match self.state.clone() {
                State::Finished(effect) => return effect,
                State::AwaitingDataAction { attempt } | State::RetryDue { attempt } => {
                    self.state = State::AwaitingDataAction { attempt };
                    match self.data_action_request(attempt, rng) {
                        Some(effect) => return effect,
                        None => continue,
                    }
                }
                State::BackoffDue { next_attempt, retry_after_ms } => {
                    let Some(action) = self.current_data_action() else {
                        return self.fail("data action block vanished during retry");
                    };
                    let delay = backoff_delay_ms(&action.retry, next_attempt - 1, retry_after_ms, rng);
                    if let Some(last) = self.path.data_actions.last_mut() {
                        last.backoff_ms = Some(delay);
                    }
                    self.elapsed_ms += delay;
                    self.state = State::RetryDue { attempt: next_attempt };
                    return Effect::Backoff { ms: delay };
                }
                State::Ready => {}
            }
            self.steps += 1;
            if self.steps > self.step_limit {
                return self.finish(Effect::Disconnect { reason: Arc::from("loop") }, None);
            }
            self.visit();
            if let Some(effect) = self.run_block(world, rng) {
                return effect;
            }
        }
    }

    /// Reports how the data-action attempt requested by the last `step` ended. Returns false (and
    /// changes nothing) when no attempt was outstanding.
    pub fn complete_data_action(&mut self, outcome: DataActionOutcome, latency_ms: u64) -> bool {
        let State::AwaitingDataAction { attempt } = self.state else { return false };
        let Some(action) = self.current_data_action().cloned() else { return false };
        let started_at_ms = self.elapsed_ms;
        self.elapsed_ms += latency_ms;
        let recorded = match &outcome {
            DataActionOutcome::Success { .. } => AttemptOutcome::Success,
            DataActionOutcome::Failure { status, .. } => AttemptOutcome::Failure { status: *status },
            DataActionOutcome::Timeout => AttemptOutcome::Timeout,
        };
        self.path.data_actions.push(DataActionAttempt {
            flow_id: self.flow.id.clone(),
            block: self.block_name(),
            integration: action.integration.clone(),
            attempt,
            outcome: recorded,
            latency_ms,
            started_at_ms,
            backoff_ms: None,
        });
        let (retryable, retry_after_ms, timed_out) = match outcome {
            DataActionOutcome::Success { outputs } => {
                for (field, variable) in &action.outputs {
                    if let Some(value) = outputs.get(field) {
                        self.data.insert(variable.clone(), value.clone());
                    }
                }
                self.goto(action.on_success);
                return true;
            }
            DataActionOutcome::Failure { status, retry_after_ms } => (is_retryable(status), retry_after_ms, false),
            DataActionOutcome::Timeout => (true, None, true),
        };
        if retryable && attempt < action.retry.max_attempts {
            self.state = State::BackoffDue { next_attempt: attempt + 1, retry_after_ms };
        } else {
            self.goto(if timed_out { action.on_timeout } else { action.on_error });
        }
        true
    }

    /// The driver could not place the call on the queue it named (unknown queue): the call takes the
    /// block's `on_failure` path, or disconnects. Returns false if the call was not transferring.
    pub fn reject_queue_transfer(&mut self, reason: &str) -> bool {
        if !matches!(self.state, State::Finished(Effect::TransferToQueue { .. })) {
            return false;
        }
        let on_failure = match self.flow.program.ops.get(self.block as usize) {
            Some(Op::TransferToQueue { on_failure, .. }) => *on_failure,
            _ => None,
        };
        self.path.terminal = None;
        match on_failure {
            Some(next) => self.goto(next),
            None => {
                self.finish(Effect::Disconnect { reason: Arc::from("transfer_failed") }, Some(reason.to_string()));
            }
        }
        true
    }

    pub(super) fn enter(&mut self, flow: FlowHandle) {
        if flow.stamps_flow_version && !self.data.contains_key(FLOW_VERSION_ATTRIBUTE) {
            self.data.insert(FLOW_VERSION_ATTRIBUTE.to_string(), flow.version.to_string());
        }
        self.apply_defaults(&flow);
        self.block = flow.program.start();
        self.flow = flow;
        self.state = State::Ready;
        // A transfer leaves the old flow's tasks, modules and loops behind.
        self.frames.clear();
        self.loops.clear();
    }

    /// Declared variables start with their initial value, unless the call already has one (data
    /// and variables share one map, so a value given by the caller or an earlier flow wins).
    pub(super) fn apply_defaults(&mut self, flow: &FlowHandle) {
        for (name, value) in &flow.program.defaults {
            if !self.data.contains_key(name) {
                self.data.insert(name.clone(), value.clone());
            }
        }
    }

    pub(super) fn goto(&mut self, block: BlockIndex) {
        self.block = block;
        self.state = State::Ready;
    }

    pub(super) fn block_name(&self) -> Arc<str> {
        self.flow.program.block_name(self.block).cloned().unwrap_or_else(|| Arc::from("?"))
    }

    fn visit(&mut self) {
        let block = self.block_name();
        self.path.visits.push(BlockVisit {
            flow_id: self.flow.id.clone(),
            flow_version: self.flow.version.clone(),
            block,
        });
    }

    fn current_data_action(&self) -> Option<&DataActionOp> {
        match self.flow.program.ops.get(self.block as usize) {
            Some(Op::DataAction(action)) => Some(action),
            _ => None,
        }
    }

    /// The request for `attempt`, or `None` when its inputs cannot be evaluated: then the attempt is
    /// recorded as failed without a response and the call has moved to `on_error` (not retried, since
    /// the same data would build the same broken request).
    pub(super) fn data_action_request(&mut self, attempt: u32, rng: &mut dyn RngCore) -> Option<Effect> {
        let Some(action) = self.current_data_action() else {
            return Some(self.fail("not at a data action block"));
        };
        let mut inputs = BTreeMap::new();
        for (name, expression) in &action.inputs {
            let mut random = || rng.next_u64();
            let mut context = EvalContext::at_epoch_ms(self.clock_ms(), &mut random);
            match expression.evaluate_with(&self.data, &mut context) {
                Ok(value) => {
                    inputs.insert(name.clone(), value.to_attribute_string());
                }
                Err(_) => {
                    let on_error = action.on_error;
                    self.path.data_actions.push(DataActionAttempt {
                        flow_id: self.flow.id.clone(),
                        block: self.block_name(),
                        integration: action.integration.clone(),
                        attempt,
                        outcome: AttemptOutcome::Failure { status: None },
                        latency_ms: 0,
                        started_at_ms: self.elapsed_ms,
                        backoff_ms: None,
                    });
                    self.goto(on_error);
                    return None;
                }
            }
        }
        Some(Effect::CallDataAction {
            integration: action.integration.clone(),
            inputs,
            attempt,
            timeout_ms: action.timeout_ms,
        })
    }

    pub(super) fn finish(&mut self, effect: Effect, detail: Option<String>) -> Effect {
        let outcome = match &effect {
            Effect::TransferToQueue { queue, priority } => {
                TerminalOutcome::Queue { queue: queue.clone(), priority: *priority }
            }
            Effect::Disconnect { reason } => TerminalOutcome::Disconnect { reason: reason.clone() },
            Effect::TransferToVoicemail { target } => TerminalOutcome::Voicemail { target: target.clone() },
            _ => TerminalOutcome::Disconnect { reason: Arc::from("error") },
        };
        self.path.terminal = Some(Terminal {
            flow_id: self.flow.id.clone(),
            flow_version: self.flow.version.clone(),
            block: self.block_name(),
            outcome,
            detail,
        });
        self.state = State::Finished(effect.clone());
        effect
    }

    /// A flow error with no error path: the call disconnects with reason `error`.
    pub(super) fn fail(&mut self, detail: &str) -> Effect {
        self.finish(Effect::Disconnect { reason: Arc::from("error") }, Some(detail.to_string()))
    }
}
