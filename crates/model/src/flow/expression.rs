//! Expressions in flow blocks: Architect's expression language over participant-data variables.
//!
//! A string that starts with `=` is an expression (`"=Call.Attempts >= 3 && Region == 'eu'"`);
//! anything else (`"Main_IVR_Blue"`, `42`, `true`) is a literal that evaluates to itself. Stored as
//! written so a flow round-trips unchanged; parsed and evaluated by `crate::expr`.

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

    /// An expression (as opposed to a literal) by the `=` rule.
    pub fn formula(text: &str) -> Expression {
        Expression(Value::String(format!("={text}")))
    }

    /// True when the field holds a string starting with `=`.
    pub fn is_expression(&self) -> bool {
        self.expression_text().is_some()
    }

    /// The expression text after the leading `=`, or `None` for a literal.
    pub fn expression_text(&self) -> Option<&str> {
        match &self.0 {
            Value::String(text) => text.strip_prefix('='),
            _ => None,
        }
    }

    /// The literal value, or `None` when the field is an expression.
    pub fn literal_value(&self) -> Option<&Value> {
        if self.is_expression() { None } else { Some(&self.0) }
    }
}
