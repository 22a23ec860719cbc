//! The one home of the emulator's limits on what comes from outside (request bodies, query
//! parameters, paths, control API rules) and the checks that enforce them. Every limit here is
//! documented in docs/emulator.md ("Limits"); a value outside one is a 400 naming the field.

use crate::error::ApiError;
use std::time::Duration;

/// `speedUp` of calls and traffic: a hundredth of real time up to 100,000 times faster. Below
/// the floor a modelled second would last longer than `Duration` can hold.
pub const SPEED_UP_MIN: f64 = 0.01;
pub const SPEED_UP_MAX: f64 = 100_000.0;
/// `callsPerMinute` of one traffic stream (`callsPerHour` is this times 60).
pub const CALLS_PER_MINUTE_MAX: f64 = 6_000.0;
/// Arrivals per wall-clock second of one stream: rate × largest curve multiplier × speed-up / 60.
pub const ARRIVALS_PER_SECOND_MAX: f64 = 200.0;
/// A traffic curve's hourly multiplier.
pub const CURVE_MULTIPLIER_MAX: f64 = 100.0;
/// Traffic streams running at once.
pub const TRAFFIC_STREAMS_MAX: usize = 64;
/// Live calls (placed and not yet ended) at once; more are refused until some end.
pub const LIVE_CALLS_MAX: usize = 5_000;
/// `timeoutMs` of the control API's waits.
pub const WAIT_MS_MAX: u64 = 600_000;
/// A fault rule's `latencyMs` plus `jitterMs`.
pub const FAULT_DELAY_MS_MAX: u64 = 600_000;
/// Fault rules at once.
pub const FAULT_RULES_MAX: usize = 256;
/// A fault rule's path glob, in bytes.
pub const GLOB_BYTES_MAX: usize = 512;
/// A request body, in bytes (413 above).
pub const BODY_BYTES_MAX: usize = 2 * 1024 * 1024;
/// A request path, in bytes (414 above; hyper itself refuses URIs over 64 KiB first).
pub const PATH_BYTES_MAX: usize = 8 * 1024;
/// Request line plus headers, in bytes (431 with the Genesys body above it, from `head`).
pub const HEADER_BYTES_MAX: usize = 64 * 1024;
/// hyper's own cap on request line plus headers, the outer hard limit: above it hyper answers
/// 431 with an empty body before any of our code runs. Four times ours, so every head between
/// the two reaches `head` and gets the Genesys body; it bounds what one connection buffers.
pub const HEADER_BYTES_HARD_MAX: usize = 4 * HEADER_BYTES_MAX;
/// One decoded path segment (an id or a name in the path), in characters.
pub const PATH_SEGMENT_CHARS_MAX: usize = 512;
/// A `name` (or `*Name`) field in a body, in characters.
pub const NAME_CHARS_MAX: usize = 256;
/// An `id` (or `*Id`) field in a body, in characters.
pub const ID_CHARS_MAX: usize = 128;
/// Any other string in a body, in characters (flow configurations and scripts included).
pub const TEXT_CHARS_MAX: usize = 1024 * 1024;
/// Issued OAuth tokens held at once, across orgs; issuing past it revokes the token closest to
/// expiry (`state::tokens`).
pub const TOKENS_LIVE_MAX: usize = 200_000;
/// Blocks in one flow. Flow content is checked by the model's parsers against
/// `switchboard_model::limits` (blocks per flow, placeholders per file, an expression's bytes,
/// nesting depth and dotted name parts), so the CLI, the review and the emulator refuse the same
/// documents, in linear time; a saved version's JSON body is checked here against this one.
pub use switchboard_model::limits::FLOW_BLOCKS_MAX;
/// Analytics interval and granularity: ten years.
pub const ANALYTICS_SPAN_MAX: chrono::TimeDelta = chrono::TimeDelta::days(3_660);
/// Connecting to a tenant's endpoint (data action, health check) may take this long.
pub const OUTBOUND_CONNECT_TIMEOUT_MS: u64 = 5_000;
/// A remote answer (data action, health check) is read up to this many bytes, then refused.
pub const REMOTE_BODY_BYTES_MAX: usize = 5 * 1024 * 1024;
/// An integration health check's `timeoutMs`: the data-action ceiling of a minute.
pub const HEALTHCHECK_TIMEOUT_MS_MAX: u64 = 60_000;
/// Custom fields (columns besides the key) of one data table, as on the real platform.
pub const DATATABLE_COLUMNS_MAX: usize = 50;
/// Offending topics an unknown-topic 400 names (the rest are only counted).
pub const TOPICS_NAMED_MAX: usize = 10;
/// One WebSocket message from a notification client (they send only pings and small JSON).
pub const SOCKET_MESSAGE_BYTES_MAX: usize = 64 * 1024;
/// One WebSocket frame from a notification client.
pub const SOCKET_FRAME_BYTES_MAX: usize = 16 * 1024;
/// Messages an Architect job keeps and returns with `expand=messages`: the first ones are the
/// ones that explain a failure, and a job's outcome must stay readable.
pub const JOB_MESSAGES_MAX: usize = 1_000;

