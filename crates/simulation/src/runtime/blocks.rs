//! What each block does when a call runs it: the instantaneous blocks move the call on, the others
//! return the effect a driver must carry out.

use super::call::{CallExecution, State};
use super::program::Op;
use super::{Effect, FlowWorld};
use rand::{Rng, RngCore};
use std::sync::Arc;
use switchboard_model::expr::{CompiledExpression, EvalContext};
use switchboard_model::flow::{SCHEDULE_STATE_VARIABLE, Value};

impl CallExecution {
    /// Evaluates at the call's clock (origin plus flow time so far) with the driver's seeded generator,
    /// so `GetCurrentDateTimeUtc()` and `Random` are reproducible.
    pub(super) fn evaluate(&self, expression: &CompiledExpression, rng: &mut dyn RngCore) -> Result<Value, String> {
        let mut random = || rng.next_u64();
        let mut context = EvalContext::at_epoch_ms(self.clock_ms(), &mut random);
        expression.evaluate_with(&self.data, &mut context).map_err(|error| error.to_string())
    }

    pub(super) fn evaluate_text(&self, expression: &CompiledExpression, rng: &mut dyn RngCore) -> Result<String, String> {
        self.evaluate(expression, rng).map(|value| value.to_attribute_string())
    }

    fn evaluate_bool(&self, expression: &CompiledExpression, rng: &mut dyn RngCore) -> Result<bool, String> {
        match self.evaluate(expression, rng)? {
            Value::Boolean(flag) => Ok(flag),
            Value::String(text) if text.eq_ignore_ascii_case("true") => Ok(true),
            Value::String(text) if text.eq_ignore_ascii_case("false") => Ok(false),
            other => Err(format!("condition is not a boolean: {other:?}")),
        }
    }

