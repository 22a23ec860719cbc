//! The block types of the flow format. Successor fields name other blocks of the same flow.

use super::{Expression, Value};
use super::voice::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One node of the flow graph. Tagged by `type` so YAML reads `type: data_action`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Block {
    /// Assigns a participant-data variable from an expression, then goes to `next`.
    SetVariable {
        variable: String,
        value: Expression,
        next: String,
    },
    /// Plays a prompt (TTS text or a prompt name) for `duration_ms` of call time.
    Play {
        prompt: String,
        #[serde(default = "default_play_ms")]
        duration_ms: u64,
        next: String,
    },
    /// Calls an integration (data action) with timeout and retry; `on_error` after the last failure.
    DataAction(DataActionBlock),
    /// Evaluates a boolean expression.
    Decision {
        condition: Expression,
        on_true: String,
        on_false: String,
    },
    /// Picks the first case whose condition holds, else `default`.
    Switch {
        cases: Vec<SwitchCase>,
        default: String,
    },
    /// Picks a branch at random by weight; `default` takes what the weights leave of 100.
    Randomize {
        branches: Vec<WeightedBranch>,
        default: String,
    },
    /// Reads a row of a data table by key; outputs map column names to variables.
    DatatableLookup {
        datatable: String,
        key: Expression,
        #[serde(default)]
        outputs: BTreeMap<String, String>,
        on_found: String,
        on_not_found: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        on_error: Option<String>,
    },
    /// Hands the call to another flow (by name or by an expression giving a flow id),
    /// keeping participant data.
    TransferToFlow {
        flow: Expression,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        on_failure: Option<String>,
    },
    /// Hands the call to the ACD on a queue (by name or id). Terminal for the flow.
    TransferToQueue {
        queue: Expression,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        priority: Option<i32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        on_failure: Option<String>,
    },
    /// Waits a fixed time or a time taken from a variable.
    Wait {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        duration_ms: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        duration_from: Option<String>,
        next: String,
    },
    /// Ends the call.
    Disconnect {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// Architect's menu: plays a prompt, then follows the choice the caller picks by DTMF digit or
    /// speech term; `default` when no choice is made (the call disconnects when absent).
    Menu(MenuBlock),
    /// Collects DTMF digits into a variable; `on_failure` when none arrive or they do not fit.
    CollectInput(CollectInputBlock),
    /// Architect's Update Data: typed assignments run in order, then `next`.
    UpdateData {
        statements: Vec<Assignment>,
        next: String,
    },
    /// Writes participant-data attributes (name → expression), then `next`.
    SetParticipantData {
        attributes: Vec<AttributeWrite>,
        next: String,
    },
    /// Reads participant-data attributes into variables (an unset attribute leaves its variable unset).
    GetParticipantData {
        attributes: Vec<AttributeRead>,
        next: String,
    },
    /// Ends the call in a voicemail box (a user's or a queue's, by name or expression). Terminal on success.
    TransferToVoicemail {
        target: Expression,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        on_failure: Option<String>,
    },
    /// Looks a queue up by name; stores it in `variable` and goes `on_found`, else `on_not_found`.
    FindQueue {
        queue_name: Expression,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        variable: Option<String>,
        on_found: String,
        on_not_found: String,
    },
    /// Runs a common module (a published flow of type `common_module`) by name, then `next`.
    CallCommonModule(CallCommonModuleBlock),
    /// Runs the task starting at block `task` as a subroutine; its `end_task` returns to `next`.
    CallTask {
        task: String,
        next: String,
    },
    /// Ends the current task: back to the `call_task` that called it; with no caller, the flow ends as
    /// its type does (inbound: disconnect; in-queue: the start-up actions run again; common module:
    /// back to the calling flow). `implicit` marks the end Architect reaches by running off the end
    /// of a task's action list (it is not written as an `endTask` action).
    EndTask {
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        implicit: bool,
    },
    /// Runs `body` `count` times (0-based iteration number in `index_variable`), then `next`.
    /// The body's last block goes back to this block.
    Loop(LoopBlock),
    /// Starts the next iteration of the loop block `loop_block` (its only successor).
    LoopNext {
        loop_block: String,
    },
    /// Leaves the loop block `loop_block` early and goes to `next` (the loop's own `next`).
    LoopExit {
        loop_block: String,
        next: String,
    },
    /// Plays hold music (in-queue flows) for `duration_ms` of call time.
    HoldMusic {
        prompt: String,
        #[serde(default = "default_play_ms")]
        duration_ms: u64,
        next: String,
    },
    /// Announces the caller's estimated wait time; takes `duration_ms` of call time.
    PlayEstimatedWaitTime {
        #[serde(default = "default_play_ms")]
        duration_ms: u64,
        next: String,
    },
    /// Evaluates a schedule group (open / closed / holiday) and an optional emergency group.
    /// No schedules exist in a simulation: the documented stand-in is in `ScheduleGroupBlock`.
    EvaluateScheduleGroup(ScheduleGroupBlock),
}

pub(crate) fn default_play_ms() -> u64 {
    2_000
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataActionBlock {
    /// Integration name or id in the org.
    pub integration: String,
    /// Request inputs: input name → expression.
    #[serde(default)]
    pub inputs: BTreeMap<String, Expression>,
    /// Response fields → variables to set.
    #[serde(default)]
    pub outputs: BTreeMap<String, String>,
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry: Option<RetryPolicy>,
    pub on_success: String,
    pub on_error: String,
    /// Where a timed-out call goes; `on_error` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_timeout: Option<String>,
}

fn default_timeout_ms() -> u64 {
    5_000
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetryPolicy {
    /// Total attempts including the first; 1 means no retry.
    pub max_attempts: u32,
    #[serde(default)]
    pub backoff: Backoff,
    #[serde(default = "default_initial_delay_ms")]
    pub initial_delay_ms: u64,
    #[serde(default = "default_max_delay_ms")]
    pub max_delay_ms: u64,
}

fn default_initial_delay_ms() -> u64 {
    1_000
}

fn default_max_delay_ms() -> u64 {
    10_000
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Backoff {
    Fixed,
    #[default]
    Exponential,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SwitchCase {
    pub condition: Expression,
    pub next: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeightedBranch {
    /// Percentage 0–100. Weights may be template variables in source and are resolved before use;
    /// a resolved template is a string, so a numeric string (`"25"`) is accepted too.
    #[serde(deserialize_with = "number_or_numeric_string")]
    pub weight: f64,
    pub next: String,
}

/// Accepts `25`, `25.5` or `"25"`, so a weight that came from a template variable types cleanly.
fn number_or_numeric_string<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    struct NumberVisitor;
    impl serde::de::Visitor<'_> for NumberVisitor {
        type Value = f64;
        fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
            formatter.write_str("a number or a string holding a number")
        }
        fn visit_f64<E: serde::de::Error>(self, value: f64) -> Result<f64, E> {
            Ok(value)
        }
        fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<f64, E> {
            Ok(value as f64)
        }
        fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<f64, E> {
            Ok(value as f64)
        }
        fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<f64, E> {
            value.trim().parse::<f64>().map_err(|_| {
                E::custom(format!("expected a number, got `{value}` (an unresolved template variable?)"))
            })
        }
    }
    deserializer.deserialize_any(NumberVisitor)
}

impl Block {
    /// Every block name this block can go to, in declaration order.
    pub fn successors(&self) -> Vec<&str> {
        match self {
            Block::SetVariable { next, .. } | Block::Play { next, .. } | Block::Wait { next, .. } => {
                vec![next]
            }
            Block::DataAction(action) => {
                let mut out = vec![action.on_success.as_str(), action.on_error.as_str()];
                if let Some(timeout) = &action.on_timeout {
                    out.push(timeout);
                }
                out
            }
            Block::Decision { on_true, on_false, .. } => vec![on_true, on_false],
            Block::Switch { cases, default } => cases
                .iter()
                .map(|case| case.next.as_str())
                .chain(std::iter::once(default.as_str()))
                .collect(),
            Block::Randomize { branches, default } => branches
                .iter()
                .map(|branch| branch.next.as_str())
                .chain(std::iter::once(default.as_str()))
                .collect(),
            Block::DatatableLookup { on_found, on_not_found, on_error, .. } => {
                let mut out = vec![on_found.as_str(), on_not_found.as_str()];
                if let Some(error) = on_error {
                    out.push(error);
                }
                out
            }
            Block::TransferToFlow { on_failure, .. } | Block::TransferToQueue { on_failure, .. } => {
                on_failure.iter().map(String::as_str).collect()
            }
            Block::Disconnect { .. } | Block::EndTask { .. } => Vec::new(),
            Block::Menu(menu) => menu.successors(),
            Block::CollectInput(collect) => vec![&collect.on_success, &collect.on_failure],
            Block::UpdateData { next, .. }
            | Block::SetParticipantData { next, .. }
            | Block::GetParticipantData { next, .. }
            | Block::HoldMusic { next, .. }
            | Block::PlayEstimatedWaitTime { next, .. }
            | Block::CallCommonModule(CallCommonModuleBlock { next, .. }) => vec![next],
            Block::TransferToVoicemail { on_failure, .. } => on_failure.iter().map(String::as_str).collect(),
            Block::FindQueue { on_found, on_not_found, .. } => vec![on_found, on_not_found],
            Block::CallTask { task, next } => vec![task, next],
            Block::Loop(looping) => vec![&looping.body, &looping.next],
            Block::LoopNext { loop_block } => vec![loop_block],
            Block::LoopExit { next, .. } => vec![next],
            Block::EvaluateScheduleGroup(schedule) => schedule.successors(),
        }
    }

    /// Every successor field, mutable (for renaming blocks and resolving references), in the order
    /// of [`Block::successors`].
    pub fn successors_mut(&mut self) -> Vec<&mut String> {
        match self {
            Block::SetVariable { next, .. }
            | Block::Play { next, .. }
            | Block::Wait { next, .. }
            | Block::UpdateData { next, .. }
            | Block::SetParticipantData { next, .. }
            | Block::GetParticipantData { next, .. }
            | Block::HoldMusic { next, .. }
            | Block::PlayEstimatedWaitTime { next, .. }
            | Block::CallCommonModule(CallCommonModuleBlock { next, .. }) => vec![next],
            Block::DataAction(action) => {
                let mut out = vec![&mut action.on_success, &mut action.on_error];
                out.extend(action.on_timeout.as_mut());
                out
            }
            Block::Decision { on_true, on_false, .. } => vec![on_true, on_false],
            Block::Switch { cases, default } => {
                cases.iter_mut().map(|case| &mut case.next).chain(std::iter::once(default)).collect()
            }
            Block::Randomize { branches, default } => {
                branches.iter_mut().map(|branch| &mut branch.next).chain(std::iter::once(default)).collect()
            }
            Block::DatatableLookup { on_found, on_not_found, on_error, .. } => {
                let mut out = vec![on_found, on_not_found];
                out.extend(on_error.as_mut());
                out
            }
            Block::TransferToFlow { on_failure, .. }
            | Block::TransferToQueue { on_failure, .. }
            | Block::TransferToVoicemail { on_failure, .. } => on_failure.iter_mut().collect(),
            Block::Disconnect { .. } | Block::EndTask { .. } => Vec::new(),
            Block::Menu(menu) => {
                menu.choices.iter_mut().map(|choice| &mut choice.next).chain(menu.default.as_mut()).collect()
            }
            Block::CollectInput(collect) => vec![&mut collect.on_success, &mut collect.on_failure],
            Block::FindQueue { on_found, on_not_found, .. } => vec![on_found, on_not_found],
            Block::CallTask { task, next } => vec![task, next],
            Block::Loop(looping) => vec![&mut looping.body, &mut looping.next],
            Block::LoopNext { loop_block } => vec![loop_block],
            Block::LoopExit { loop_block, next } => vec![loop_block, next],
            Block::EvaluateScheduleGroup(schedule) => vec![
                &mut schedule.on_open,
                &mut schedule.on_closed,
                &mut schedule.on_holiday,
                &mut schedule.on_emergency,
            ],
        }
    }

    /// The snake_case type name, as written in the `type` field.
    pub fn type_name(&self) -> &'static str {
        match self {
            Block::SetVariable { .. } => "set_variable",
            Block::Play { .. } => "play",
            Block::DataAction(_) => "data_action",
            Block::Decision { .. } => "decision",
            Block::Switch { .. } => "switch",
            Block::Randomize { .. } => "randomize",
            Block::DatatableLookup { .. } => "datatable_lookup",
            Block::TransferToFlow { .. } => "transfer_to_flow",
            Block::TransferToQueue { .. } => "transfer_to_queue",
            Block::Wait { .. } => "wait",
            Block::Disconnect { .. } => "disconnect",
            Block::Menu(_) => "menu",
            Block::CollectInput(_) => "collect_input",
            Block::UpdateData { .. } => "update_data",
            Block::SetParticipantData { .. } => "set_participant_data",
            Block::GetParticipantData { .. } => "get_participant_data",
            Block::TransferToVoicemail { .. } => "transfer_to_voicemail",
            Block::FindQueue { .. } => "find_queue",
            Block::CallCommonModule(_) => "call_common_module",
            Block::CallTask { .. } => "call_task",
            Block::EndTask { .. } => "end_task",
            Block::Loop(_) => "loop",
            Block::LoopNext { .. } => "loop_next",
            Block::LoopExit { .. } => "loop_exit",
            Block::HoldMusic { .. } => "hold_music",
            Block::PlayEstimatedWaitTime { .. } => "play_estimated_wait_time",
            Block::EvaluateScheduleGroup(_) => "evaluate_schedule_group",
        }
    }
}

/// Convenience for literal values in block fields.
pub fn literal(value: impl Into<String>) -> Expression {
    Expression::from(Value::String(value.into()))
}