/// A float that must be finite and inside `min..=max`.
pub fn number_in(field: &str, value: f64, min: f64, max: f64) -> Result<f64, ApiError> {
    if value.is_finite() && (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(ApiError::invalid_value(format!("{field}: must be a number from {min} to {max}, got {value}")))
    }
}

/// An integer that must be at most `max`.
pub fn at_most(field: &str, value: u64, max: u64) -> Result<u64, ApiError> {
    if value <= max {
        Ok(value)
    } else {
        Err(ApiError::invalid_value(format!("{field}: must be at most {max}, got {value}")))
    }
}

/// A flow version body's block count (`FLOW_BLOCKS_MAX`).
pub fn flow_blocks(count: usize) -> Result<(), ApiError> {
    if count > FLOW_BLOCKS_MAX {
        return Err(ApiError::invalid_value(format!("blocks: a flow has at most {FLOW_BLOCKS_MAX} blocks, got {count}")));
    }
    Ok(())
}

/// `speedUp` checked against its range.
pub fn speed_up(value: f64) -> Result<f64, ApiError> {
    number_in("speedUp", value, SPEED_UP_MIN, SPEED_UP_MAX)
}

/// A control API wait (`timeoutMs`) as a duration.
pub fn wait(value: Option<u64>, default_ms: u64) -> Result<Duration, ApiError> {
    Ok(Duration::from_millis(at_most("timeoutMs", value.unwrap_or(default_ms), WAIT_MS_MAX)?))
}

/// A modelled duration shortened by a speed-up, without `Duration::from_secs_f64`'s panics:
/// non-finite or negative results are zero, huge ones saturate at a day.
pub fn scaled(ms: u64, speed_up: f64) -> Duration {
    seconds(ms as f64 / 1_000.0 / speed_up)
}

/// Seconds as a duration, saturating (NaN and negatives are zero).
pub fn seconds(value: f64) -> Duration {
    // `f64::min` would turn NaN into the cap; NaN must be zero.
    if value.is_nan() {
        return Duration::ZERO;
    }
    Duration::try_from_secs_f64(value.min(86_400.0)).unwrap_or(Duration::ZERO)
}

/// Whether a string holds a control character that no name, id or header value may hold.
fn has_control(text: &str, allow_whitespace: bool) -> bool {
    text.chars().any(|character| character.is_control() && !(allow_whitespace && matches!(character, '\t' | '\n' | '\r')))
}

/// What kind of string a JSON field holds, from its key (`name`, `queueName`, `id`, `flowId`).
fn kind_of(key: &str) -> (usize, bool) {
    if key == "name" || key.ends_with("Name") {
        (NAME_CHARS_MAX, false)
    } else if key == "id" || key.ends_with("Id") {
        (ID_CHARS_MAX, false)
    } else {
        (TEXT_CHARS_MAX, true)
    }
}

/// Checks one string field: its length and its characters.
pub fn text(field: &str, value: &str, max_chars: usize, allow_whitespace: bool) -> Result<(), ApiError> {
    // Counting bytes first keeps a huge string from being walked twice.
    if value.len() > max_chars && value.chars().count() > max_chars {
        return Err(ApiError::invalid_value(format!("{field}: at most {max_chars} characters, got {}", value.chars().count())));
    }
    if value.contains('\0') || has_control(value, allow_whitespace) {
        return Err(ApiError::invalid_value(format!("{field}: must not contain control characters")));
    }
    Ok(())
}

/// Checks every string (and key) of a request body: names and ids by their limits, NUL and
/// control characters nowhere, other text up to `TEXT_CHARS_MAX`. The error names the field
/// by its JSON path (`routingRules[0].queueName`).
pub fn body_strings(value: &serde_json::Value) -> Result<(), ApiError> {
    walk(value, &mut String::new(), "")
}

