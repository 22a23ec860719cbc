//! A flow definition compiled for execution: blocks in a vector, successors as indices.
//!
//! Compiling once per flow version keeps string look-ups out of the per-call hot path and turns
//! a dangling successor name into a load-time error instead of a stuck call.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use switchboard_model::expr::{CompiledExpression, compile};
use switchboard_model::flow::{Backoff, Block, Expression, FlowDefinition, FlowType};

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
    Menu {
        choices: Vec<MenuChoiceOp>,
        default: Option<BlockIndex>,
    },
    CollectInput(Box<CollectInputOp>),
    /// `update_data`: (variable, type as Architect names it, value).
    UpdateData {
        statements: Vec<(String, AssignmentType, CompiledExpression)>,
        next: BlockIndex,
    },
    SetParticipantData {
        attributes: Vec<(String, CompiledExpression)>,
        next: BlockIndex,
    },
    /// (attribute, variable) pairs.
    GetParticipantData {
        attributes: Vec<(String, String)>,
        next: BlockIndex,
    },
    TransferToVoicemail {
        target: CompiledExpression,
        on_failure: Option<BlockIndex>,
    },
    FindQueue {
        queue_name: CompiledExpression,
        variable: Option<String>,
        on_found: BlockIndex,
        on_not_found: BlockIndex,
    },
    CallCommonModule(Box<CallModuleOp>),
    CallTask {
        task: BlockIndex,
        next: BlockIndex,
    },
    EndTask,
    Loop {
        count: CompiledExpression,
        index_variable: Option<String>,
        body: BlockIndex,
        next: BlockIndex,
    },
    LoopNext {
        loop_block: BlockIndex,
    },
    LoopExit {
        loop_block: BlockIndex,
        next: BlockIndex,
    },
    EvaluateScheduleGroup {
        has_emergency_group: bool,
        on_open: BlockIndex,
        on_closed: BlockIndex,
        on_holiday: BlockIndex,
        on_emergency: BlockIndex,
    },
}

#[derive(Debug, Clone)]
pub(crate) struct MenuChoiceOp {
    pub dtmf: Option<String>,
    pub speech: Vec<String>,
    pub next: BlockIndex,
}

#[derive(Debug, Clone)]
pub(crate) struct CollectInputOp {
    pub variable: String,
    pub min_digits: u32,
    pub max_digits: u32,
    pub terminator: Option<char>,
    pub on_success: BlockIndex,
    pub on_failure: BlockIndex,
}

#[derive(Debug, Clone)]
pub(crate) struct CallModuleOp {
    pub module: Arc<str>,
    pub inputs: Vec<(String, CompiledExpression)>,
    pub outputs: Vec<(String, String)>,
    pub next: BlockIndex,
}

/// How an `update_data` statement types its value. Collections, queues, durations and the other
/// Architect types are stored as their text: participant data is text on the platform too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AssignmentType {
    String,
    Integer,
    Decimal,
    Boolean,
    Other,
}

impl AssignmentType {
    fn parse(name: &str) -> AssignmentType {
        match name.to_ascii_lowercase().as_str() {
            "string" => AssignmentType::String,
            "integer" => AssignmentType::Integer,
            "decimal" => AssignmentType::Decimal,
            "boolean" => AssignmentType::Boolean,
            _ => AssignmentType::Other,
        }
    }
}

/// How long a menu or input prompt plays before the caller answers (the model gives prompts no
/// length; this is `play`'s default).
pub const PROMPT_MS: u64 = 2_000;

