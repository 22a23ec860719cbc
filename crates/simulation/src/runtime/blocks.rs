//! What each block does when a call runs it: the instantaneous blocks move the call on, the others
//! return the effect a driver must carry out.

use super::call::{CallExecution, State};
use super::program::Op;
use super::{Effect, FlowWorld};
use rand::{Rng, RngCore};
use std::sync::Arc;
use switchboard_model::expr::{CompiledExpression, EvalContext};
use switchboard_model::flow::Value;

impl CallExecution {
    /// Evaluates at the call's clock (origin plus flow time so far) with the driver's seeded generator,
    /// so `GetCurrentDateTimeUtc()` and `Random` are reproducible.
    fn evaluate(&self, expression: &CompiledExpression, rng: &mut dyn RngCore) -> Result<Value, String> {
        let mut random = || rng.next_u64();
        let mut context = EvalContext::at_epoch_ms(self.clock_ms(), &mut random);
        expression.evaluate_with(&self.data, &mut context).map_err(|error| error.to_string())
    }

    fn evaluate_text(&self, expression: &CompiledExpression, rng: &mut dyn RngCore) -> Result<String, String> {
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
        }
        None
    }
}
