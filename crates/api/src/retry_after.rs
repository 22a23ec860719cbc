//! `Retry-After` (RFC 9110 §10.2.3), read the one way every caller reads it: `delay-seconds` (a
//! whole number; a fraction like `0.5` is accepted too, as some servers send one) or an
//! `HTTP-date` in the IMF-fixdate form (`Sun, 06 Nov 1994 08:49:37 GMT`), which is a delay from
//! `now`. Anything else (negative, not a number, an obsolete date form) is no `Retry-After`.
//! Pure: the caller passes its clock's time.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Longest wait honoured: a server asking for more is held to an hour.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// The delay a `Retry-After` value asks for, capped at [`MAX_RETRY_AFTER`]; a date in the past
/// is no delay at all.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    if value.bytes().all(|byte| byte.is_ascii_digit() || byte == b'.') {
        let seconds: f64 = value.parse().ok()?;
        return seconds.is_finite().then(|| Duration::from_secs_f64(seconds.min(MAX_RETRY_AFTER.as_secs_f64())));
    }
    let date = http_date(value)?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO).min(MAX_RETRY_AFTER))
}

/// An IMF-fixdate: `Wkd, DD Mon YYYY HH:MM:SS GMT`.
fn http_date(value: &str) -> Option<SystemTime> {
    let (weekday, rest) = value.split_once(", ")?;
    if !["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].contains(&weekday) {
        return None;
    }
    let parts: Vec<&str> = rest.split(' ').collect();
    let [day, month, year, time, "GMT"] = parts.as_slice() else { return None };
    let day: u32 = two_digits(day)?;
    let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"].iter().position(|name| name == month)? as u32 + 1;
    let year: i64 = if year.len() == 4 { year.parse().ok()? } else { return None };
    let clock: Vec<&str> = time.split(':').collect();
    let [hour, minute, second] = clock.as_slice() else { return None };
    let (hour, minute, second) = (two_digits(hour)?, two_digits(minute)?, two_digits(second)?);
    if !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let seconds = days_from_civil(year, month, day) * 86_400 + i64::from(hour * 3600 + minute * 60 + second);
    let seconds = u64::try_from(seconds).ok()?;
    UNIX_EPOCH.checked_add(Duration::from_secs(seconds))
}

fn two_digits(text: &str) -> Option<u32> {
    (text.len() == 2 && text.bytes().all(|byte| byte.is_ascii_digit())).then(|| text.parse().ok()).flatten()
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds)
    }

    #[test]
    fn delay_seconds_whole_and_fractional() {
        let now = at(0);
        assert_eq!(parse_retry_after("3", now), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after(" 0.5 ", now), Some(Duration::from_millis(500)));
        assert_eq!(parse_retry_after("0", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("86400", now), Some(MAX_RETRY_AFTER), "capped at an hour");
    }

    #[test]
    fn http_date_is_a_delay_from_now() {
        // 1994-11-06 08:49:37 UTC is 784111777 s after the epoch (RFC 9110's example).
        let date = "Sun, 06 Nov 1994 08:49:37 GMT";
        assert_eq!(parse_retry_after(date, at(784_111_777 - 120)), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after(date, at(784_111_777 + 5)), Some(Duration::ZERO), "a past date: retry now");
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", at(1_445_412_480 - 7)), Some(Duration::from_secs(7)));
    }

    #[test]
    fn anything_else_is_no_retry_after() {
        let now = at(0);
        for value in ["", "-1", "soon", "1e3", "inf", "NaN", "1.2.3", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 32 Nov 1994 08:49:37 GMT"] {
            assert_eq!(parse_retry_after(value, now), None, "{value:?}");
        }
    }
}
