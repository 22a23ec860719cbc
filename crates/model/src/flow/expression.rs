//! Expressions in flow blocks: a small, total language over participant-data variables.
//!
//! Written as strings in YAML (`"Call.Attempts >= 3 && Region == 'eu'"`), stored as source text
//! so a flow round-trips byte-for-byte; parsed and evaluated by `switchboard-model::expr` (see
//! that module). A bare literal (`"Main_IVR_Blue"`, `42`) is an expression that evaluates to itself.

use super::Value;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Expression(pub Value);

impl From<Value> for Expression {
    fn from(value: Value) -> Self {
        Expression(value)
    }
}

impl Expression {
    /// The source text of the expression.
    pub fn source(&self) -> String {
        self.0.to_attribute_string()
    }
}