    /// Runs the current block. `None` means it was instantaneous and the call moved on.
    pub(super) fn run_block(&mut self, world: &dyn FlowWorld, rng: &mut dyn RngCore) -> Option<Effect> {
        let program = Arc::clone(&self.flow.program);
        let Some(op) = program.ops.get(self.block as usize) else {
            return Some(self.fail("block index out of range"));
        };
        match op {
            Op::SetVariable { variable, value, next } => match self.evaluate_text(value, rng) {
                Ok(text) => {
                    self.data.insert(variable.clone(), text);
                    self.goto(*next);
                }
                Err(error) => return Some(self.fail(&format!("set_variable '{variable}': {error}"))),
            },
            Op::Play { duration_ms, next } => {
                self.elapsed_ms += duration_ms;
                self.goto(*next);
                return Some(Effect::Play { ms: *duration_ms });
            }
            Op::Wait { duration_ms, duration_from, next } => {
                let ms = match (duration_ms, duration_from) {
                    (Some(ms), _) => *ms,
                    (None, Some(variable)) => match self.data.get(variable).map(|text| text.trim().parse::<u64>()) {
                        Some(Ok(ms)) => ms,
                        _ => return Some(self.fail(&format!("wait: '{variable}' is not a number of milliseconds"))),
                    },
                    (None, None) => 0,
                };
                self.elapsed_ms += ms;
                self.goto(*next);
                return Some(Effect::Wait { ms });
            }
            Op::DataAction(_) => {
                self.state = State::AwaitingDataAction { attempt: 1 };
                return self.data_action_request(1, rng);
            }
            Op::Decision { condition, on_true, on_false } => match self.evaluate_bool(condition, rng) {
                Ok(flag) => self.goto(if flag { *on_true } else { *on_false }),
                Err(error) => return Some(self.fail(&format!("decision: {error}"))),
            },
            Op::Switch { cases, default } => {
                let mut target = *default;
                for (condition, next) in cases {
                    match self.evaluate_bool(condition, rng) {
                        Ok(true) => {
                            target = *next;
                            break;
                        }
                        Ok(false) => {}
                        Err(error) => return Some(self.fail(&format!("switch: {error}"))),
                    }
                }
                self.goto(target);
            }
            Op::Randomize { branches, default } => {
                // Weights are percentages; whatever they leave of 100 goes to `default`.
                let draw = rng.random::<f64>() * 100.0;
                let mut cumulative = 0.0;
                let mut target = *default;
                for (weight, next) in branches {
                    cumulative += weight;
                    if draw < cumulative {
                        target = *next;
                        break;
                    }
                }
                self.goto(target);
            }
            Op::DatatableLookup { datatable, key, outputs, on_found, on_not_found, on_error } => {
                let key = match self.evaluate_text(key, rng) {
                    Ok(key) => key,
                    Err(error) => return Some(self.fail(&format!("datatable_lookup key: {error}"))),
                };
                match world.datatable_row(datatable, &key) {
                    Ok(Some(row)) => {
                        for (column, variable) in outputs {
                            if let Some(value) = row.get(column) {
                                self.data.insert(variable.clone(), value.clone());
                            }
                        }
                        self.goto(*on_found);
                    }
                    Ok(None) => self.goto(*on_not_found),
                    Err(error) => match on_error {
                        Some(next) => self.goto(*next),
                        None => return Some(self.fail(&format!("datatable '{datatable}': {error}"))),
                    },
                }
            }
            Op::TransferToFlow { flow, on_failure } => {
                let reference = match self.evaluate_text(flow, rng) {
                    Ok(reference) => reference,
                    Err(error) => return Some(self.fail(&format!("transfer_to_flow: {error}"))),
                };
                match (world.flow_by_ref(&reference), on_failure) {
                    (Some(handle), _) => self.enter(handle),
                    (None, Some(next)) => self.goto(*next),
                    (None, None) => {
                        let detail = format!("transfer_to_flow: no published flow '{reference}'");
                        return Some(
                            self.finish(Effect::Disconnect { reason: Arc::from("transfer_failed") }, Some(detail)),
                        );
                    }
                }
            }
            Op::TransferToQueue { queue, priority, .. } => match self.evaluate_text(queue, rng) {
                Ok(queue) => return Some(self.finish(Effect::TransferToQueue { queue, priority: *priority }, None)),
                Err(error) => return Some(self.fail(&format!("transfer_to_queue: {error}"))),
            },
            Op::Disconnect { reason } => {
                return Some(self.finish(Effect::Disconnect { reason: reason.clone() }, None));
            }
            Op::Menu { choices, default } => return self.run_menu(choices, *default, rng),
            Op::CollectInput(collect) => return Some(self.run_collect_input(collect, rng)),
            Op::UpdateData { statements, next } => return self.run_update_data(statements, *next, rng),
            Op::SetParticipantData { attributes, next } => {
                for (name, value) in attributes {
                    match self.evaluate_text(value, rng) {
                        Ok(text) => {
                            self.data.insert(name.clone(), text);
                        }
                        Err(error) => return Some(self.fail(&format!("set_participant_data '{name}': {error}"))),
                    }
                }
                self.goto(*next);
            }
            Op::GetParticipantData { attributes, next } => {
                for (name, variable) in attributes {
                    match self.data.get(name).cloned() {
                        Some(value) => self.data.insert(variable.clone(), value),
                        None => self.data.remove(variable),
                    };
                }
                self.goto(*next);
            }
            Op::TransferToVoicemail { target, on_failure } => {
                let target = self.evaluate_text(target, rng).ok().filter(|target| !target.trim().is_empty());
                match (target, on_failure) {
                    (Some(target), _) => return Some(self.finish(Effect::TransferToVoicemail { target }, None)),
                    (None, Some(next)) => self.goto(*next),
                    (None, None) => return Some(self.fail("transfer_to_voicemail: no voicemail target")),
                }
            }
            Op::FindQueue { queue_name, variable, on_found, on_not_found } => {
                let name = match self.evaluate_text(queue_name, rng) {
                    Ok(name) => name,
                    Err(error) => return Some(self.fail(&format!("find_queue: {error}"))),
                };
                match world.queue_by_ref(&name) {
                    Some(id) => {
                        // Architect's queue variable holds the queue: its name is what a transfer
                        // takes, and flows read its members `.id` and `.name`.
                        if let Some(variable) = variable {
                            self.data.insert(format!("{variable}.id"), id);
                            self.data.insert(format!("{variable}.name"), name.clone());
                            self.data.insert(variable.clone(), name);
                        }
                        self.goto(*on_found);
                    }
                    None => self.goto(*on_not_found),
                }
            }
            Op::CallCommonModule(call) => return self.call_module(call, world, rng),
            Op::CallTask { task, next } => self.call_task(*task, *next),
            Op::EndTask => return self.end_task(),
            Op::Loop { count, index_variable, body, next } => {
                return self.run_loop(count, index_variable.as_ref(), *body, *next, rng);
            }
            Op::LoopNext { loop_block } => self.goto(*loop_block),
            Op::LoopExit { loop_block, next } => self.exit_loop(*loop_block, *next),
            Op::EvaluateScheduleGroup { has_emergency_group, on_open, on_closed, on_holiday, on_emergency } => {
                let state = self.data.get(SCHEDULE_STATE_VARIABLE).map(|state| state.trim().to_ascii_lowercase());
                let target = match state.as_deref() {
                    Some("closed") => *on_closed,
                    Some("holiday") => *on_holiday,
                    // Emergency needs an emergency group to be declared, as on the platform.
                    Some("emergency") if *has_emergency_group => *on_emergency,
                    _ => *on_open,
                };
                self.goto(target);
            }
        }
        None
    }
}
