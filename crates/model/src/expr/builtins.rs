//! What each built-in function does. Indexes are zero-based and `-1` means "not found", as in
//! Architect. Functions that need the platform (audio, communications, entity lookups) return the
//! deterministic stand-ins described in `value.rs` and docs/flow-format.md.

use super::coerce::{self, Number, as_date_time, as_duration, as_list, describe, require_set, text, type_error};
use super::eval::{Evaluator, equal, item_at, order};
use super::functions::Function;
use super::parser::Ast;
use super::phone::PhoneNumber;
use super::value::{Audio, AudioPart, EntityKind, ExprValue, KeyField};
use super::EvalError;
use std::cmp::Ordering;

pub(crate) fn call(evaluator: &mut Evaluator<'_, '_>, function: Function, arguments: &[Ast]) -> Result<ExprValue, EvalError> {
    // Lazy functions evaluate only the arguments they need, so `If(IsSet(x), x, 0)` never reads an unset x.
    match function {
        Function::If => {
            let condition = evaluator.evaluate(argument(arguments, 0)?)?;
            let chosen = if coerce::boolean(condition, "If's condition")? { 1 } else { 2 };
            return evaluator.evaluate(argument(arguments, chosen)?);
        }
        Function::Coalesce => {
            return match evaluator.evaluate(argument(arguments, 0)?) {
                Ok(ExprValue::NotSet { .. }) | Err(EvalError::UndefinedVariable { .. }) => {
                    evaluator.evaluate(argument(arguments, 1)?)
                }
                Ok(ExprValue::String(text)) if text.is_empty() => evaluator.evaluate(argument(arguments, 1)?),
                other => other,
            };
        }
        _ => {}
    }
    let mut values = Vec::with_capacity(arguments.len());
    for argument in arguments {
        values.push(evaluator.evaluate(argument)?);
    }
    apply(evaluator, function, values)
}

fn argument(arguments: &[Ast], index: usize) -> Result<&Ast, EvalError> {
    // Arity is checked by the parser; an Ast built by hand with too few arguments is a type error.
    arguments.get(index).ok_or_else(|| type_error(format!("missing argument {}", index + 1)))
}

/// The arguments of one call, taken in order.
struct Arguments(std::vec::IntoIter<ExprValue>);

impl Arguments {
    fn next(&mut self) -> ExprValue {
        // The parser checked the count, so a missing optional argument reads as NOT_SET.
        self.0.next().unwrap_or_else(ExprValue::not_set)
    }

    fn optional(&mut self) -> Option<ExprValue> {
        self.0.next()
    }

    fn text(&mut self) -> Result<String, EvalError> {
        text(self.next())
    }

    fn integer(&mut self, what: &str) -> Result<i64, EvalError> {
        coerce::integer(self.next(), what)
    }

    fn flag(&mut self, what: &str) -> Result<bool, EvalError> {
        match self.optional() {
            Some(value) => coerce::boolean(value, what),
            None => Ok(false),
        }
    }

    fn rest(self) -> Vec<ExprValue> {
        self.0.collect()
    }
}

