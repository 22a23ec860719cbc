//! Evaluation of expression trees over participant data, with the platform's string-typed coercions.

use super::parser::{Ast, BinaryOperator, Function};
use super::{EvalError, Variables};
use crate::flow::Value;
use std::cmp::Ordering;

/// A number after coercion; integers stay exact until mixed with decimals.
#[derive(Debug, Clone, Copy)]
enum Number {
    Integer(i64),
    Decimal(f64),
}

impl Number {
    fn as_f64(self) -> f64 {
        match self {
            Number::Integer(value) => value as f64,
            Number::Decimal(value) => value,
        }
    }

    fn into_value(self) -> Value {
        match self {
            Number::Integer(value) => Value::Integer(value),
            Number::Decimal(value) => Value::Decimal(value),
        }
    }
}

/// Numbers are numbers; strings that read as a finite number count as one, because participant
/// data arrives from the platform as strings ("3" must compare equal to 3).
fn as_number(value: &Value) -> Option<Number> {
    match value {
        Value::Integer(number) => Some(Number::Integer(*number)),
        Value::Decimal(number) => Some(Number::Decimal(*number)),
        Value::String(text) => {
            let text = text.trim();
            if let Ok(number) = text.parse::<i64>() {
                return Some(Number::Integer(number));
            }
            text.parse::<f64>().ok().filter(|number| number.is_finite()).map(Number::Decimal)
        }
        Value::Boolean(_) => None,
    }
}

