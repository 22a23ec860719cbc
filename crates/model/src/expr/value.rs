//! The values expressions compute with: the flow format's scalars plus what Architect's language
//! needs (NOT_SET, date-times, durations, lists, audio, phone numbers, JSON, platform entities).
//!
//! Participant data stores strings, so every value has one string form
//! ([`ExprValue::to_attribute_string`]); reading data back parses JSON arrays and objects again, so a
//! list written to an attribute is a list when read.

use super::phone::PhoneNumber;
use super::time;
use crate::flow::Value;
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, PartialEq)]
pub enum ExprValue {
    /// Architect's NOT_SET; `variable` names the unset variable it was read from, for error messages.
    NotSet { variable: Option<String> },
    Boolean(bool),
    Integer(i64),
    Decimal(f64),
    String(String),
    DateTime(DateTime<Utc>),
    /// A duration in milliseconds (may be negative, as `DateTimeDiff` can be).
    Duration(i64),
    List(Vec<ExprValue>),
    Audio(Audio),
    PhoneNumber(PhoneNumber),
    /// A JSON value from `JsonParse` or from an attribute holding a JSON object.
    Json(serde_json::Value),
    /// A stand-in for a platform object looked up by id or name (`FindQueueById`, `ToScheduleGroup`):
    /// it carries only what it was given; `.id` or `.name` reads it back.
    Entity { kind: EntityKind, key_field: KeyField, key: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntityKind {
    Queue,
    User,
    Skill,
    ScheduleGroup,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyField {
    Id,
    Name,
}

/// The audio stand-in: what would be played, in order. Nothing is synthesised; the runtime can read
/// the text and the silences (for prompt timing) and the emulator can log them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Audio {
    pub parts: Vec<AudioPart>,
    /// Set by `AudioPlaybackOptions(audio, bargeIn)`: whether a caller's input interrupts playback.
    pub barge_in: Option<bool>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum AudioPart {
    Tts(String),
    Silence { ms: i64 },
    /// `ToAudioDuration`: a spoken duration, kept as milliseconds.
    SpokenDuration { ms: i64 },
}

impl Audio {
    /// The spoken text: TTS parts and spoken durations joined by spaces; silences say nothing.
    pub fn text(&self) -> String {
        let words: Vec<String> = self
            .parts
            .iter()
            .filter_map(|part| match part {
                AudioPart::Tts(text) => Some(text.clone()),
                AudioPart::SpokenDuration { ms } => Some(time::format_duration(*ms)),
                AudioPart::Silence { .. } => None,
            })
            .collect();
        words.join(" ")
    }

    /// Total milliseconds of the silences.
    pub fn silence_ms(&self) -> i64 {
        self.parts.iter().map(|part| if let AudioPart::Silence { ms } = part { *ms } else { 0 }).sum()
    }
}

impl ExprValue {
    pub fn not_set() -> ExprValue {
        ExprValue::NotSet { variable: None }
    }

    pub fn is_set(&self) -> bool {
        !matches!(self, ExprValue::NotSet { .. })
    }

    /// The one rule for writing a value to participant data (and for `ToString`):
    /// NOT_SET is empty; booleans and numbers as the flow format writes them; date-times as ISO 8601
    /// UTC with milliseconds (`2026-11-29T04:11:32.000Z`); durations as ISO 8601 (`PT1H30M`); lists
    /// as a JSON array; audio as its spoken text; phone numbers as written; JSON as compact JSON text
    /// (a JSON string as itself); platform entities as their id or name.
    pub fn to_attribute_string(&self) -> String {
        match self {
            ExprValue::NotSet { .. } => String::new(),
            ExprValue::Boolean(flag) => flag.to_string(),
            ExprValue::Integer(number) => number.to_string(),
            ExprValue::Decimal(number) => Value::Decimal(*number).to_attribute_string(),
            ExprValue::String(text) => text.clone(),
            ExprValue::DateTime(moment) => time::format_date_time(moment),
            ExprValue::Duration(ms) => time::format_duration(*ms),
            ExprValue::List(items) => serde_json::Value::Array(items.iter().map(ExprValue::to_json).collect()).to_string(),
            ExprValue::Audio(audio) => audio.text(),
            ExprValue::PhoneNumber(number) => number.raw.clone(),
            ExprValue::Json(serde_json::Value::String(text)) => text.clone(),
            ExprValue::Json(json) => json.to_string(),
            ExprValue::Entity { key, .. } => key.clone(),
        }
    }

    /// The value inside a JSON document (a list item written to an attribute).
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            ExprValue::NotSet { .. } => serde_json::Value::Null,
            ExprValue::Boolean(flag) => serde_json::Value::Bool(*flag),
            ExprValue::Integer(number) => serde_json::Value::from(*number),
            ExprValue::Decimal(number) => serde_json::Number::from_f64(*number)
                .map_or(serde_json::Value::Null, serde_json::Value::Number),
            ExprValue::List(items) => serde_json::Value::Array(items.iter().map(ExprValue::to_json).collect()),
            ExprValue::Json(json) => json.clone(),
            other => serde_json::Value::String(other.to_attribute_string()),
        }
    }

    /// A JSON value as an expression value: scalars become scalars, arrays lists, objects stay JSON.
    pub fn from_json(json: &serde_json::Value) -> ExprValue {
        match json {
            serde_json::Value::Null => ExprValue::not_set(),
            serde_json::Value::Bool(flag) => ExprValue::Boolean(*flag),
            serde_json::Value::Number(number) => match number.as_i64() {
                Some(integer) => ExprValue::Integer(integer),
                None => ExprValue::Decimal(number.as_f64().unwrap_or(f64::NAN)),
            },
            serde_json::Value::String(text) => ExprValue::String(text.clone()),
            serde_json::Value::Array(items) => ExprValue::List(items.iter().map(ExprValue::from_json).collect()),
            serde_json::Value::Object(_) => ExprValue::Json(json.clone()),
        }
    }

    /// The flow format's value for a result: scalars as they are, everything else by
    /// [`Self::to_attribute_string`]. `None` for NOT_SET, which has no flow-format value.
    pub fn to_flow_value(&self) -> Option<Value> {
        Some(match self {
            ExprValue::NotSet { .. } => return None,
            ExprValue::Boolean(flag) => Value::Boolean(*flag),
            ExprValue::Integer(number) => Value::Integer(*number),
            ExprValue::Decimal(number) => Value::Decimal(*number),
            ExprValue::String(text) => Value::String(text.clone()),
            other => Value::String(other.to_attribute_string()),
        })
    }

    /// A short type name for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            ExprValue::NotSet { .. } => "NOT_SET",
            ExprValue::Boolean(_) => "boolean",
            ExprValue::Integer(_) => "integer",
            ExprValue::Decimal(_) => "decimal",
            ExprValue::String(_) => "string",
            ExprValue::DateTime(_) => "datetime",
            ExprValue::Duration(_) => "duration",
            ExprValue::List(_) => "list",
            ExprValue::Audio(_) => "audio",
            ExprValue::PhoneNumber(_) => "phone number",
            ExprValue::Json(_) => "JSON",
            ExprValue::Entity { .. } => "entity",
        }
    }
}

impl From<Value> for ExprValue {
    fn from(value: Value) -> ExprValue {
        match value {
            Value::Boolean(flag) => ExprValue::Boolean(flag),
            Value::Integer(number) => ExprValue::Integer(number),
            Value::Decimal(number) => ExprValue::Decimal(number),
            Value::String(text) => ExprValue::String(text),
        }
    }
}