fn apply(evaluator: &mut Evaluator<'_, '_>, function: Function, values: Vec<ExprValue>) -> Result<ExprValue, EvalError> {
    use ExprValue as V;
    use Function as F;
    let name = function.name();
    let mut arguments = Arguments(values.into_iter());
    let value = match function {
        F::If | F::Coalesce => return Err(type_error("lazy function applied eagerly")),
        F::IsSet => V::Boolean(arguments.next().is_set()),
        F::IsNotSet => V::Boolean(!arguments.next().is_set()),
        F::IsNotSetOrEmpty => V::Boolean(is_not_set_or_empty(&arguments.next())),
        F::AreEqual => V::Boolean(equal(&arguments.next(), &arguments.next())),
        F::ToString => to_string(arguments.next(), arguments.optional())?,
        F::ToDisplayString | F::ToCommunication => V::String(arguments.next().to_attribute_string()),
        F::ToInt => V::Integer(to_int(require_set(arguments.next())?)?),
        F::ToDecimal => V::Decimal(coerce::number(arguments.next(), name)?.as_f64()),
        F::ToBool => to_bool(require_set(arguments.next())?)?,
        F::ToPhoneNumber => match arguments.next() {
            V::NotSet { variable } => V::NotSet { variable },
            V::PhoneNumber(number) => V::PhoneNumber(number),
            other => V::PhoneNumber(PhoneNumber::parse(&other.to_attribute_string())),
        },
        F::ToDateTime => {
            let value = require_set(arguments.next())?;
            V::DateTime(as_date_time(&value).ok_or_else(|| type_error(format!("ToDateTime cannot read {}", describe(&value))))?)
        }
        F::Contains | F::StartsWith | F::EndsWith => {
            let haystack = require_set(arguments.next())?;
            let needle = require_set(arguments.next())?;
            let ignore_case = arguments.flag("the ignore-case flag")?;
            text_test(function, &haystack, &needle, ignore_case)
        }
        F::Substring => {
            let source: Vec<char> = arguments.text()?.chars().collect();
            let start = arguments.integer("Substring's start")?;
            let length = match arguments.optional() {
                Some(length) => Some(coerce::integer(length, "Substring's length")?),
                None => None,
            };
            V::String(substring(&source, start, length)?)
        }
        F::FindString => {
            let source = arguments.text()?;
            let search = arguments.text()?;
            let ignore_case = arguments.flag("the ignore-case flag")?;
            V::Integer(find_string(&source, &search, ignore_case))
        }
        F::Replace => {
            let source = arguments.text()?;
            let old = arguments.text()?;
            let new = arguments.text()?;
            V::String(if old.is_empty() { source } else { source.replace(&old, &new) })
        }
        F::Left | F::Right => {
            let source: Vec<char> = arguments.text()?.chars().collect();
            let count = usize::try_from(arguments.integer(name)?)
                .map_err(|_| type_error(format!("{name} needs a count of 0 or more")))?
                .min(source.len());
            let part = if function == F::Left { &source[..count] } else { &source[source.len() - count..] };
            V::String(part.iter().collect())
        }
        F::Length => match require_set(arguments.next())? {
            V::String(text) => V::Integer(text.chars().count() as i64),
            other => match as_list(&other) {
                Some(items) => V::Integer(items.len() as i64),
                None => V::Integer(other.to_attribute_string().chars().count() as i64),
            },
        },
        F::Trim => V::String(arguments.text()?.trim().to_string()),
        F::ToUpper => V::String(arguments.text()?.to_uppercase()),
        F::ToLower => V::String(arguments.text()?.to_lowercase()),
        F::Append => append(arguments.rest())?,
        F::Count => match arguments.next() {
            V::NotSet { .. } => V::Integer(0),
            other => V::Integer(list(&other, name)?.len() as i64),
        },
        F::FindFirst => {
            let items = list(&require_set(arguments.next())?, name)?;
            let wanted = arguments.next();
            V::Integer(items.iter().position(|item| equal(item, &wanted)).map_or(-1, |index| index as i64))
        }
        F::GetAt => {
            let items = require_set(arguments.next())?;
            item_at(&items, arguments.integer("GetAt's index")?)?
        }
        F::MakeList => V::List(arguments.rest()),
        F::AddItem => {
            let mut items = match arguments.next() {
                V::NotSet { .. } => Vec::new(),
                other => list(&other, name)?,
            };
            items.push(arguments.next());
            V::List(items)
        }
        F::Random => random(evaluator, arguments.rest())?,
        F::Abs => match coerce::number(arguments.next(), name)? {
            Number::Integer(number) => V::Integer(number.checked_abs().ok_or(EvalError::Overflow)?),
            Number::Decimal(number) => V::Decimal(number.abs()),
        },
        F::Min | F::Max => {
            let first = require_set(arguments.next())?;
            let second = require_set(arguments.next())?;
            let first_wins = match order(&first, &second)? {
                Ordering::Greater => function == F::Max,
                _ => function == F::Min,
            };
            if first_wins { first } else { second }
        }
        F::GetCurrentDateTimeUtc => V::DateTime(evaluator.context.now),
        F::AddSeconds | F::AddMinutes | F::AddHours | F::AddDays => {
            let base = require_set(arguments.next())?;
            let unit_ms = match function {
                F::AddSeconds => 1_000.0,
                F::AddMinutes => 60_000.0,
                F::AddHours => 3_600_000.0,
                _ => 86_400_000.0,
            };
            let amount = coerce::number(arguments.next(), name)?.as_f64() * unit_ms;
            if !amount.is_finite() || amount.abs() >= i64::MAX as f64 {
                return Err(EvalError::Overflow);
            }
            shift(base, amount.round() as i64, name)?
        }
        F::DateTimeDiff => {
            let later = date_time(require_set(arguments.next())?, name)?;
            let earlier = date_time(require_set(arguments.next())?, name)?;
            V::Duration((later - earlier).num_milliseconds())
        }
        F::MakeDuration => {
            let units = [86_400_000_i64, 3_600_000, 60_000, 1_000, 1];
            let mut total: i64 = 0;
            for unit in units {
                let Some(part) = arguments.optional() else { break };
                let part = coerce::integer(part, name)?;
                total = part.checked_mul(unit).and_then(|ms| total.checked_add(ms)).ok_or(EvalError::Overflow)?;
            }
            V::Duration(total)
        }
        F::ToAudioTts => V::Audio(Audio { parts: vec![AudioPart::Tts(arguments.text()?)], barge_in: None }),
        F::ToAudioBlank => {
            let ms = arguments.integer(name)?;
            V::Audio(Audio { parts: vec![AudioPart::Silence { ms: ms.max(0) }], barge_in: None })
        }
        F::ToAudioDuration => {
            let value = require_set(arguments.next())?;
            let ms = as_duration(&value).ok_or_else(|| type_error(format!("{name} needs a duration, got {}", describe(&value))))?;
            V::Audio(Audio { parts: vec![AudioPart::SpokenDuration { ms }], barge_in: None })
        }
        F::AudioPlaybackOptions => {
            let mut audio = to_audio(require_set(arguments.next())?);
            audio.barge_in = Some(coerce::boolean(arguments.next(), name)?);
            V::Audio(audio)
        }
        F::MakeCommunication => {
            V::String(arguments.rest().iter().map(ExprValue::to_attribute_string).collect::<Vec<_>>().concat())
        }
        F::ResolveSlot => arguments.next(),
        F::FindQueue => entity(arguments.next(), EntityKind::Queue, KeyField::Name),
        F::FindQueueById => entity(arguments.next(), EntityKind::Queue, KeyField::Id),
        F::FindUser => entity(arguments.next(), EntityKind::User, KeyField::Name),
        F::FindUserById => entity(arguments.next(), EntityKind::User, KeyField::Id),
        F::FindSkill => entity(arguments.next(), EntityKind::Skill, KeyField::Name),
        F::ToScheduleGroup => entity(arguments.next(), EntityKind::ScheduleGroup, KeyField::Name),
        F::MakeListAgentScorePair => {
            let agents = list(&require_set(arguments.next())?, name)?;
            let scores = list(&require_set(arguments.next())?, name)?;
            if agents.len() != scores.len() {
                return Err(type_error(format!("{name} needs lists of equal length, got {} and {}", agents.len(), scores.len())));
            }
            V::List(agents.into_iter().zip(scores).map(|(agent, score)| V::List(vec![agent, score])).collect())
        }
        F::JsonParse => {
            let source = arguments.text()?;
            let json: serde_json::Value = serde_json::from_str(&source)
                .map_err(|error| type_error(format!("JsonParse: not JSON ({error})")))?;
            V::from_json(&json)
        }
        F::GetJsonObjectProperty => {
            let object = require_set(arguments.next())?;
            let property = arguments.text()?;
            let map = coerce::as_json_object(&object)
                .ok_or_else(|| type_error(format!("{name} needs a JSON object, got {}", describe(&object))))?;
            map.get(&property).map_or_else(|| V::NotSet { variable: Some(property.clone()) }, V::from_json)
        }
    };
    Ok(value)
}

