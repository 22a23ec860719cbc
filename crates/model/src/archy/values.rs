//! Archy's value forms (`lit`, `exp`, `var`, `noValue`, `tts`, `prompt`) to and from the flow
//! format's expressions, prompts and durations.
//!
//! An `exp: X` becomes the expression `=X` and a `var: Flow.X` the expression `=Flow.X` (reading the
//! variable); `lit:` scalars become literals and `lit: {name: X}` (a queue, prompt or group named X)
//! the literal string `X`. `noValue: true` is `=NOT_SET`.

use crate::flow::{Expression, Value};
use serde_json::{Map, Value as Json, json};

/// The expression `noValue: true` maps to.
pub(crate) const NOT_SET: &str = "NOT_SET";

/// A value form as an expression; `Err` says what was found instead.
pub(crate) fn expression(form: &Json) -> Result<Expression, String> {
    let Some((kind, inner)) = single_entry(form) else {
        return Err(format!("expected a value form (`lit:`, `exp:`, `var:` or `noValue:`), found {}", describe(form)));
    };
    match kind {
        "lit" => literal(inner).map(Expression::from),
        "exp" => match inner {
            Json::String(text) => Ok(Expression::formula(text)),
            other => Err(format!("`exp:` must be text, found {}", describe(other))),
        },
        "var" => match inner {
            Json::String(name) => Ok(Expression::formula(name)),
            other => Err(format!("`var:` must name a variable, found {}", describe(other))),
        },
        "noValue" => Ok(Expression::formula(NOT_SET)),
        other => Err(format!("`{other}:` is not a value form here (expected `lit:`, `exp:`, `var:` or `noValue:`)")),
    }
}

/// A literal: scalars as themselves, a named entity (`{name: X}`) as its name.
fn literal(inner: &Json) -> Result<Value, String> {
    match inner {
        Json::String(text) => Ok(Value::String(text.clone())),
        Json::Bool(flag) => Ok(Value::Boolean(*flag)),
        Json::Number(number) => Ok(number
            .as_i64()
            .map(Value::Integer)
            .unwrap_or_else(|| Value::Decimal(number.as_f64().unwrap_or_default()))),
        Json::Object(map) => match map.get("name") {
            Some(Json::String(name)) if map.len() == 1 => Ok(Value::String(name.clone())),
            _ => match duration_ms(inner) {
                Some(ms) => Ok(Value::Integer(ms as i64)),
                None => Err(format!("unsupported literal {}", describe(inner))),
            },
        },
        Json::Null => Ok(Value::String(String::new())),
        Json::Array(_) => Err("list literals are not supported".to_string()),
    }
}

/// How an expression is written back: a scalar literal, or a named entity (`{name: X}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    Scalar,
    Entity,
}

/// The value form of an expression, the inverse of [`expression`].
pub(crate) fn form(expression: &Expression, shape: Shape) -> Json {
    if let Some(text) = expression.expression_text() {
        if text == NOT_SET {
            return json!({"noValue": true});
        }
        return json!({ "exp": text });
    }
    match (&expression.0, shape) {
        (Value::String(name), Shape::Entity) => json!({"lit": {"name": name}}),
        (value, _) => json!({ "lit": scalar(value) }),
    }
}

pub(crate) fn scalar(value: &Value) -> Json {
    match value {
        Value::Boolean(flag) => Json::Bool(*flag),
        Value::Integer(integer) => json!(integer),
        Value::Decimal(decimal) => json!(decimal),
        Value::String(text) => Json::String(text.clone()),
    }
}

/// A duration (`{minutes: 1}`, `{seconds: 40}`, `{ms: 100}`, or several units) in milliseconds.
pub(crate) fn duration_ms(form: &Json) -> Option<u64> {
    let map = form.as_object()?;
    let mut total: u64 = 0;
    for (unit, amount) in map {
        let factor = match unit.as_str() {
            "ms" | "milliseconds" => 1,
            "seconds" => 1_000,
            "minutes" => 60_000,
            "hours" => 3_600_000,
            "days" => 86_400_000,
            _ => return None,
        };
        total = total.checked_add(amount.as_u64()?.checked_mul(factor)?)?;
    }
    (!map.is_empty()).then_some(total)
}