fn as_boolean(value: &Value) -> Option<bool> {
    match value {
        Value::Boolean(flag) => Some(*flag),
        Value::String(text) if text.eq_ignore_ascii_case("true") => Some(true),
        Value::String(text) if text.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

fn is_number(value: &Value) -> bool {
    matches!(value, Value::Integer(_) | Value::Decimal(_))
}

fn type_error(message: String) -> EvalError {
    EvalError::Type { message }
}

pub(crate) fn evaluate(ast: &Ast, variables: &dyn Variables) -> Result<Value, EvalError> {
    match ast {
        Ast::Literal(value) => Ok(value.clone()),
        Ast::Variable(name) => {
            variables.get(name).ok_or_else(|| EvalError::UndefinedVariable { name: name.clone() })
        }
        Ast::Not(operand) => {
            let value = evaluate(operand, variables)?;
            as_boolean(&value)
                .map(|flag| Value::Boolean(!flag))
                .ok_or_else(|| type_error(format!("`!` needs a boolean, got {value:?}")))
        }
        Ast::Negate(operand) => match as_number(&evaluate(operand, variables)?) {
            Some(Number::Integer(value)) => value.checked_neg().map(Value::Integer).ok_or(EvalError::Overflow),
            Some(Number::Decimal(value)) => Ok(Value::Decimal(-value)),
            None => Err(type_error("unary `-` needs a number".to_string())),
        },
        Ast::Binary { operator: BinaryOperator::And, left, right } => {
            if !boolean_operand(left, variables, "&&")? {
                return Ok(Value::Boolean(false));
            }
            Ok(Value::Boolean(boolean_operand(right, variables, "&&")?))
        }
        Ast::Binary { operator: BinaryOperator::Or, left, right } => {
            if boolean_operand(left, variables, "||")? {
                return Ok(Value::Boolean(true));
            }
            Ok(Value::Boolean(boolean_operand(right, variables, "||")?))
        }
        Ast::Binary { operator, left, right } => {
            let left = evaluate(left, variables)?;
            let right = evaluate(right, variables)?;
            binary(*operator, &left, &right)
        }
        Ast::Call { function, arguments } => call(*function, arguments, variables),
    }
}

fn boolean_operand(ast: &Ast, variables: &dyn Variables, operator: &str) -> Result<bool, EvalError> {
    let value = evaluate(ast, variables)?;
    as_boolean(&value).ok_or_else(|| type_error(format!("`{operator}` needs booleans, got {value:?}")))
}

fn binary(operator: BinaryOperator, left: &Value, right: &Value) -> Result<Value, EvalError> {
    use BinaryOperator::*;
    match operator {
        Equal => Ok(Value::Boolean(equal(left, right))),
        NotEqual => Ok(Value::Boolean(!equal(left, right))),
        Less => Ok(Value::Boolean(order(left, right)? == Ordering::Less)),
        LessEqual => Ok(Value::Boolean(order(left, right)? != Ordering::Greater)),
        Greater => Ok(Value::Boolean(order(left, right)? == Ordering::Greater)),
        GreaterEqual => Ok(Value::Boolean(order(left, right)? != Ordering::Less)),
        Add if !is_number(left) && !is_number(right) => {
            if let (Value::String(a), Value::String(b)) = (left, right) {
                return Ok(Value::String(format!("{a}{b}")));
            }
            arithmetic(operator, left, right)
        }
        Add | Subtract | Multiply | Divide => arithmetic(operator, left, right),
        And | Or => Err(type_error("logical operator evaluated eagerly".to_string())),
    }
}

/// Equality never fails: values of unrelated types are simply unequal.
fn equal(left: &Value, right: &Value) -> bool {
    match (left, right) {
        (Value::String(a), Value::String(b)) => a == b,
        (Value::Boolean(a), other) | (other, Value::Boolean(a)) => as_boolean(other) == Some(*a),
        _ => match (as_number(left), as_number(right)) {
            (Some(Number::Integer(a)), Some(Number::Integer(b))) => a == b,
            (Some(a), Some(b)) => a.as_f64() == b.as_f64(),
            _ => false,
        },
    }
}

/// Numeric when both sides read as numbers (so "10" > "9"), else text order for two strings.
fn order(left: &Value, right: &Value) -> Result<Ordering, EvalError> {
    match (as_number(left), as_number(right)) {
        (Some(Number::Integer(a)), Some(Number::Integer(b))) => Ok(a.cmp(&b)),
        (Some(a), Some(b)) => a
            .as_f64()
            .partial_cmp(&b.as_f64())
            .ok_or_else(|| type_error("cannot order NaN".to_string())),
        _ => match (left, right) {
            (Value::String(a), Value::String(b)) => Ok(a.cmp(b)),
            _ => Err(type_error(format!("cannot order {left:?} and {right:?}"))),
        },
    }
}

fn arithmetic(operator: BinaryOperator, left: &Value, right: &Value) -> Result<Value, EvalError> {
    let (Some(a), Some(b)) = (as_number(left), as_number(right)) else {
        return Err(type_error(format!("arithmetic needs numbers, got {left:?} and {right:?}")));
    };
    let result = match (operator, a, b) {
        (BinaryOperator::Divide, _, b) if b.as_f64() == 0.0 => return Err(EvalError::DivisionByZero),
        (BinaryOperator::Divide, Number::Integer(a), Number::Integer(b)) if a % b == 0 => {
            Number::Integer(a.checked_div(b).ok_or(EvalError::Overflow)?)
        }
        (BinaryOperator::Divide, a, b) => Number::Decimal(a.as_f64() / b.as_f64()),
        (operator, Number::Integer(a), Number::Integer(b)) => {
            let exact = match operator {
                BinaryOperator::Add => a.checked_add(b),
                BinaryOperator::Subtract => a.checked_sub(b),
                _ => a.checked_mul(b),
            };
            Number::Integer(exact.ok_or(EvalError::Overflow)?)
        }
        (operator, a, b) => Number::Decimal(match operator {
            BinaryOperator::Add => a.as_f64() + b.as_f64(),
            BinaryOperator::Subtract => a.as_f64() - b.as_f64(),
            _ => a.as_f64() * b.as_f64(),
        }),
    };
    Ok(result.into_value())
}

fn call(function: Function, arguments: &[Ast], variables: &dyn Variables) -> Result<Value, EvalError> {
    // Arity is checked by the parser; an Ast built by hand with too few arguments is a type error.
    let argument = |index: usize| {
        arguments
            .get(index)
            .ok_or_else(|| type_error(format!("{function:?} is missing argument {}", index + 1)))
    };
    match function {
        Function::Coalesce => match evaluate(argument(0)?, variables) {
            Ok(Value::String(text)) if text.is_empty() => evaluate(argument(1)?, variables),
            Ok(value) => Ok(value),
            // The point of coalesce is a default for data that may be absent.
            Err(EvalError::UndefinedVariable { .. }) => evaluate(argument(1)?, variables),
            Err(other) => Err(other),
        },
        Function::Len => {
            let text = evaluate(argument(0)?, variables)?.to_attribute_string();
            Ok(Value::Integer(text.chars().count() as i64))
        }
        Function::Lower => Ok(Value::String(evaluate(argument(0)?, variables)?.to_attribute_string().to_lowercase())),
        Function::Upper => Ok(Value::String(evaluate(argument(0)?, variables)?.to_attribute_string().to_uppercase())),
        Function::Contains => {
            let haystack = evaluate(argument(0)?, variables)?.to_attribute_string();
            let needle = evaluate(argument(1)?, variables)?.to_attribute_string();
            Ok(Value::Boolean(haystack.contains(&needle)))
        }
    }
}
