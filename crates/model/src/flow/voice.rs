//! The parts of the voice blocks that Architect flows bring: menus, digit collection, typed
//! assignments, participant data, common modules, loops and schedule groups.

use super::Expression;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A menu: `prompt` is played, then the caller's choice picks the branch. How a simulated caller
/// chooses (which digit or term it gives) is the runtime's documented stand-in; the flow only says
/// which inputs lead where.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MenuBlock {
    /// TTS text or a prompt name, as in `play`.
    pub prompt: String,
    pub choices: Vec<MenuChoice>,
    /// Where the call goes when no choice is made; the call disconnects when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
}

impl MenuBlock {
    pub(crate) fn successors(&self) -> Vec<&str> {
        self.choices.iter().map(|choice| choice.next.as_str()).chain(self.default.as_deref()).collect()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MenuChoice {
    /// The DTMF key of the choice: `0`–`9`, `*` or `#`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dtmf: Option<String>,
    /// Spoken terms that select the choice.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub speech: Vec<String>,
    pub next: String,
}

/// Collects between `min_digits` and `max_digits` DTMF digits into `variable`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CollectInputBlock {
    pub prompt: String,
    pub variable: String,
    pub min_digits: u32,
    pub max_digits: u32,
    /// A key that ends the input early (`#`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminator: Option<String>,
    pub on_success: String,
    pub on_failure: String,
}

/// One statement of `update_data`: `variable = value`, typed as Architect types it
/// (`string`, `integer`, `boolean`, `decimal`, `duration`, `queue`, `stringCollection`, ...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    pub variable: String,
    #[serde(rename = "type")]
    pub value_type: String,
    pub value: Expression,
}

/// `set_participant_data`: attribute `name` gets `value`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttributeWrite {
    pub name: String,
    pub value: Expression,
}

/// `get_participant_data`: attribute `name` is read into `variable`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttributeRead {
    pub name: String,
    pub variable: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallCommonModuleBlock {
    /// The common module's flow name.
    pub module: String,
    /// The module's input variables (`Common.x`) → expressions in this flow.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub inputs: BTreeMap<String, Expression>,
    /// The module's output variables (`Common.y`) → variables of this flow.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub outputs: BTreeMap<String, String>,
    pub next: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoopBlock {
    /// How many times the body runs (an integer literal or expression, evaluated on entry).
    pub count: Expression,
    /// Receives the 0-based iteration number before each run of the body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index_variable: Option<String>,
    /// The first block of the body.
    pub body: String,
    /// Where the call goes after the last iteration (or a `loop_exit`).
    pub next: String,
}

/// Architect's Evaluate Schedule Group. Simulations have no org schedules, so the stand-in is
/// deterministic: the group is **open**, unless participant data `Switchboard.ScheduleState` holds
/// `closed`, `holiday` or `emergency` (a scenario or the caller sets it to exercise those paths).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleGroupBlock {
    pub schedule_group: Expression,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emergency_group: Option<Expression>,
    pub on_open: String,
    pub on_closed: String,
    pub on_holiday: String,
    pub on_emergency: String,
}

/// The participant-data attribute the schedule stand-in reads.
pub const SCHEDULE_STATE_VARIABLE: &str = "Switchboard.ScheduleState";

impl ScheduleGroupBlock {
    pub(crate) fn successors(&self) -> Vec<&str> {
        vec![&self.on_open, &self.on_closed, &self.on_holiday, &self.on_emergency]
    }
}