/// Milliseconds as Archy writes durations: the largest units that divide evenly.
pub(crate) fn duration_form(ms: u64) -> Json {
    let mut map = Map::new();
    let mut rest = ms;
    for (unit, factor) in [("hours", 3_600_000), ("minutes", 60_000), ("seconds", 1_000)] {
        if rest >= factor && rest.is_multiple_of(factor) {
            map.insert(unit.to_string(), json!(rest / factor));
            rest = 0;
        }
    }
    if rest > 0 || map.is_empty() {
        map.insert("ms".to_string(), json!(rest));
    }
    Json::Object(map)
}

/// A duration value form (`lit: {seconds: 5}`) in milliseconds.
pub(crate) fn duration_value_ms(form: &Json) -> Result<u64, String> {
    match single_entry(form) {
        Some(("lit", inner)) => duration_ms(inner).ok_or_else(|| format!("expected a duration, found {}", describe(inner))),
        _ => Err(format!("expected a literal duration (`lit: {{seconds: 5}}`), found {}", describe(form))),
    }
}

/// An audio form as the flow format's prompt text: `tts: T` is `T`, `prompt: P` (or a literal
/// prompt name) is `P`, `exp: E` is `=E`, `noValue` is empty.
pub(crate) fn audio(form: &Json) -> Result<String, String> {
    match single_entry(form) {
        Some(("tts", Json::String(text))) | Some(("prompt", Json::String(text))) => Ok(text.clone()),
        Some(("exp", Json::String(text))) => Ok(format!("={text}")),
        Some(("lit", inner)) => match literal(inner)? {
            Value::String(name) => Ok(name),
            other => Ok(other.to_attribute_string()),
        },
        Some(("noValue", _)) => Ok(String::new()),
        _ => Err(format!("expected audio (`tts:`, `prompt:` or `exp:`), found {}", describe(form))),
    }
}

/// The audio form of a prompt text, the inverse of [`audio`] for text written in the flow format.
pub(crate) fn audio_form(prompt: &str) -> Json {
    if let Some(text) = prompt.strip_prefix('=') {
        json!({ "exp": text })
    } else if prompt.is_empty() {
        json!({"noValue": true})
    } else {
        json!({ "tts": prompt })
    }
}

/// The stand-in duration of a prompt: a TTS text takes 60 ms a character (at least a second);
/// `exp: ToAudioBlank(N)` with a literal N (Architect's pause) takes N ms; any other prompt or
/// expression two seconds.
pub(crate) fn prompt_duration_ms(form: &Json) -> u64 {
    match single_entry(form) {
        Some(("tts", Json::String(text))) => tts_duration_ms(text),
        Some(("exp", Json::String(text))) => blank_audio_ms(text).unwrap_or_else(crate::flow::default_play_ms),
        _ => crate::flow::default_play_ms(),
    }
}

/// N of `ToAudioBlank(N)` when N is a literal whole number of milliseconds.
fn blank_audio_ms(text: &str) -> Option<u64> {
    use crate::expr::{Ast, Function};
    match crate::expr::parse(text).ok()? {
        Ast::Call { function: Function::ToAudioBlank, arguments } => match arguments.as_slice() {
            [Ast::Literal(Value::Integer(ms))] => u64::try_from(*ms).ok(),
            _ => None,
        },
        _ => None,
    }
}

pub(crate) fn tts_duration_ms(text: &str) -> u64 {
    (text.chars().count() as u64 * 60).max(1_000)
}

/// The one entry of a one-key mapping (`{lit: 5}` → `("lit", 5)`).
pub(crate) fn single_entry(form: &Json) -> Option<(&str, &Json)> {
    let map = form.as_object()?;
    if map.len() != 1 {
        return None;
    }
    map.iter().next().map(|(key, value)| (key.as_str(), value))
}

/// A short description of a value for messages.
pub(crate) fn describe(value: &Json) -> String {
    match value {
        Json::Object(map) => {
            let keys: Vec<&str> = map.keys().map(String::as_str).collect();
            format!("a mapping with keys [{}]", keys.join(", "))
        }
        Json::Array(items) => format!("a list of {}", items.len()),
        Json::String(text) => format!("the text `{text}`"),
        other => format!("`{other}`"),
    }
}