fn is_not_set_or_empty(value: &ExprValue) -> bool {
    match value {
        ExprValue::NotSet { .. } => true,
        ExprValue::String(text) => text.is_empty(),
        ExprValue::List(items) => items.is_empty(),
        ExprValue::Json(serde_json::Value::Array(items)) => items.is_empty(),
        ExprValue::Json(serde_json::Value::Object(map)) => map.is_empty(),
        _ => false,
    }
}

/// `ToString(value)` by the attribute rule; `ToString(list, separator)` joins the items.
fn to_string(value: ExprValue, separator: Option<ExprValue>) -> Result<ExprValue, EvalError> {
    if !value.is_set() {
        return Ok(value);
    }
    let Some(separator) = separator else { return Ok(ExprValue::String(value.to_attribute_string())) };
    let separator = text(separator)?;
    let items = list(&value, "ToString with a separator")?;
    Ok(ExprValue::String(items.iter().map(ExprValue::to_attribute_string).collect::<Vec<_>>().join(&separator)))
}

/// Decimals truncate toward zero; strings must read as a number; booleans are 1 and 0.
fn to_int(value: ExprValue) -> Result<i64, EvalError> {
    match &value {
        ExprValue::Boolean(flag) => Ok(i64::from(*flag)),
        _ => match coerce::as_number(&value) {
            Some(Number::Integer(number)) => Ok(number),
            Some(Number::Decimal(number)) if number.abs() < 9.2e18 => Ok(number.trunc() as i64),
            _ => Err(type_error(format!("ToInt cannot convert {}", describe(&value)))),
        },
    }
}

