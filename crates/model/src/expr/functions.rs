//! The catalog of built-in functions: names (matched in any letter case), aliases and arities.
//!
//! The set is closed so an unknown name is a parse error that validation reports before a flow runs.
//! What each function does is in `builtins.rs`.

/// A built-in function. Aliases (`len` for `Length`, `upper` for `ToUpper`) map to the same variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Function {
    // Logic and NOT_SET.
    If,
    IsSet,
    IsNotSet,
    IsNotSetOrEmpty,
    Coalesce,
    AreEqual,
    // Conversions.
    ToString,
    ToDisplayString,
    ToInt,
    ToDecimal,
    ToBool,
    ToPhoneNumber,
    ToDateTime,
    // Text.
    Contains,
    StartsWith,
    EndsWith,
    Substring,
    FindString,
    Replace,
    Left,
    Right,
    Length,
    Trim,
    ToUpper,
    ToLower,
    Append,
    // Collections.
    Count,
    FindFirst,
    GetAt,
    MakeList,
    AddItem,
    // Numbers.
    Random,
    Abs,
    Min,
    Max,
    // Date, time and duration.
    GetCurrentDateTimeUtc,
    AddSeconds,
    AddMinutes,
    AddHours,
    AddDays,
    DateTimeDiff,
    MakeDuration,
    // Audio and communications (deterministic stand-ins).
    ToAudioTts,
    ToAudioBlank,
    ToAudioDuration,
    AudioPlaybackOptions,
    MakeCommunication,
    ToCommunication,
    ResolveSlot,
    // Platform entities and JSON (stand-ins that carry the id or name they were given).
    FindQueue,
    FindQueueById,
    FindUser,
    FindUserById,
    FindSkill,
    ToScheduleGroup,
    MakeListAgentScorePair,
    JsonParse,
    GetJsonObjectProperty,
}

/// How many arguments a function takes; `maximum: None` means any number from `minimum` on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arity {
    pub minimum: usize,
    pub maximum: Option<usize>,
}

const fn exactly(count: usize) -> Arity {
    Arity { minimum: count, maximum: Some(count) }
}

const fn between(minimum: usize, maximum: usize) -> Arity {
    Arity { minimum, maximum: Some(maximum) }
}

const fn at_least(minimum: usize) -> Arity {
    Arity { minimum, maximum: None }
}