fn walk(value: &serde_json::Value, path: &mut String, key: &str) -> Result<(), ApiError> {
    match value {
        serde_json::Value::String(string) => {
            let (max, whitespace) = kind_of(key);
            text(if path.is_empty() { "body" } else { path }, string, max, whitespace)
        }
        serde_json::Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                let length = path.len();
                path.push_str(&format!("[{index}]"));
                walk(item, path, key)?;
                path.truncate(length);
            }
            Ok(())
        }
        serde_json::Value::Object(fields) => {
            for (name, item) in fields {
                let length = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                text(&format!("{path}{}", "(key)"), name, NAME_CHARS_MAX, false)?;
                path.push_str(name);
                walk(item, path, name)?;
                path.truncate(length);
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Checks a request's head: request line plus headers at most `HEADER_BYTES_MAX` bytes, counted
/// as on the wire (`NAME: VALUE\r\n` per header), else 431 naming the limit.
pub fn head<B>(request: &axum::http::Request<B>) -> Result<(), ApiError> {
    // Method, target, "HTTP/1.1" and the separators of the request line; the target measured in
    // place (no per-request string), absolute-form included.
    let uri = request.uri();
    let target = uri.scheme_str().map_or(0, |scheme| scheme.len() + 3)
        + uri.authority().map_or(0, |authority| authority.as_str().len())
        + uri.path_and_query().map_or(uri.path().len(), |target| target.as_str().len());
    let line = request.method().as_str().len() + target + 11;
    let headers: usize = request.headers().iter().map(|(name, value)| name.as_str().len() + value.len() + 4).sum();
    if line + headers > HEADER_BYTES_MAX {
        return Err(ApiError::new(
            axum::http::StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            switchboard_api::error::codes::BAD_REQUEST,
            format!("The request line and headers are longer than {HEADER_BYTES_MAX} bytes."),
        ));
    }
    Ok(())
}

/// Checks a request path: its length (414) and each decoded segment (400 for bad
/// percent-encoding, control characters or an over-long id).
pub fn path(path: &str) -> Result<(), ApiError> {
    if path.len() > PATH_BYTES_MAX {
        return Err(ApiError::new(
            axum::http::StatusCode::URI_TOO_LONG,
            switchboard_api::error::codes::BAD_REQUEST,
            format!("The request path is longer than {PATH_BYTES_MAX} bytes."),
        ));
    }
    for segment in path.split('/') {
        // The hot path (no escapes) checks the segment in place, allocating nothing.
        let decoded = if segment.contains('%') {
            std::borrow::Cow::Owned(
                percent_decode(segment)
                    .ok_or_else(|| ApiError::bad_request(format!("path segment `{}`: invalid percent-encoding", short(segment))))?,
            )
        } else {
            std::borrow::Cow::Borrowed(segment)
        };
        if decoded.len() > PATH_SEGMENT_CHARS_MAX && decoded.chars().count() > PATH_SEGMENT_CHARS_MAX {
            return Err(ApiError::invalid_value(format!("path segment: at most {PATH_SEGMENT_CHARS_MAX} characters")));
        }
        if has_control(&decoded, false) {
            return Err(ApiError::invalid_value("path segment: must not contain control characters"));
        }
    }
    Ok(())
}

/// The first characters of something long, for an error message.
fn short(text: &str) -> String {
    text.chars().take(40).collect()
}

/// Percent-decodes a path segment; `None` for a bad escape or bytes that are not UTF-8.
fn percent_decode(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let hex = bytes.get(index + 1..index + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            index += 3;
        } else {
            out.push(bytes[index]);
            index += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn speed_ups_that_used_to_panic_are_refused() {
        for value in [1e-20, 1e-300, 5e-324, f64::NAN, f64::INFINITY, -1.0, 0.0, 1e9] {
            let error = speed_up(value).expect_err("out of range");
            assert!(error.message.starts_with("speedUp:"), "{}", error.message);
        }
        assert_eq!(speed_up(60.0), Ok(60.0));
    }

    #[test]
    fn scaled_durations_never_panic() {
        assert_eq!(scaled(u64::MAX, 5e-324), Duration::from_secs(86_400));
        assert_eq!(scaled(1_000, f64::NAN), Duration::ZERO);
        assert_eq!(scaled(1_000, -1.0), Duration::ZERO);
        assert_eq!(scaled(2_000, 2.0), Duration::from_secs(1));
    }

    #[test]
    fn body_strings_name_the_field() {
        let long = "x".repeat(NAME_CHARS_MAX + 1);
        let error = body_strings(&json!({"name": long})).expect_err("too long");
        assert!(error.message.starts_with("name:"), "{}", error.message);
        let error = body_strings(&json!({"rules": [{"queueId": "a\u{0}b"}]})).expect_err("NUL");
        assert!(error.message.starts_with("rules[0].queueId:"), "{}", error.message);
        assert!(body_strings(&json!({"description": "two\nlines", "name": "Support"})).is_ok());
        assert!(body_strings(&json!({"description": "bell\u{7}"})).is_err());
    }

    #[test]
    fn a_head_over_the_limit_is_a_431_naming_it() {
        let request = |value: &str| axum::http::Request::get("/api/v2/users").header("x-big", value).body(()).expect("request");
        assert!(head(&request(&"a".repeat(HEADER_BYTES_MAX - 100))).is_ok());
        let error = head(&request(&"a".repeat(HEADER_BYTES_MAX))).expect_err("over the limit");
        assert_eq!(error.status.as_u16(), 431);
        assert!(error.message.contains(&HEADER_BYTES_MAX.to_string()), "{}", error.message);
    }

    #[test]
    fn paths_are_checked_segment_by_segment() {
        assert_eq!(path("/api/v2/users/%FF%FE").map_err(|error| error.status.as_u16()), Err(400));
        assert_eq!(path("/api/v2/users/%4").map_err(|error| error.status.as_u16()), Err(400));
        assert_eq!(path("/api/v2/users/a%00b").map_err(|error| error.status.as_u16()), Err(400));
        assert_eq!(path(&format!("/api/v2/users/{}", "a".repeat(PATH_BYTES_MAX))).map_err(|error| error.status.as_u16()), Err(414));
        assert!(path("/api/v2/users/J%C3%BCrgen").is_ok());
    }
}