fn to_bool(value: ExprValue) -> Result<ExprValue, EvalError> {
    if let Some(flag) = coerce::as_boolean(&value) {
        return Ok(ExprValue::Boolean(flag));
    }
    match coerce::as_number(&value) {
        Some(number) => Ok(ExprValue::Boolean(number.as_f64() != 0.0)),
        None => Err(type_error(format!("ToBool cannot convert {}", describe(&value)))),
    }
}

/// Contains/StartsWith/EndsWith on text; `Contains(list, item)` tests membership.
fn text_test(function: Function, haystack: &ExprValue, needle: &ExprValue, ignore_case: bool) -> ExprValue {
    if function == Function::Contains
        && let ExprValue::List(items) = haystack
    {
        return ExprValue::Boolean(items.iter().any(|item| equal(item, needle)));
    }
    let fold = |text: String| if ignore_case { text.to_lowercase() } else { text };
    let haystack = fold(haystack.to_attribute_string());
    let needle = fold(needle.to_attribute_string());
    ExprValue::Boolean(match function {
        Function::StartsWith => haystack.starts_with(&needle),
        Function::EndsWith => haystack.ends_with(&needle),
        _ => haystack.contains(&needle),
    })
}

/// Characters from `start` (zero-based), `length` of them or to the end; a length past the end stops
/// at the end, a start past the end is an error.
fn substring(source: &[char], start: i64, length: Option<i64>) -> Result<String, EvalError> {
    let start = usize::try_from(start)
        .ok()
        .filter(|start| *start <= source.len())
        .ok_or_else(|| type_error(format!("Substring start {start} is outside a text of {} characters", source.len())))?;
    let available = source.len() - start;
    let length = match length {
        Some(length) => usize::try_from(length)
            .map_err(|_| type_error(format!("Substring length {length} is negative")))?
            .min(available),
        None => available,
    };
    Ok(source[start..start + length].iter().collect())
}

