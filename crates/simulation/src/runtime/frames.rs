//! The call stack of tasks and common modules, and the state of running loops.
//!
//! `call_task` and `call_common_module` push a frame; `end_task` pops it and returns. With no frame
//! left, `end_task` ends the flow as its type does. A transfer to another flow leaves both behind.

use super::call::CallExecution;
use super::program::{BlockIndex, CallModuleOp};
use super::{Effect, FlowHandle, FlowWorld};
use std::sync::Arc;
use switchboard_model::flow::FlowType;

#[derive(Debug, Clone)]
pub(super) enum Frame {
    /// A task called in the same flow: `end_task` goes back to `return_to`.
    Task { return_to: BlockIndex },
    /// A common module: `end_task` copies its outputs and goes back to `return_to` in `caller`.
    Module { caller: FlowHandle, return_to: BlockIndex, outputs: Vec<(String, String)> },
}

/// One running loop: which block, how many iterations are done and how many there are.
#[derive(Debug, Clone)]
pub(super) struct LoopState {
    pub flow_id: Arc<str>,
    pub block: BlockIndex,
    pub iteration: u64,
    pub count: u64,
}

impl CallExecution {
    pub(super) fn call_task(&mut self, task: BlockIndex, next: BlockIndex) {
        self.frames.push(Frame::Task { return_to: next });
        self.goto(task);
    }

    /// Enters the common module named by `op`; `None` when the call moved on.
    pub(super) fn call_module(&mut self, op: &CallModuleOp, world: &dyn FlowWorld, rng: &mut dyn rand::RngCore) -> Option<Effect> {
        let module = world.flow_by_ref(&op.module).filter(|handle| handle.program.flow_type() == FlowType::CommonModule);
        let Some(module) = module else {
            // The model gives the block no failure path, so a missing module ends the call, saying why.
            let detail = format!("call_common_module: no published common module '{}'", op.module);
            return Some(self.finish(Effect::Disconnect { reason: Arc::from("module_missing") }, Some(detail)));
        };
        let mut inputs = Vec::with_capacity(op.inputs.len());
        for (name, expression) in &op.inputs {
            match self.evaluate_text(expression, rng) {
                Ok(value) => inputs.push((name.clone(), value)),
                Err(error) => return Some(self.fail(&format!("call_common_module input '{name}': {error}"))),
            }
        }
        // Module variables live in the call's one data map; inputs are written under the module's
        // own names (`Common.x`), which Architect scopes apart from the caller's.
        self.data.extend(inputs);
        self.apply_defaults(&module);
        if !self.path.modules.contains(&module.id) {
            self.path.modules.push(module.id.clone());
        }
        self.frames.push(Frame::Module { caller: self.flow.clone(), return_to: op.next, outputs: op.outputs.clone() });
        self.block = module.program.start();
        self.flow = module;
        None
    }

    /// `end_task`: back to the caller, or the end of the flow as its type ends.
    pub(super) fn end_task(&mut self) -> Option<Effect> {
        match self.frames.pop() {
            Some(Frame::Task { return_to }) => self.goto(return_to),
            Some(Frame::Module { caller, return_to, outputs }) => {
                for (module_variable, variable) in outputs {
                    match self.data.get(&module_variable).cloned() {
                        Some(value) => self.data.insert(variable, value),
                        None => self.data.remove(&variable),
                    };
                }
                self.loops.retain(|state| state.flow_id != self.flow.id);
                self.flow = caller;
                self.goto(return_to);
            }
            None => match self.flow.program.flow_type() {
                // An in-queue flow's start-up actions run again until an agent answers.
                FlowType::InQueueCall => self.goto(self.flow.program.start()),
                _ => return Some(self.finish(Effect::Disconnect { reason: Arc::from("end_of_flow") }, None)),
            },
        }
        None
    }

    fn loop_position(&self, block: BlockIndex) -> Option<usize> {
        self.loops.iter().position(|state| state.block == block && state.flow_id == self.flow.id)
    }

    /// The loop block: starts the loop, or (coming back from the body) the next iteration.
    pub(super) fn run_loop(
        &mut self,
        count: &switchboard_model::expr::CompiledExpression,
        index_variable: Option<&String>,
        body: BlockIndex,
        next: BlockIndex,
        rng: &mut dyn rand::RngCore,
    ) -> Option<Effect> {
        let block = self.block;
        let iteration = match self.loop_position(block) {
            Some(position) => {
                let state = &mut self.loops[position];
                state.iteration += 1;
                if state.iteration >= state.count {
                    self.loops.remove(position);
                    self.goto(next);
                    return None;
                }
                state.iteration
            }
            None => {
                let count = match self.evaluate(count, rng).map(|value| value.to_attribute_string()) {
                    Ok(text) => match text.trim().parse::<f64>() {
                        Ok(number) if number.is_finite() && number.fract() == 0.0 => number.max(0.0) as u64,
                        _ => return Some(self.fail(&format!("loop count '{text}' is not a whole number"))),
                    },
                    Err(error) => return Some(self.fail(&format!("loop count: {error}"))),
                };
                if count == 0 {
                    self.goto(next);
                    return None;
                }
                self.loops.push(LoopState { flow_id: self.flow.id.clone(), block, iteration: 0, count });
                0
            }
        };
        if let Some(variable) = index_variable {
            self.data.insert(variable.clone(), iteration.to_string());
        }
        self.goto(body);
        None
    }

    /// `loop_exit`: forgets the loop's state so a later entry starts afresh.
    pub(super) fn exit_loop(&mut self, loop_block: BlockIndex, next: BlockIndex) {
        if let Some(position) = self.loop_position(loop_block) {
            self.loops.remove(position);
        }
        self.goto(next);
    }
}
