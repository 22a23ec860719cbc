//! A flow definition compiled for execution: blocks in a vector, successors as indices.
//!
//! Compiling once per flow version keeps string look-ups out of the per-call hot path and turns
//! a dangling successor name into a load-time error instead of a stuck call.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use switchboard_model::expr::{CompiledExpression, compile};
use switchboard_model::flow::{Backoff, Block, Expression, FlowDefinition};

/// Index of a block inside a [`FlowProgram`].
pub type BlockIndex = u32;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProgramError {
    #[error("flow '{flow}': start block '{start}' does not exist")]
    MissingStart { flow: String, start: String },
    #[error("flow '{flow}': block '{block}' goes to '{target}', which does not exist")]
    DanglingSuccessor { flow: String, block: String, target: String },
    #[error("flow '{flow}': block '{block}': {message}")]
    InvalidBlock { flow: String, block: String, message: String },
}

/// Retry settings with defaults applied; `max_attempts` is at least 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetrySettings {
    pub max_attempts: u32,
    pub backoff: Backoff,
    pub initial_delay_ms: u64,
    pub max_delay_ms: u64,
}

impl RetrySettings {
    pub const NONE: RetrySettings =
        RetrySettings { max_attempts: 1, backoff: Backoff::Fixed, initial_delay_ms: 0, max_delay_ms: 0 };
}

#[derive(Debug, Clone)]
pub(crate) struct DataActionOp {
    pub integration: Arc<str>,
    pub inputs: Vec<(String, CompiledExpression)>,
    pub outputs: Vec<(String, String)>,
    pub timeout_ms: u64,
    pub retry: RetrySettings,
    pub on_success: BlockIndex,
    pub on_error: BlockIndex,
    pub on_timeout: BlockIndex,
}

/// One executable block. Mirrors `flow::Block` with indices in place of names.
#[derive(Debug, Clone)]
pub(crate) enum Op {
    SetVariable {
        variable: String,
        value: CompiledExpression,
        next: BlockIndex,
    },
    Play {
        duration_ms: u64,
        next: BlockIndex,
    },
    DataAction(Box<DataActionOp>),
    Decision {
        condition: CompiledExpression,
        on_true: BlockIndex,
        on_false: BlockIndex,
    },
    Switch {
        cases: Vec<(CompiledExpression, BlockIndex)>,
        default: BlockIndex,
    },
    Randomize {
        branches: Vec<(f64, BlockIndex)>,
        default: BlockIndex,
    },
    DatatableLookup {
        datatable: String,
        key: CompiledExpression,
        outputs: Vec<(String, String)>,
        on_found: BlockIndex,
        on_not_found: BlockIndex,
        on_error: Option<BlockIndex>,
    },
    TransferToFlow {
        flow: CompiledExpression,
        on_failure: Option<BlockIndex>,
    },
    TransferToQueue {
        queue: CompiledExpression,
        priority: i32,
        on_failure: Option<BlockIndex>,
    },
    Wait {
        duration_ms: Option<u64>,
        duration_from: Option<String>,
        next: BlockIndex,
    },
    Disconnect {
        reason: Arc<str>,
    },
}

/// An executable flow version.
#[derive(Debug, Clone)]
pub struct FlowProgram {
    pub(crate) names: Vec<Arc<str>>,
    pub(crate) ops: Vec<Op>,
    pub(crate) start: BlockIndex,
}

impl FlowProgram {
    /// Compiles a definition, checking that every successor names an existing block.
    pub fn compile(definition: &FlowDefinition) -> Result<FlowProgram, ProgramError> {
        let flow = definition.name.clone();
        let names: Vec<Arc<str>> = definition.blocks.keys().map(|name| Arc::from(name.as_str())).collect();
        let index: HashMap<&str, BlockIndex> =
            definition.blocks.keys().enumerate().map(|(i, name)| (name.as_str(), i as BlockIndex)).collect();
        let start = *index
            .get(definition.start.as_str())
            .ok_or_else(|| ProgramError::MissingStart { flow: flow.clone(), start: definition.start.clone() })?;
        let mut ops = Vec::with_capacity(definition.blocks.len());
        for (name, block) in &definition.blocks {
            let resolve = |target: &str| {
                index.get(target).copied().ok_or_else(|| ProgramError::DanglingSuccessor {
                    flow: flow.clone(),
                    block: name.clone(),
                    target: target.to_string(),
                })
            };
            ops.push(compile_block(&flow, name, block, &resolve)?);
        }
        Ok(FlowProgram { names, ops, start })
    }

    /// The name of a block, for path records and messages.
    pub fn block_name(&self, block: BlockIndex) -> Option<&Arc<str>> {
        self.names.get(block as usize)
    }

    pub fn start(&self) -> BlockIndex {
        self.start
    }

    pub fn len(&self) -> usize {
        self.ops.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }
}

