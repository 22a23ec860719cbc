//! Evaluation of expression trees: variables, member access, indexing and operators. Functions are
//! in `builtins.rs`, coercions in `coerce.rs`.

use super::coerce::{self, Number, as_boolean, as_date_time, as_duration, as_list, as_number, describe, require_set, type_error};
use super::context::EvalContext;
use super::parser::{Ast, BinaryOperator};
use super::value::ExprValue;
use super::{EvalError, Variables, builtins};
use std::cmp::Ordering;

pub(crate) struct Evaluator<'a, 'b> {
    pub variables: &'a dyn Variables,
    pub context: &'a mut EvalContext<'b>,
}

impl Evaluator<'_, '_> {
    pub fn evaluate(&mut self, ast: &Ast) -> Result<ExprValue, EvalError> {
        match ast {
            Ast::Literal(value) => Ok(ExprValue::from(value.clone())),
            Ast::NotSet => Ok(ExprValue::not_set()),
            Ast::Variable(name) => self.variable(name),
            Ast::Not(operand) => {
                let value = self.evaluate(operand)?;
                Ok(ExprValue::Boolean(!coerce::boolean(value, "`not`")?))
            }
            Ast::Negate(operand) => match require_set(self.evaluate(operand)?)? {
                ExprValue::Duration(ms) => ms.checked_neg().map(ExprValue::Duration).ok_or(EvalError::Overflow),
                value => match coerce::number(value, "unary `-`")? {
                    Number::Integer(number) => number.checked_neg().map(ExprValue::Integer).ok_or(EvalError::Overflow),
                    Number::Decimal(number) => Ok(ExprValue::Decimal(-number)),
                },
            },
            Ast::Binary { operator: BinaryOperator::And, left, right } => {
                // Short-circuit: the right side is not evaluated (nor its variables read) when false.
                if !self.boolean_operand(left, "`and`")? {
                    return Ok(ExprValue::Boolean(false));
                }
                Ok(ExprValue::Boolean(self.boolean_operand(right, "`and`")?))
            }
            Ast::Binary { operator: BinaryOperator::Or, left, right } => {
                if self.boolean_operand(left, "`or`")? {
                    return Ok(ExprValue::Boolean(true));
                }
                Ok(ExprValue::Boolean(self.boolean_operand(right, "`or`")?))
            }
            Ast::Binary { operator, left, right } => {
                let left = self.evaluate(left)?;
                let right = self.evaluate(right)?;
                binary(*operator, left, right)
            }
            Ast::Call { function, arguments } => builtins::call(self, *function, arguments),
            Ast::Member { target, name } => {
                let value = self.evaluate(target)?;
                member(value, name, None)
            }
            Ast::Index { target, index } => {
                let target = self.evaluate(target)?;
                let index = self.evaluate(index)?;
                if !target.is_set() {
                    return Ok(target);
                }
                let position = coerce::integer(index, "an index")?;
                item_at(&target, position)
            }
        }
    }

    fn boolean_operand(&mut self, ast: &Ast, operator: &str) -> Result<bool, EvalError> {
        let value = self.evaluate(ast)?;
        coerce::boolean(value, operator)
    }

    /// A dotted name: the whole name if set, else the longest set prefix with the rest read as members
    /// (`Task.Result.Field` from a JSON attribute `Task.Result`), else NOT_SET naming the variable.
    fn variable(&self, name: &str) -> Result<ExprValue, EvalError> {
        if let Some(value) = self.lookup(name) {
            return Ok(value);
        }
        let parts: Vec<&str> = name.split('.').collect();
        for keep in (1..parts.len()).rev() {
            let prefix = parts[..keep].join(".");
            if let Some(mut value) = self.lookup(&prefix) {
                for part in &parts[keep..] {
                    value = member(value, part, Some(name))?;
                }
                return Ok(value);
            }
        }
        Ok(ExprValue::NotSet { variable: Some(name.to_string()) })
    }

    /// Exact name first; Architect's names are case-insensitive, so then any letter case.
    fn lookup(&self, name: &str) -> Option<ExprValue> {
        self.variables.get(name).or_else(|| self.variables.get_ignore_case(name)).map(ExprValue::from)
    }
}

