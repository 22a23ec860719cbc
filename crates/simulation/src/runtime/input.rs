//! Menus and digit collection: the prompt plays, then the caller's stand-in answers.

use super::call::CallExecution;
use super::caller::InputSource;
use super::path::CallerInput;
use super::program::{BlockIndex, CollectInputOp, MenuChoiceOp, PROMPT_MS};
use super::Effect;
use rand::RngCore;
use std::sync::Arc;

impl CallExecution {
    fn record_input(&mut self, input: Option<String>, source: InputSource) {
        let block = self.block_name();
        self.path.inputs.push(CallerInput { flow_id: self.flow.id.clone(), block, input, source });
    }

    /// The menu's prompt plays while the choice is made; no input takes `default` or disconnects.
    pub(super) fn run_menu(
        &mut self,
        choices: &[MenuChoiceOp],
        default: Option<BlockIndex>,
        rng: &mut dyn RngCore,
    ) -> Option<Effect> {
        let block = self.block_name();
        let (choice, given, source) = self.caller.pick_menu(&block, choices, rng);
        self.record_input(given, source);
        self.elapsed_ms += PROMPT_MS;
        match choice.and_then(|index| choices.get(index)).map(|choice| choice.next).or(default) {
            Some(next) => {
                self.goto(next);
                Some(Effect::Play { ms: PROMPT_MS })
            }
            None => Some(self.finish(Effect::Disconnect { reason: Arc::from("menu_no_input") }, None)),
        }
    }

    /// The prompt plays while the digits are entered; too few digits (or none) take `on_failure`.
    pub(super) fn run_collect_input(&mut self, op: &CollectInputOp, rng: &mut dyn RngCore) -> Effect {
        let block = self.block_name();
        let (digits, source) = self.caller.collect(&block, op, rng);
        self.record_input(digits.clone(), source);
        let fits = |digits: &String| {
            let count = digits.chars().count() as u32;
            (op.min_digits..=op.max_digits).contains(&count) && digits.chars().all(|key| key.is_ascii_digit() || key == '*')
        };
        match digits.filter(fits) {
            Some(digits) => {
                self.data.insert(op.variable.clone(), digits);
                self.goto(op.on_success);
            }
            None => self.goto(op.on_failure),
        }
        self.elapsed_ms += PROMPT_MS;
        Effect::Play { ms: PROMPT_MS }
    }
}
