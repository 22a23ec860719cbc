use super::*;
use reqwest::header::{HeaderName, HeaderValue};

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(*name), HeaderValue::from_str(value)) {
            map.insert(name, value);
        }
    }
    map
}

fn at(unix: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(unix)
}

#[test]
fn real_platform_headers() {
    let map = headers(&[("inin-ratelimit-allowed", "300"), ("inin-ratelimit-count", "295"), ("inin-ratelimit-reset", "12")]);
    let snapshot = parse(&map, at(1_700_000_000));
    assert_eq!(snapshot, Some(RateSnapshot { limit: Some(300), remaining: 5, reset_in: Duration::from_secs(12) }));
}

#[test]
fn seed_headers_with_unix_reset() {
    let map = headers(&[("X-RateLimit-Limit", "1000"), ("X-RateLimit-Remaining", "42"), ("X-RateLimit-Reset", "1698765432")]);
    let snapshot = parse(&map, at(1_698_765_400));
    assert_eq!(snapshot, Some(RateSnapshot { limit: Some(1000), remaining: 42, reset_in: Duration::from_secs(32) }));
    // A reset in the past means "now", never a negative wait.
    assert_eq!(parse(&map, at(1_698_765_500)).map(|s| s.reset_in), Some(Duration::ZERO));
}

#[test]
fn seed_headers_with_delta_reset() {
    let map = headers(&[("x-ratelimit-remaining", "3"), ("x-ratelimit-reset", "7")]);
    assert_eq!(parse(&map, at(1_700_000_000)), Some(RateSnapshot { limit: None, remaining: 3, reset_in: Duration::from_secs(7) }));
}

#[test]
fn both_families_take_the_cautious_reading() {
    let map = headers(&[
        ("inin-ratelimit-allowed", "300"),
        ("inin-ratelimit-count", "100"),
        ("inin-ratelimit-reset", "5"),
        ("x-ratelimit-limit", "300"),
        ("x-ratelimit-remaining", "150"),
        ("x-ratelimit-reset", "1700000009"),
    ]);
    let snapshot = parse(&map, at(1_700_000_000));
    assert_eq!(snapshot, Some(RateSnapshot { limit: Some(300), remaining: 150, reset_in: Duration::from_secs(9) }));
}

#[test]
fn missing_or_garbage_headers_give_nothing() {
    assert_eq!(parse(&HeaderMap::new(), at(0)), None);
    let map = headers(&[("inin-ratelimit-allowed", "lots"), ("inin-ratelimit-count", "1"), ("x-ratelimit-remaining", "-4")]);
    assert_eq!(parse(&map, at(0)), None);
    // Count above allowed clamps to zero remaining.
    let map = headers(&[("inin-ratelimit-allowed", "10"), ("inin-ratelimit-count", "12")]);
    assert_eq!(parse(&map, at(0)).map(|s| s.remaining), Some(0));
}