fn pairs(map: &BTreeMap<String, String>) -> Vec<(String, String)> {
    map.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

fn compile_block(
    flow: &str,
    name: &str,
    block: &Block,
    resolve: &dyn Fn(&str) -> Result<BlockIndex, ProgramError>,
) -> Result<Op, ProgramError> {
    let invalid = |message: &str| ProgramError::InvalidBlock {
        flow: flow.to_string(),
        block: name.to_string(),
        message: message.to_string(),
    };
    let optional = |target: &Option<String>| target.as_deref().map(resolve).transpose();
    let expression =
        |field: &str, source: &Expression| compile(source).map_err(|error| invalid(&format!("{field}: {error}")));
    Ok(match block {
        Block::SetVariable { variable, value, next } => {
            Op::SetVariable { variable: variable.clone(), value: expression("value", value)?, next: resolve(next)? }
        }
        Block::Play { duration_ms, next, .. } => Op::Play { duration_ms: *duration_ms, next: resolve(next)? },
        Block::DataAction(action) => {
            let retry = match &action.retry {
                None => RetrySettings::NONE,
                Some(policy) if policy.max_attempts == 0 => {
                    return Err(invalid("retry.max_attempts must be at least 1"));
                }
                Some(policy) => RetrySettings {
                    max_attempts: policy.max_attempts,
                    backoff: policy.backoff,
                    initial_delay_ms: policy.initial_delay_ms,
                    max_delay_ms: policy.max_delay_ms.max(policy.initial_delay_ms),
                },
            };
            let on_error = resolve(&action.on_error)?;
            Op::DataAction(Box::new(DataActionOp {
                integration: Arc::from(action.integration.as_str()),
                inputs: action
                    .inputs
                    .iter()
                    .map(|(input, source)| Ok((input.clone(), expression(input, source)?)))
                    .collect::<Result<_, ProgramError>>()?,
                outputs: pairs(&action.outputs),
                timeout_ms: action.timeout_ms,
                retry,
                on_success: resolve(&action.on_success)?,
                on_error,
                on_timeout: optional(&action.on_timeout)?.unwrap_or(on_error),
            }))
        }
        Block::Decision { condition, on_true, on_false } => Op::Decision {
            condition: expression("condition", condition)?,
            on_true: resolve(on_true)?,
            on_false: resolve(on_false)?,
        },
        Block::Switch { cases, default } => Op::Switch {
            cases: cases
                .iter()
                .map(|case| Ok((expression("condition", &case.condition)?, resolve(&case.next)?)))
                .collect::<Result<_, ProgramError>>()?,
            default: resolve(default)?,
        },
        Block::Randomize { branches, default } => {
            if branches.iter().any(|branch| !branch.weight.is_finite() || branch.weight < 0.0) {
                return Err(invalid("randomize weights must be finite and not negative"));
            }
            Op::Randomize {
                branches: branches.iter().map(|branch| Ok((branch.weight, resolve(&branch.next)?))).collect::<Result<
                    _,
                    ProgramError,
                >>(
                )?,
                default: resolve(default)?,
            }
        }
        Block::DatatableLookup { datatable, key, outputs, on_found, on_not_found, on_error } => Op::DatatableLookup {
            datatable: datatable.clone(),
            key: expression("key", key)?,
            outputs: pairs(outputs),
            on_found: resolve(on_found)?,
            on_not_found: resolve(on_not_found)?,
            on_error: optional(on_error)?,
        },
        Block::TransferToFlow { flow, on_failure } => {
            Op::TransferToFlow { flow: expression("flow", flow)?, on_failure: optional(on_failure)? }
        }
        Block::TransferToQueue { queue, priority, on_failure } => Op::TransferToQueue {
            queue: expression("queue", queue)?,
            priority: priority.unwrap_or(0),
            on_failure: optional(on_failure)?,
        },
        Block::Wait { duration_ms, duration_from, next } => {
            if duration_ms.is_none() && duration_from.is_none() {
                return Err(invalid("wait needs duration_ms or duration_from"));
            }
            Op::Wait { duration_ms: *duration_ms, duration_from: duration_from.clone(), next: resolve(next)? }
        }
        Block::Disconnect { reason } => {
            Op::Disconnect { reason: Arc::from(reason.as_deref().unwrap_or("flow_disconnect")) }
        }
        // The Architect blocks (menus, collect input, tasks, loops, ...) compile but do not run yet:
        // a call that reaches one ends with an outcome naming the block type, never silently.
        Block::Menu(_)
        | Block::CollectInput(_)
        | Block::UpdateData { .. }
        | Block::SetParticipantData { .. }
        | Block::GetParticipantData { .. }
        | Block::TransferToVoicemail { .. }
        | Block::FindQueue { .. }
        | Block::CallCommonModule(_)
        | Block::CallTask { .. }
        | Block::EndTask { .. }
        | Block::Loop(_)
        | Block::LoopNext { .. }
        | Block::LoopExit { .. }
        | Block::HoldMusic { .. }
        | Block::PlayEstimatedWaitTime { .. }
        | Block::EvaluateScheduleGroup(_) => Op::Disconnect {
            reason: Arc::from(format!("block type {} is not executable yet", block.type_name()).as_str()),
        },
    })
}