/// `value.name`. NOT_SET stays NOT_SET; a missing JSON property is NOT_SET naming the path.
fn member(value: ExprValue, name: &str, path: Option<&str>) -> Result<ExprValue, EvalError> {
    let unset = || ExprValue::NotSet { variable: Some(path.unwrap_or(name).to_string()) };
    let lower = name.to_ascii_lowercase();
    match &value {
        ExprValue::NotSet { .. } => return Ok(value),
        ExprValue::PhoneNumber(number) => {
            return number.field(name).ok_or_else(|| type_error(format!("a phone number has no field `{name}`")));
        }
        ExprValue::Entity { key_field, key, .. } => {
            use super::value::KeyField;
            return Ok(match (lower.as_str(), key_field) {
                ("id", KeyField::Id) | ("name", KeyField::Name) => ExprValue::String(key.clone()),
                _ => unset(),
            });
        }
        _ => {}
    }
    if let Some(object) = coerce::as_json_object(&value) {
        let found = object.get(name).or_else(|| object.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, v)| v));
        return Ok(found.map_or_else(unset, ExprValue::from_json));
    }
    if let Some(items) = as_list(&value)
        && (lower == "count" || lower == "length")
    {
        return Ok(ExprValue::Integer(items.len() as i64));
    }
    match (&value, lower.as_str()) {
        // A queue, user or flow held as a plain string (its name or id) stands in for the entity.
        (ExprValue::String(_), "id" | "name") => Ok(value),
        (ExprValue::String(text), "length") => Ok(ExprValue::Integer(text.chars().count() as i64)),
        _ => Err(type_error(format!("{} has no member `{name}`", describe(&value)))),
    }
}

/// `list[position]`, zero-based; out of range is an error as on the platform.
pub(crate) fn item_at(target: &ExprValue, position: i64) -> Result<ExprValue, EvalError> {
    let items = as_list(target).ok_or_else(|| type_error(format!("cannot index {}", describe(target))))?;
    usize::try_from(position)
        .ok()
        .and_then(|index| items.get(index).cloned())
        .ok_or_else(|| type_error(format!("index {position} is out of range for a list of {}", items.len())))
}

fn binary(operator: BinaryOperator, left: ExprValue, right: ExprValue) -> Result<ExprValue, EvalError> {
    use BinaryOperator::*;
    match operator {
        Equal => equality(left, right).map(ExprValue::Boolean),
        NotEqual => equality(left, right).map(|equal| ExprValue::Boolean(!equal)),
        Less | LessEqual | Greater | GreaterEqual => {
            let ordering = order(&require_set(left)?, &require_set(right)?)?;
            Ok(ExprValue::Boolean(match operator {
                Less => ordering == Ordering::Less,
                LessEqual => ordering != Ordering::Greater,
                Greater => ordering == Ordering::Greater,
                _ => ordering != Ordering::Less,
            }))
        }
        Add | Subtract | Multiply | Divide | Modulo => arithmetic(operator, require_set(left)?, require_set(right)?),
        And | Or => Err(type_error("logical operator evaluated eagerly")),
    }
}

/// Comparing with the literal `NOT_SET` tests whether a value is set; any other comparison of an
/// unset variable is an error naming it.
fn equality(left: ExprValue, right: ExprValue) -> Result<bool, EvalError> {
    let literal_not_set = |value: &ExprValue| matches!(value, ExprValue::NotSet { variable: None });
    if literal_not_set(&left) || literal_not_set(&right) {
        return Ok(left.is_set() == right.is_set());
    }
    Ok(equal(&require_set(left)?, &require_set(right)?))
}

