//! The control credential: what a caller of `/_emulator/*` must send in
//! `x-switchboard-control-token`. Per process and random unless the operator sets one, so code
//! that can only make the emulator send requests (a data action, a health check) cannot use
//! the control surface. Never printed by `Debug` and never logged.

use std::fmt;

#[derive(Clone)]
pub struct ControlToken(String);

impl ControlToken {
    /// A fresh random credential (two v4 UUIDs: 244 random bits from the OS). Unseeded on
    /// purpose: a credential a seed could reproduce would be no credential.
    pub fn random() -> ControlToken {
        ControlToken(format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple()))
    }

    /// The operator's credential; `None` when it is empty or has characters a header cannot carry.
    pub fn given(value: &str) -> Option<ControlToken> {
        let value = value.trim();
        (!value.is_empty() && value.bytes().all(|byte| byte.is_ascii_graphic())).then(|| ControlToken(value.to_string()))
    }

    /// The raw value, for the one place that hands it to a caller (`RunningEmulator`).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Compares in time that depends only on the lengths, so the answer's timing does not tell
    /// a guesser how many leading characters were right.
    pub fn matches(&self, presented: &[u8]) -> bool {
        let expected = self.0.as_bytes();
        let differing = expected.iter().zip(presented).fold(0u8, |acc, (left, right)| acc | (left ^ right));
        differing == 0 && expected.len() == presented.len()
    }
}

impl Default for ControlToken {
    fn default() -> Self {
        ControlToken::random()
    }
}

impl fmt::Debug for ControlToken {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("ControlToken(***)")
    }
}
