//! `update_data`: typed assignments, coerced the way Architect types them and stored as text.

use super::call::CallExecution;
use super::program::{AssignmentType, BlockIndex};
use super::Effect;
use switchboard_model::expr::CompiledExpression;
use switchboard_model::flow::Value;

/// The value in the statement's type, as participant-data text; an error names the mismatch.
fn coerce(value: Value, value_type: AssignmentType) -> Result<String, String> {
    match (value_type, value) {
        (AssignmentType::Integer, Value::Integer(number)) => Ok(number.to_string()),
        (AssignmentType::Integer, Value::Decimal(number)) if number.fract() == 0.0 && number.is_finite() => {
            Ok((number as i64).to_string())
        }
        (AssignmentType::Integer, Value::String(text)) => {
            text.trim().parse::<i64>().map(|number| number.to_string()).map_err(|_| format!("'{text}' is not an integer"))
        }
        (AssignmentType::Decimal, Value::Integer(number)) => Ok(number.to_string()),
        (AssignmentType::Decimal, Value::Decimal(number)) => Ok(number.to_string()),
        (AssignmentType::Decimal, Value::String(text)) => {
            text.trim().parse::<f64>().map(|number| number.to_string()).map_err(|_| format!("'{text}' is not a decimal"))
        }
        (AssignmentType::Boolean, Value::Boolean(flag)) => Ok(flag.to_string()),
        (AssignmentType::Boolean, Value::String(text)) if text.eq_ignore_ascii_case("true") => Ok("true".into()),
        (AssignmentType::Boolean, Value::String(text)) if text.eq_ignore_ascii_case("false") => Ok("false".into()),
        (AssignmentType::String | AssignmentType::Other, value) => Ok(value.to_attribute_string()),
        (expected, value) => Err(format!("{value:?} is not of type {expected:?}")),
    }
}

impl CallExecution {
    /// Runs the statements in order (a later one sees an earlier one's result), then `next`.
    pub(super) fn run_update_data(
        &mut self,
        statements: &[(String, AssignmentType, CompiledExpression)],
        next: BlockIndex,
        rng: &mut dyn rand::RngCore,
    ) -> Option<Effect> {
        for (variable, value_type, expression) in statements {
            let value = match self.evaluate(expression, rng) {
                Ok(value) => value,
                Err(error) => return Some(self.fail(&format!("update_data '{variable}': {error}"))),
            };
            match coerce(value, *value_type) {
                Ok(text) => {
                    self.data.insert(variable.clone(), text);
                }
                Err(error) => return Some(self.fail(&format!("update_data '{variable}': {error}"))),
            }
        }
        self.goto(next);
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_coerced_to_the_statement_type() {
        assert_eq!(coerce(Value::String(" 42 ".into()), AssignmentType::Integer), Ok("42".into()));
        assert_eq!(coerce(Value::Decimal(3.0), AssignmentType::Integer), Ok("3".into()));
        assert!(coerce(Value::Decimal(3.5), AssignmentType::Integer).is_err());
        assert_eq!(coerce(Value::String("TRUE".into()), AssignmentType::Boolean), Ok("true".into()));
        assert!(coerce(Value::Integer(1), AssignmentType::Boolean).is_err());
        assert_eq!(coerce(Value::Integer(7), AssignmentType::String), Ok("7".into()));
        assert_eq!(coerce(Value::String("2.5".into()), AssignmentType::Decimal), Ok("2.5".into()));
    }
}