/// The character index of the first occurrence, or -1.
fn find_string(source: &str, search: &str, ignore_case: bool) -> i64 {
    let (source, search) = if ignore_case { (source.to_lowercase(), search.to_lowercase()) } else { (source.to_string(), search.to_string()) };
    source.find(&search).map_or(-1, |byte| source[..byte].chars().count() as i64)
}

/// Text, audio or lists joined in order. NOT_SET parts are skipped, so optional data can be appended.
fn append(parts: Vec<ExprValue>) -> Result<ExprValue, EvalError> {
    let parts: Vec<ExprValue> = parts.into_iter().filter(ExprValue::is_set).collect();
    if parts.iter().any(|part| matches!(part, ExprValue::Audio(_))) {
        let mut audio = Audio::default();
        for part in parts {
            let next = to_audio(part);
            audio.parts.extend(next.parts);
            audio.barge_in = next.barge_in.or(audio.barge_in);
        }
        return Ok(ExprValue::Audio(audio));
    }
    if let Some(ExprValue::List(_)) = parts.first() {
        let mut items = Vec::new();
        for part in parts {
            match part {
                ExprValue::List(more) => items.extend(more),
                item => items.push(item),
            }
        }
        return Ok(ExprValue::List(items));
    }
    Ok(ExprValue::String(parts.iter().map(ExprValue::to_attribute_string).collect::<Vec<_>>().concat()))
}

fn to_audio(value: ExprValue) -> Audio {
    match value {
        ExprValue::Audio(audio) => audio,
        other => Audio { parts: vec![AudioPart::Tts(other.to_attribute_string())], barge_in: None },
    }
}

/// `Random()` is a decimal in [0, 1); `Random(max)` an integer in 0..=max; `Random(min, max)` in min..=max.
fn random(evaluator: &mut Evaluator<'_, '_>, bounds: Vec<ExprValue>) -> Result<ExprValue, EvalError> {
    let mut bounds = bounds.into_iter();
    let (low, high) = match (bounds.next(), bounds.next()) {
        (None, _) => return Ok(ExprValue::Decimal(evaluator.context.random_unit())),
        (Some(high), None) => (0, coerce::integer(high, "Random's maximum")?),
        (Some(low), Some(high)) => (coerce::integer(low, "Random's minimum")?, coerce::integer(high, "Random's maximum")?),
    };
    if low > high {
        return Err(type_error(format!("Random's range {low}..{high} is empty")));
    }
    Ok(ExprValue::Integer(evaluator.context.random_between(low, high)))
}

fn shift(base: ExprValue, ms: i64, name: &str) -> Result<ExprValue, EvalError> {
    if let ExprValue::Duration(duration) = base {
        return duration.checked_add(ms).map(ExprValue::Duration).ok_or(EvalError::Overflow);
    }
    let moment = date_time(base, name)?;
    moment
        .checked_add_signed(chrono::TimeDelta::milliseconds(ms))
        .map(ExprValue::DateTime)
        .ok_or(EvalError::Overflow)
}

fn date_time(value: ExprValue, name: &str) -> Result<chrono::DateTime<chrono::Utc>, EvalError> {
    as_date_time(&value).ok_or_else(|| type_error(format!("{name} needs a date-time, got {}", describe(&value))))
}

fn list(value: &ExprValue, name: &str) -> Result<Vec<ExprValue>, EvalError> {
    as_list(value).ok_or_else(|| type_error(format!("{name} needs a list, got {}", describe(value))))
}

/// An entity stand-in keyed by what it was looked up with; NOT_SET in gives NOT_SET out, as a failed
/// lookup does on the platform.
fn entity(key: ExprValue, kind: EntityKind, key_field: KeyField) -> ExprValue {
    match key {
        ExprValue::NotSet { variable } => ExprValue::NotSet { variable },
        entity @ ExprValue::Entity { .. } => entity,
        other => ExprValue::Entity { kind, key_field, key: other.to_attribute_string() },
    }
}
