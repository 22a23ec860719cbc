//! Shared plumbing for the typed calls: decoding, ETag capture, path escaping.

use serde::de::DeserializeOwned;

use crate::error::Result;
use crate::platform::Platform;
use crate::request::ApiRequest;

/// A value plus the `ETag` it was served with (seed extension; `None` on a real org or `--strict`).
#[derive(Debug, Clone, PartialEq)]
pub struct Versioned<T> {
    pub value: T,
    pub etag: Option<String>,
}

pub(crate) async fn fetch<P: Platform + ?Sized, T: DeserializeOwned>(platform: &P, request: ApiRequest) -> Result<T> {
    platform.execute(request).await?.json()
}

pub(crate) async fn fetch_versioned<P: Platform + ?Sized, T: DeserializeOwned>(platform: &P, request: ApiRequest) -> Result<Versioned<T>> {
    let response = platform.execute(request).await?;
    Ok(Versioned { value: response.json()?, etag: response.etag.clone() })
}

pub(crate) async fn fetch_nothing<P: Platform + ?Sized>(platform: &P, request: ApiRequest) -> Result<()> {
    platform.execute(request).await.map(|_| ())
}

/// Percent-escapes one path segment (ids are usually UUIDs, but data-table row keys are free text).
pub fn segment(raw: &str) -> String {
    let mut escaped = String::with_capacity(raw.len());
    for byte in raw.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            escaped.push(char::from(byte));
        } else {
            escaped.push_str(&format!("%{byte:02X}"));
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    #[test]
    fn segments_are_escaped() {
        assert_eq!(super::segment("abc-123"), "abc-123");
        assert_eq!(super::segment("a b/c?d"), "a%20b%2Fc%3Fd");
        assert_eq!(super::segment("é"), "%C3%A9");
    }
}