/// Every accepted name. The first name of a function is the one the printer writes.
const CATALOG: &[(&str, Function, Arity)] = &[
    ("If", Function::If, exactly(3)),
    ("IsSet", Function::IsSet, exactly(1)),
    ("IsNotSet", Function::IsNotSet, exactly(1)),
    ("IsNotSetOrEmpty", Function::IsNotSetOrEmpty, exactly(1)),
    ("coalesce", Function::Coalesce, exactly(2)),
    ("AreEqual", Function::AreEqual, exactly(2)),
    ("ToString", Function::ToString, between(1, 2)),
    ("ToDisplayString", Function::ToDisplayString, between(1, 2)),
    ("ToInt", Function::ToInt, exactly(1)),
    ("ToDecimal", Function::ToDecimal, exactly(1)),
    ("ToBool", Function::ToBool, exactly(1)),
    ("ToPhoneNumber", Function::ToPhoneNumber, exactly(1)),
    ("ToDateTime", Function::ToDateTime, exactly(1)),
    ("Contains", Function::Contains, between(2, 3)),
    ("StartsWith", Function::StartsWith, between(2, 3)),
    ("EndsWith", Function::EndsWith, between(2, 3)),
    ("Substring", Function::Substring, between(2, 3)),
    ("FindString", Function::FindString, between(2, 3)),
    ("Replace", Function::Replace, exactly(3)),
    ("Left", Function::Left, exactly(2)),
    ("Right", Function::Right, exactly(2)),
    ("Length", Function::Length, exactly(1)),
    ("len", Function::Length, exactly(1)),
    ("Trim", Function::Trim, exactly(1)),
    ("ToUpper", Function::ToUpper, exactly(1)),
    ("upper", Function::ToUpper, exactly(1)),
    ("ToLower", Function::ToLower, exactly(1)),
    ("lower", Function::ToLower, exactly(1)),
    ("Append", Function::Append, at_least(1)),
    ("Count", Function::Count, exactly(1)),
    ("FindFirst", Function::FindFirst, exactly(2)),
    ("GetAt", Function::GetAt, exactly(2)),
    ("MakeList", Function::MakeList, at_least(0)),
    ("AddItem", Function::AddItem, exactly(2)),
    ("Random", Function::Random, between(0, 2)),
    ("Abs", Function::Abs, exactly(1)),
    ("Min", Function::Min, exactly(2)),
    ("Max", Function::Max, exactly(2)),
    ("GetCurrentDateTimeUtc", Function::GetCurrentDateTimeUtc, exactly(0)),
    ("AddSeconds", Function::AddSeconds, exactly(2)),
    ("AddMinutes", Function::AddMinutes, exactly(2)),
    ("AddHours", Function::AddHours, exactly(2)),
    ("AddDays", Function::AddDays, exactly(2)),
    ("DateTimeDiff", Function::DateTimeDiff, exactly(2)),
    ("MakeDuration", Function::MakeDuration, between(4, 5)),
    ("ToAudioTTS", Function::ToAudioTts, exactly(1)),
    ("ToAudioBlank", Function::ToAudioBlank, exactly(1)),
    ("ToAudioDuration", Function::ToAudioDuration, exactly(1)),
    ("AudioPlaybackOptions", Function::AudioPlaybackOptions, exactly(2)),
    ("MakeCommunication", Function::MakeCommunication, at_least(0)),
    ("ToCommunication", Function::ToCommunication, between(1, 2)),
    ("ResolveSlot", Function::ResolveSlot, exactly(1)),
    ("FindQueue", Function::FindQueue, exactly(1)),
    ("FindQueueById", Function::FindQueueById, exactly(1)),
    ("FindUser", Function::FindUser, exactly(1)),
    ("FindUserById", Function::FindUserById, exactly(1)),
    ("FindSkill", Function::FindSkill, exactly(1)),
    ("ToScheduleGroup", Function::ToScheduleGroup, exactly(1)),
    ("MakeListAgentScorePair", Function::MakeListAgentScorePair, exactly(2)),
    ("JsonParse", Function::JsonParse, exactly(1)),
    ("GetJsonObjectProperty", Function::GetJsonObjectProperty, exactly(2)),
];

impl Function {
    /// The function a name refers to, ignoring letter case (`right`, `Right`, `RIGHT`).
    pub fn from_name(name: &str) -> Option<Function> {
        CATALOG.iter().find(|(known, ..)| known.eq_ignore_ascii_case(name)).map(|(_, function, _)| *function)
    }

    /// The canonical spelling, as the printer writes it.
    pub fn name(self) -> &'static str {
        CATALOG.iter().find(|(_, function, _)| *function == self).map_or("?", |(name, ..)| name)
    }

    pub fn arity(self) -> Arity {
        CATALOG.iter().find(|(_, function, _)| *function == self).map_or(at_least(0), |(_, _, arity)| *arity)
    }

    /// Every accepted name, aliases included, in catalog order (for error messages and docs).
    pub fn names() -> impl Iterator<Item = &'static str> {
        CATALOG.iter().map(|(name, ..)| *name)
    }
}

impl Arity {
    pub fn accepts(self, count: usize) -> bool {
        count >= self.minimum && self.maximum.is_none_or(|maximum| count <= maximum)
    }

    /// "1 argument", "2 to 3 arguments", "at least 1 argument".
    pub fn describe(self) -> String {
        let plural = |count: usize| if count == 1 { "argument" } else { "arguments" };
        match self.maximum {
            Some(maximum) if maximum == self.minimum => format!("{maximum} {}", plural(maximum)),
            Some(maximum) => format!("{} to {maximum} {}", self.minimum, plural(maximum)),
            None => format!("at least {} {}", self.minimum, plural(self.minimum)),
        }
    }
}