/// An executable flow version.
#[derive(Debug, Clone)]
pub struct FlowProgram {
    pub(crate) names: Vec<Arc<str>>,
    pub(crate) ops: Vec<Op>,
    pub(crate) start: BlockIndex,
    pub(crate) flow_type: FlowType,
    /// Declared variables with an initial value, as participant-data text.
    pub(crate) defaults: Vec<(String, String)>,
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
        // `loop_next` / `loop_exit` must name a loop block, or the loop state they act on is missing.
        for (position, op) in ops.iter().enumerate() {
            let (Op::LoopNext { loop_block } | Op::LoopExit { loop_block, .. }) = op else { continue };
            if !matches!(ops.get(*loop_block as usize), Some(Op::Loop { .. })) {
                return Err(ProgramError::InvalidBlock {
                    flow: flow.clone(),
                    block: names.get(position).map(|name| name.to_string()).unwrap_or_default(),
                    message: format!("loop_block '{}' is not a loop block", names.get(*loop_block as usize).map(|name| &**name).unwrap_or("?")),
                });
            }
        }
        let defaults = definition
            .variables
            .iter()
            .filter_map(|(name, declaration)| Some((name.clone(), declaration.default.as_ref()?.to_attribute_string())))
            .collect();
        Ok(FlowProgram { names, ops, start, flow_type: definition.flow_type, defaults })
    }

    /// The name of a block, for path records and messages.
    pub fn block_name(&self, block: BlockIndex) -> Option<&Arc<str>> {
        self.names.get(block as usize)
    }

    pub fn start(&self) -> BlockIndex {
        self.start
    }

    /// The flow's type: it decides what an `end_task` with no caller does.
    pub fn flow_type(&self) -> FlowType {
        self.flow_type
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
        Block::Menu(menu) => Op::Menu {
            choices: menu
                .choices
                .iter()
                .map(|choice| {
                    Ok(MenuChoiceOp { dtmf: choice.dtmf.clone(), speech: choice.speech.clone(), next: resolve(&choice.next)? })
                })
                .collect::<Result<_, ProgramError>>()?,
            default: optional(&menu.default)?,
        },
        Block::CollectInput(collect) => {
            if collect.max_digits == 0 || collect.min_digits > collect.max_digits {
                return Err(invalid("collect_input needs 1 <= min_digits <= max_digits"));
            }
            let terminator = match collect.terminator.as_deref().map(|key| key.chars().collect::<Vec<_>>()) {
                None => None,
                Some(keys) if keys.len() == 1 => keys.first().copied(),
                Some(_) => return Err(invalid("collect_input terminator must be one key")),
            };
            Op::CollectInput(Box::new(CollectInputOp {
                variable: collect.variable.clone(),
                min_digits: collect.min_digits,
                max_digits: collect.max_digits,
                terminator,
                on_success: resolve(&collect.on_success)?,
                on_failure: resolve(&collect.on_failure)?,
            }))
        }
        Block::UpdateData { statements, next } => Op::UpdateData {
            statements: statements
                .iter()
                .map(|statement| {
                    let value = expression(&statement.variable, &statement.value)?;
                    Ok((statement.variable.clone(), AssignmentType::parse(&statement.value_type), value))
                })
                .collect::<Result<_, ProgramError>>()?,
            next: resolve(next)?,
        },
        Block::SetParticipantData { attributes, next } => Op::SetParticipantData {
            attributes: attributes
                .iter()
                .map(|write| Ok((write.name.clone(), expression(&write.name, &write.value)?)))
                .collect::<Result<_, ProgramError>>()?,
            next: resolve(next)?,
        },
        Block::GetParticipantData { attributes, next } => Op::GetParticipantData {
            attributes: attributes.iter().map(|read| (read.name.clone(), read.variable.clone())).collect(),
            next: resolve(next)?,
        },
        Block::TransferToVoicemail { target, on_failure } => {
            Op::TransferToVoicemail { target: expression("target", target)?, on_failure: optional(on_failure)? }
        }
        Block::FindQueue { queue_name, variable, on_found, on_not_found } => Op::FindQueue {
            queue_name: expression("queue_name", queue_name)?,
            variable: variable.clone(),
            on_found: resolve(on_found)?,
            on_not_found: resolve(on_not_found)?,
        },
        Block::CallCommonModule(call) => Op::CallCommonModule(Box::new(CallModuleOp {
            module: Arc::from(call.module.as_str()),
            inputs: call
                .inputs
                .iter()
                .map(|(input, source)| Ok((input.clone(), expression(input, source)?)))
                .collect::<Result<_, ProgramError>>()?,
            outputs: pairs(&call.outputs),
            next: resolve(&call.next)?,
        })),
        Block::CallTask { task, next } => Op::CallTask { task: resolve(task)?, next: resolve(next)? },
        Block::EndTask { .. } => Op::EndTask,
        Block::Loop(looping) => Op::Loop {
            count: expression("count", &looping.count)?,
            index_variable: looping.index_variable.clone(),
            body: resolve(&looping.body)?,
            next: resolve(&looping.next)?,
        },
        Block::LoopNext { loop_block } => Op::LoopNext { loop_block: resolve(loop_block)? },
        Block::LoopExit { loop_block, next } => {
            Op::LoopExit { loop_block: resolve(loop_block)?, next: resolve(next)? }
        }
        Block::HoldMusic { duration_ms, next, .. } | Block::PlayEstimatedWaitTime { duration_ms, next } => {
            Op::Play { duration_ms: *duration_ms, next: resolve(next)? }
        }
        Block::EvaluateScheduleGroup(schedule) => Op::EvaluateScheduleGroup {
            has_emergency_group: schedule.emergency_group.is_some(),
            on_open: resolve(&schedule.on_open)?,
            on_closed: resolve(&schedule.on_closed)?,
            on_holiday: resolve(&schedule.on_holiday)?,
            on_emergency: resolve(&schedule.on_emergency)?,
        },
    })
}
