//! The caller's side of menus and input prompts: a deterministic stand-in for a person pressing keys.
//!
//! In order of precedence: a DTMF script (keys the caller presses, in order — a live call's `dtmf`,
//! a scenario's `callers.dtmf`); per-menu choice weights and per-prompt digits from a scenario; else
//! a seeded random choice. The same script or seed gives the same path on both clocks.

use super::program::{CollectInputOp, MenuChoiceOp};
use rand::{Rng, RngCore};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

/// What callers do, as a scenario writes it under `callers:`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallerSpec {
    /// Keys every caller presses, in order: a menu takes one key, `collect_input` takes keys up to
    /// its terminator or `max_digits`. Once the script is used up the caller presses nothing more.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dtmf: Option<String>,
    /// Menu block name → choice → relative weight. A choice is a DTMF key or a speech term of the
    /// menu; `none` is no input (the menu's default, or a disconnect).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub menus: BTreeMap<String, BTreeMap<String, f64>>,
    /// `collect_input` block name → the digits callers enter there.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub inputs: BTreeMap<String, String>,
}

/// The weight key that means "the caller gives no input".
pub const NO_INPUT: &str = "none";

/// Where a caller's input came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InputSource {
    Script,
    Scenario,
    Random,
}

/// One caller's progress through its stand-in.
#[derive(Debug, Clone, Default)]
pub struct Caller {
    spec: Arc<CallerSpec>,
    script: Option<VecDeque<char>>,
}

impl Caller {
    /// A caller following `spec` (its DTMF script, if any, starts from the top).
    pub fn new(spec: Arc<CallerSpec>) -> Caller {
        let script = spec.dtmf.as_ref().map(|keys| keys.chars().filter(|key| !key.is_whitespace()).collect());
        Caller { spec, script }
    }

    /// A caller who presses exactly `keys`, in order, and nothing else.
    pub fn scripted(keys: &str) -> Caller {
        Caller::new(Arc::new(CallerSpec { dtmf: Some(keys.to_string()), ..CallerSpec::default() }))
    }

    /// The menu choice picked at `block` (an index into `choices`), or `None` for no input, with
    /// the key or term given (`None` when nothing was given).
    pub(super) fn pick_menu(
        &mut self,
        block: &str,
        choices: &[MenuChoiceOp],
        rng: &mut dyn RngCore,
    ) -> (Option<usize>, Option<String>, InputSource) {
        if let Some(script) = &mut self.script {
            // A key no choice has is a no-match: like Architect after its retries, the default path.
            let Some(key) = script.pop_front() else { return (None, None, InputSource::Script) };
            let key = key.to_string();
            let choice = choices.iter().position(|choice| choice.dtmf.as_deref() == Some(key.as_str()));
            return (choice, Some(key), InputSource::Script);
        }
        if let Some(weights) = self.spec.menus.get(block) {
            let total: f64 = weights.values().filter(|weight| weight.is_finite() && **weight > 0.0).sum();
            if total > 0.0 {
                let mut draw = rng.random::<f64>() * total;
                for (key, weight) in weights {
                    if !(weight.is_finite() && *weight > 0.0) {
                        continue;
                    }
                    if draw < *weight {
                        return (find_choice(choices, key), Some(key.clone()).filter(|key| key != NO_INPUT), InputSource::Scenario);
                    }
                    draw -= weight;
                }
            }
        }
        if choices.is_empty() {
            return (None, None, InputSource::Random);
        }
        let index = rng.random_range(0..choices.len());
        let given = choices.get(index).and_then(|choice| choice.dtmf.clone().or_else(|| choice.speech.first().cloned()));
        (Some(index), given, InputSource::Random)
    }

    /// The digits entered at `block` (terminator not included), or `None` when nothing was entered.
    pub(super) fn collect(&mut self, block: &str, op: &CollectInputOp, rng: &mut dyn RngCore) -> (Option<String>, InputSource) {
        if let Some(script) = &mut self.script {
            let mut digits = String::new();
            while (digits.len() as u32) < op.max_digits {
                let Some(key) = script.pop_front() else { break };
                if Some(key) == op.terminator {
                    break;
                }
                digits.push(key);
            }
            return (Some(digits).filter(|digits| !digits.is_empty()), InputSource::Script);
        }
        if let Some(digits) = self.spec.inputs.get(block) {
            return (Some(digits.clone()).filter(|digits| !digits.is_empty()), InputSource::Scenario);
        }
        let length = rng.random_range(op.min_digits.max(1)..=op.max_digits.max(1));
        let digits = (0..length).map(|_| char::from(b'0' + rng.random_range(0..10u8))).collect();
        (Some(digits), InputSource::Random)
    }
}

/// The choice a weight key names: its DTMF key, or one of its speech terms (any letter case).
fn find_choice(choices: &[MenuChoiceOp], key: &str) -> Option<usize> {
    if key == NO_INPUT {
        return None;
    }
    choices.iter().position(|choice| {
        choice.dtmf.as_deref() == Some(key) || choice.speech.iter().any(|term| term.eq_ignore_ascii_case(key))
    })
}

/// Whether `key` is a telephone keypad key: `0`–`9`, `*` or `#`.
pub fn is_dtmf_key(key: char) -> bool {
    key.is_ascii_digit() || key == '*' || key == '#'
}

/// Whether a menu has a choice a weight key names (for checking scenarios before they run).
pub fn menu_has_choice(menu: &switchboard_model::flow::MenuBlock, key: &str) -> bool {
    key == NO_INPUT
        || menu.choices.iter().any(|choice| {
            choice.dtmf.as_deref() == Some(key) || choice.speech.iter().any(|term| term.eq_ignore_ascii_case(key))
        })
}
