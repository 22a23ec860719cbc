//! ISO-8601 intervals (`start/end`) and durations (`PT15M`, `P1D`) as the analytics API takes them.

use chrono::{DateTime, NaiveDateTime, SecondsFormat, TimeZone, Utc};

/// A half-open window `[start_ms, end_ms)` in epoch milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start_ms: i64,
    pub end_ms: i64,
}

pub fn parse_instant(text: &str) -> Result<i64, String> {
    let text = text.trim();
    if let Ok(instant) = DateTime::parse_from_rfc3339(text) {
        return Ok(instant.timestamp_millis());
    }
    // The real API also takes instants without an offset, read as UTC.
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(text, format) {
            return Ok(Utc.from_utc_datetime(&naive).timestamp_millis());
        }
    }
    Err(format!("'{text}' is not an ISO-8601 date-time"))
}

/// `2024-01-15T08:00:00.000Z/2024-01-15T09:00:00.000Z`.
pub fn parse_interval(text: &str) -> Result<Window, String> {
    let Some((start, end)) = text.split_once('/') else {
        return Err(format!("interval '{text}' must be 'start/end' in ISO-8601"));
    };
    let window = Window { start_ms: parse_instant(start)?, end_ms: parse_instant(end)? };
    if window.end_ms <= window.start_ms {
        return Err(format!("interval '{text}' ends before it starts"));
    }
    Ok(window)
}

/// `PnW`, `PnD`, `PTnHnMnS` and combinations such as `P1DT12H`, in milliseconds, at most
/// `limits::ANALYTICS_SPAN_MAX` (checked, so `PT9223372036854775807S` is an error, not a wrap).
pub fn parse_duration_ms(text: &str) -> Result<i64, String> {
    let max_ms = crate::limits::ANALYTICS_SPAN_MAX.num_milliseconds();
    let invalid = || format!("'{text}' is not an ISO-8601 duration such as PT15M of at most {max_ms} ms");
    let rest = text.strip_prefix('P').ok_or_else(invalid)?;
    let (date_part, time_part) = match rest.split_once('T') {
        Some((date, time)) => (date, Some(time)),
        None => (rest, None),
    };
    let mut total: i64 = 0;
    let mut add = |part: &str, units: &[(char, i64)]| -> Result<(), String> {
        let mut number = String::new();
        for character in part.chars() {
            if character.is_ascii_digit() || character == '.' {
                number.push(character);
                continue;
            }
            let unit = units.iter().find(|(name, _)| *name == character).ok_or_else(invalid)?.1;
            let value: f64 = number.parse().map_err(|_| invalid())?;
            let part_ms = value * unit as f64;
            if !(part_ms.is_finite() && part_ms <= max_ms as f64) {
                return Err(invalid());
            }
            total = total.checked_add(part_ms as i64).filter(|total| *total <= max_ms).ok_or_else(invalid)?;
            number.clear();
        }
        if number.is_empty() { Ok(()) } else { Err(invalid()) }
    };
    add(date_part, &[('W', 604_800_000), ('D', 86_400_000)])?;
    if let Some(time) = time_part {
        add(time, &[('H', 3_600_000), ('M', 60_000), ('S', 1_000)])?;
    }
    if total <= 0 {
        return Err(invalid());
    }
    Ok(total)
}

pub fn format_instant(ms: i64) -> String {
    Utc.timestamp_millis_opt(ms)
        .single()
        .map(|instant| instant.to_rfc3339_opts(SecondsFormat::Millis, true))
        .unwrap_or_else(|| ms.to_string())
}

pub fn format_window(start_ms: i64, end_ms: i64) -> String {
    format!("{}/{}", format_instant(start_ms), format_instant(end_ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_intervals_parse() {
        assert_eq!(parse_duration_ms("PT15M"), Ok(900_000));
        assert_eq!(parse_duration_ms("P1DT12H"), Ok(129_600_000));
        assert!(parse_duration_ms("15M").is_err());
        let window = parse_interval("2024-01-15T08:00:00.000Z/2024-01-15T09:00:00Z").expect("valid");
        assert_eq!(window.end_ms - window.start_ms, 3_600_000);
        assert_eq!(format_window(window.start_ms, window.end_ms), "2024-01-15T08:00:00.000Z/2024-01-15T09:00:00.000Z");
        assert!(parse_interval("2024-01-15T09:00:00Z/2024-01-15T08:00:00Z").is_err());
    }

    #[test]
    fn overflowing_durations_are_errors_not_wraps() {
        // The measured defect: these answered 200 with an interval ending in a negative number.
        for text in ["PT9223372036854775807S", "P106751991167W", "P1e308D", "P99999999999999999999W", "PT1000000000000H"] {
            assert!(parse_duration_ms(text).is_err(), "{text}");
        }
        assert_eq!(parse_duration_ms("P520W"), Ok(520 * 604_800_000));
    }
}
