//! Date-time and duration text: ISO 8601 both ways, as Architect writes them in participant data.

use chrono::{DateTime, SecondsFormat, Utc};

/// `2026-11-29T04:11:32.000Z`.
pub fn format_date_time(moment: &DateTime<Utc>) -> String {
    moment.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Any RFC 3339 / ISO 8601 date-time with an offset, or a bare `YYYY-MM-DDTHH:MM:SS[.fff]` read as UTC.
pub fn parse_date_time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(moment) = DateTime::parse_from_rfc3339(text) {
        return Some(moment.with_timezone(&Utc));
    }
    chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|naive| naive.and_utc())
}

const SECOND: i64 = 1_000;
const MINUTE: i64 = 60 * SECOND;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// ISO 8601 with zero parts left out: `P1DT2H`, `PT1M30S`, `PT0.5S`, `PT0S`; negative as `-PT5S`.
pub fn format_duration(ms: i64) -> String {
    let sign = if ms < 0 { "-" } else { "" };
    let mut rest = ms.unsigned_abs() as i128;
    let unit = |size: i64, rest: &mut i128| {
        let count = *rest / size as i128;
        *rest %= size as i128;
        count
    };
    let days = unit(DAY, &mut rest);
    let hours = unit(HOUR, &mut rest);
    let minutes = unit(MINUTE, &mut rest);
    let seconds = unit(SECOND, &mut rest);
    let millis = rest;
    let mut text = format!("{sign}P");
    if days > 0 {
        text.push_str(&format!("{days}D"));
    }
    let has_time = hours > 0 || minutes > 0 || seconds > 0 || millis > 0 || days == 0;
    if has_time {
        text.push('T');
        if hours > 0 {
            text.push_str(&format!("{hours}H"));
        }
        if minutes > 0 {
            text.push_str(&format!("{minutes}M"));
        }
        if millis > 0 {
            let fraction = format!("{millis:03}");
            text.push_str(&format!("{seconds}.{}S", fraction.trim_end_matches('0')));
        } else if seconds > 0 || (hours == 0 && minutes == 0) {
            text.push_str(&format!("{seconds}S"));
        }
    }
    text
}

/// ISO 8601 durations (`P1DT2H3M4.5S`, `PT90S`, `-PT5S`); the leading `P` may be missing (`T0H1M0S`,
/// the default a corpus flow writes). Years and months are refused: their length depends on the date.
pub fn parse_duration(text: &str) -> Option<i64> {
    let text = text.trim();
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let text = text.strip_prefix(['P', 'p']).unwrap_or(text);
    if text.is_empty() {
        return None;
    }
    let mut total: f64 = 0.0;
    let mut in_time = false;
    let mut number = String::new();
    for character in text.chars() {
        match character.to_ascii_uppercase() {
            'T' if number.is_empty() && !in_time => in_time = true,
            digit if digit.is_ascii_digit() || digit == '.' => number.push(digit),
            designator => {
                let amount: f64 = number.parse().ok()?;
                number.clear();
                let unit = match (designator, in_time) {
                    ('W', false) => 7 * DAY,
                    ('D', false) => DAY,
                    ('H', true) => HOUR,
                    ('M', true) => MINUTE,
                    ('S', true) => SECOND,
                    _ => return None,
                };
                total += amount * unit as f64;
            }
        }
    }
    if !number.is_empty() || !total.is_finite() || total.abs() > i64::MAX as f64 {
        return None;
    }
    let ms = total.round() as i64;
    Some(if negative { -ms } else { ms })
}