/// Equality never fails on set values: values of unrelated types are simply unequal.
pub(crate) fn equal(left: &ExprValue, right: &ExprValue) -> bool {
    use ExprValue as V;
    match (left, right) {
        (V::NotSet { .. }, V::NotSet { .. }) => true,
        (V::NotSet { .. }, _) | (_, V::NotSet { .. }) => false,
        (V::String(a), V::String(b)) => a == b,
        (V::Boolean(a), other) | (other, V::Boolean(a)) => as_boolean(other) == Some(*a),
        (V::DateTime(a), other) | (other, V::DateTime(a)) => as_date_time(other) == Some(*a),
        (V::Duration(a), other) | (other, V::Duration(a)) => as_duration(other) == Some(*a),
        (V::List(a), V::List(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| equal(x, y)),
        (V::PhoneNumber(number), V::String(text)) | (V::String(text), V::PhoneNumber(number)) => {
            *text == number.raw || number.e164.as_deref() == Some(text.as_str())
        }
        (V::Entity { key, .. }, V::String(text)) | (V::String(text), V::Entity { key, .. }) => key == text,
        (V::Entity { kind: a, key: x, .. }, V::Entity { kind: b, key: y, .. }) => a == b && x == y,
        (V::Json(a), V::Json(b)) => a == b,
        (V::PhoneNumber(a), V::PhoneNumber(b)) => a == b,
        (V::Audio(a), V::Audio(b)) => a == b,
        _ => match (as_number(left), as_number(right)) {
            (Some(Number::Integer(a)), Some(Number::Integer(b))) => a == b,
            (Some(a), Some(b)) => a.as_f64() == b.as_f64(),
            _ => false,
        },
    }
}

/// Numeric when both sides read as numbers (so "10" > "9"), then date-times, durations, and text
/// order for two strings.
pub(crate) fn order(left: &ExprValue, right: &ExprValue) -> Result<Ordering, EvalError> {
    match (as_number(left), as_number(right)) {
        (Some(Number::Integer(a)), Some(Number::Integer(b))) => return Ok(a.cmp(&b)),
        (Some(a), Some(b)) => {
            return a.as_f64().partial_cmp(&b.as_f64()).ok_or_else(|| type_error("cannot order NaN"));
        }
        _ => {}
    }
    let typed = matches!(left, ExprValue::DateTime(_)) || matches!(right, ExprValue::DateTime(_));
    if typed && let (Some(a), Some(b)) = (as_date_time(left), as_date_time(right)) {
        return Ok(a.cmp(&b));
    }
    let typed = matches!(left, ExprValue::Duration(_)) || matches!(right, ExprValue::Duration(_));
    if typed && let (Some(a), Some(b)) = (as_duration(left), as_duration(right)) {
        return Ok(a.cmp(&b));
    }
    match (left, right) {
        (ExprValue::String(a), ExprValue::String(b)) => Ok(a.cmp(b)),
        _ => Err(type_error(format!("cannot order {} and {}", describe(left), describe(right)))),
    }
}

fn arithmetic(operator: BinaryOperator, left: ExprValue, right: ExprValue) -> Result<ExprValue, EvalError> {
    use BinaryOperator::*;
    use ExprValue as V;
    let add_ms = |moment: chrono::DateTime<chrono::Utc>, ms: i64| {
        moment.checked_add_signed(chrono::TimeDelta::milliseconds(ms)).map(V::DateTime).ok_or(EvalError::Overflow)
    };
    let left = typed_like(left, &right);
    let right = typed_like(right, &left);
    match (operator, &left, &right) {
        (Add, V::DateTime(moment), V::Duration(ms)) | (Add, V::Duration(ms), V::DateTime(moment)) => add_ms(*moment, *ms),
        (Subtract, V::DateTime(moment), V::Duration(ms)) => add_ms(*moment, ms.checked_neg().ok_or(EvalError::Overflow)?),
        (Subtract, V::DateTime(a), V::DateTime(b)) => Ok(V::Duration((*a - *b).num_milliseconds())),
        (Add, V::Duration(a), V::Duration(b)) => a.checked_add(*b).map(V::Duration).ok_or(EvalError::Overflow),
        (Subtract, V::Duration(a), V::Duration(b)) => a.checked_sub(*b).map(V::Duration).ok_or(EvalError::Overflow),
        (Multiply, V::Duration(ms), other) | (Multiply, other, V::Duration(ms)) => {
            let factor = coerce::number(other.clone(), "`*` with a duration")?.as_f64();
            let product = *ms as f64 * factor;
            if product.is_finite() && product.abs() < i64::MAX as f64 {
                Ok(V::Duration(product.round() as i64))
            } else {
                Err(EvalError::Overflow)
            }
        }
        // Two strings concatenate even when they look numeric (as before Archy support): `ToInt` adds.
        (Add, V::String(a), V::String(b)) => Ok(V::String(format!("{a}{b}"))),
        _ => numeric(operator, &left, &right),
    }
}

/// A string next to a date-time or duration is read as one, if it can be (participant data is text).
fn typed_like(value: ExprValue, other: &ExprValue) -> ExprValue {
    let ExprValue::String(text) = &value else { return value };
    if !matches!(other, ExprValue::DateTime(_) | ExprValue::Duration(_)) {
        return value;
    }
    if let Some(moment) = super::time::parse_date_time(text) {
        return ExprValue::DateTime(moment);
    }
    super::time::parse_duration(text).map_or(value, ExprValue::Duration)
}

fn numeric(operator: BinaryOperator, left: &ExprValue, right: &ExprValue) -> Result<ExprValue, EvalError> {
    use BinaryOperator::*;
    let (Some(a), Some(b)) = (as_number(left), as_number(right)) else {
        return Err(type_error(format!(
            "`{}` needs numbers, got {} and {}",
            operator.symbol(),
            describe(left),
            describe(right)
        )));
    };
    let result = match (operator, a, b) {
        (Divide | Modulo, _, b) if b.as_f64() == 0.0 => return Err(EvalError::DivisionByZero),
        (Divide, Number::Integer(a), Number::Integer(b)) if a % b == 0 => {
            Number::Integer(a.checked_div(b).ok_or(EvalError::Overflow)?)
        }
        (Divide, a, b) => Number::Decimal(a.as_f64() / b.as_f64()),
        (Modulo, Number::Integer(a), Number::Integer(b)) => Number::Integer(a.checked_rem(b).ok_or(EvalError::Overflow)?),
        (Modulo, a, b) => Number::Decimal(a.as_f64() % b.as_f64()),
        (operator, Number::Integer(a), Number::Integer(b)) => {
            let exact = match operator {
                Add => a.checked_add(b),
                Subtract => a.checked_sub(b),
                _ => a.checked_mul(b),
            };
            Number::Integer(exact.ok_or(EvalError::Overflow)?)
        }
        (operator, a, b) => Number::Decimal(match operator {
            Add => a.as_f64() + b.as_f64(),
            Subtract => a.as_f64() - b.as_f64(),
            _ => a.as_f64() * b.as_f64(),
        }),
    };
    Ok(result.into_value())
}
