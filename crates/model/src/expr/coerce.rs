//! Coercions between expression values, following the platform where participant data is
//! string-typed: `"3"` is a number next to a number, `"true"` a boolean, `"PT5M"` a duration next to
//! a duration, and `["a","b"]` a list where a list is expected.

use super::EvalError;
use super::time;
use super::value::ExprValue;
use chrono::{DateTime, Utc};

/// A number after coercion; integers stay exact until mixed with decimals.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Number {
    Integer(i64),
    Decimal(f64),
}

impl Number {
    pub fn as_f64(self) -> f64 {
        match self {
            Number::Integer(value) => value as f64,
            Number::Decimal(value) => value,
        }
    }

    pub fn into_value(self) -> ExprValue {
        match self {
            Number::Integer(value) => ExprValue::Integer(value),
            Number::Decimal(value) => ExprValue::Decimal(value),
        }
    }
}

pub(crate) fn type_error(message: impl Into<String>) -> EvalError {
    EvalError::Type { message: message.into() }
}

/// NOT_SET where a value is needed is the error that names the unset variable.
pub(crate) fn require_set(value: ExprValue) -> Result<ExprValue, EvalError> {
    match value {
        ExprValue::NotSet { variable } => {
            Err(EvalError::UndefinedVariable { name: variable.unwrap_or_else(|| "NOT_SET".to_string()) })
        }
        set => Ok(set),
    }
}

pub(crate) fn as_number(value: &ExprValue) -> Option<Number> {
    match value {
        ExprValue::Integer(number) => Some(Number::Integer(*number)),
        ExprValue::Decimal(number) => Some(Number::Decimal(*number)),
        ExprValue::String(text) => {
            let text = text.trim();
            if let Ok(number) = text.parse::<i64>() {
                return Some(Number::Integer(number));
            }
            text.parse::<f64>().ok().filter(|number| number.is_finite()).map(Number::Decimal)
        }
        _ => None,
    }
}

pub(crate) fn as_boolean(value: &ExprValue) -> Option<bool> {
    match value {
        ExprValue::Boolean(flag) => Some(*flag),
        ExprValue::String(text) if text.trim().eq_ignore_ascii_case("true") => Some(true),
        ExprValue::String(text) if text.trim().eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

pub(crate) fn as_date_time(value: &ExprValue) -> Option<DateTime<Utc>> {
    match value {
        ExprValue::DateTime(moment) => Some(*moment),
        ExprValue::String(text) => time::parse_date_time(text),
        _ => None,
    }
}

pub(crate) fn as_duration(value: &ExprValue) -> Option<i64> {
    match value {
        ExprValue::Duration(ms) => Some(*ms),
        ExprValue::String(text) => time::parse_duration(text),
        _ => None,
    }
}

/// A list, or a string attribute holding a JSON array (how a list is written to participant data).
pub(crate) fn as_list(value: &ExprValue) -> Option<Vec<ExprValue>> {
    match value {
        ExprValue::List(items) => Some(items.clone()),
        ExprValue::Json(serde_json::Value::Array(items)) => Some(items.iter().map(ExprValue::from_json).collect()),
        ExprValue::String(text) if text.trim_start().starts_with('[') => {
            match serde_json::from_str::<serde_json::Value>(text) {
                Ok(serde_json::Value::Array(items)) => Some(items.iter().map(ExprValue::from_json).collect()),
                _ => None,
            }
        }
        _ => None,
    }
}

/// A JSON object, or a string attribute holding one.
pub(crate) fn as_json_object(value: &ExprValue) -> Option<serde_json::Map<String, serde_json::Value>> {
    match value {
        ExprValue::Json(serde_json::Value::Object(map)) => Some(map.clone()),
        ExprValue::String(text) if text.trim_start().starts_with('{') => {
            match serde_json::from_str::<serde_json::Value>(text) {
                Ok(serde_json::Value::Object(map)) => Some(map),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The text of a set value (NOT_SET is an error naming its variable).
pub(crate) fn text(value: ExprValue) -> Result<String, EvalError> {
    Ok(require_set(value)?.to_attribute_string())
}

/// A whole number: integers, whole decimals and numeric strings.
pub(crate) fn integer(value: ExprValue, what: &str) -> Result<i64, EvalError> {
    let value = require_set(value)?;
    match as_number(&value) {
        Some(Number::Integer(number)) => Ok(number),
        Some(Number::Decimal(number)) if number.fract() == 0.0 && number.abs() < 9.0e15 => Ok(number as i64),
        _ => Err(type_error(format!("{what} needs a whole number, got {}", describe(&value)))),
    }
}

pub(crate) fn boolean(value: ExprValue, what: &str) -> Result<bool, EvalError> {
    let value = require_set(value)?;
    as_boolean(&value).ok_or_else(|| type_error(format!("{what} needs a boolean, got {}", describe(&value))))
}

pub(crate) fn number(value: ExprValue, what: &str) -> Result<Number, EvalError> {
    let value = require_set(value)?;
    as_number(&value).ok_or_else(|| type_error(format!("{what} needs a number, got {}", describe(&value))))
}

/// `string "abc"`, `integer 3`: the type and a short rendering for error messages.
pub(crate) fn describe(value: &ExprValue) -> String {
    let text = value.to_attribute_string();
    let short: String = text.chars().take(40).collect();
    let ellipsis = if short.len() < text.len() { "…" } else { "" };
    format!("{} \"{short}{ellipsis}\"", value.type_name())
}
