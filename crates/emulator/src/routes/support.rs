//! Handler helpers: the JSON extractor that answers malformed bodies with a Genesys 400, query
//! parameters, and the paging envelope.

use crate::error::ApiError;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use switchboard_api::paging::{DEFAULT_PAGE_SIZE, EntityListing, MAX_PAGE_SIZE};

/// Current time as the platform writes it: `2024-01-15T08:00:00.000Z`.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

pub fn now_millis() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// `axum::Json` with rejections turned into the platform's 400 (or 413, 415) body, and every
/// string checked against `limits::body_strings` before the body is typed.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let value = match axum::Json::<serde_json::Value>::from_request(request, state).await {
            Ok(axum::Json(value)) => value,
            Err(rejection) => {
                let status = rejection.status();
                let message = format!("The request could not be understood: {}", rejection.body_text());
                return Err(match status.as_u16() {
                    413 | 415 => ApiError::new(status, switchboard_api::error::codes::BAD_REQUEST, message),
                    _ => ApiError::bad_request(message),
                });
            }
        };
        crate::limits::body_strings(&value)?;
        typed(value).map(ApiJson)
    }
}

/// Types a checked body; the error names the field serde stopped at.
fn typed<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value).map_err(|error| {
        let field = error.path().to_string();
        ApiError::bad_request(format!("The request could not be understood: {field}: {}", error.inner()))
    })
}

/// Query parameters as ordered pairs (repeated keys allowed).
#[derive(Debug, Clone, Default)]
pub struct Params(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<Vec<(String, String)>>::try_from_uri(&parts.uri)
            .map(|query| Params(query.0))
            .map_err(|rejection| ApiError::bad_request(rejection.body_text()))
    }
}

impl Params {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
    }

    pub fn flag(&self, name: &str, default: bool) -> Result<bool, ApiError> {
        match self.get(name) {
            None => Ok(default),
            Some(value) => value.parse().map_err(|_| ApiError::invalid_value(format!("{name}: expected true or false, got `{value}`"))),
        }
    }

    fn number(&self, name: &str, default: u32) -> Result<u32, ApiError> {
        match self.get(name) {
            None => Ok(default),
            Some(value) => value
                .parse::<u32>()
                .ok()
                .filter(|number| *number >= 1)
                .ok_or_else(|| ApiError::invalid_value(format!("{name}: expected a positive integer, got `{value}`"))),
        }
    }

    pub fn page_size(&self) -> Result<u32, ApiError> {
        let size = self.number("pageSize", DEFAULT_PAGE_SIZE)?;
        if size > MAX_PAGE_SIZE {
            return Err(ApiError::invalid_value(format!("pageSize: at most {MAX_PAGE_SIZE}")));
        }
        Ok(size)
    }

    pub fn page_number(&self) -> Result<u32, ApiError> {
        self.number("pageNumber", 1)
    }

    /// Case-insensitive name filter; `*` is a wildcard as on the real platform.
    pub fn name_matches(&self, name: &str) -> bool {
        match self.get("name") {
            None => true,
            Some(wanted) if wanted.contains('*') => {
                let lowered = name.to_lowercase();
                let mut rest = lowered.as_str();
                let parts: Vec<String> = wanted.to_lowercase().split('*').map(str::to_string).collect();
                for (index, part) in parts.iter().enumerate() {
                    if index == 0 {
                        match rest.strip_prefix(part.as_str()) {
                            Some(after) => rest = after,
                            None => return false,
                        }
                    } else if let Some(position) = rest.find(part.as_str()) {
                        rest = &rest[position + part.len()..];
                    } else {
                        return false;
                    }
                }
                parts.last().is_none_or(|last| last.is_empty() || lowered.ends_with(last.as_str()))
            }
            Some(wanted) => name.eq_ignore_ascii_case(wanted),
        }
    }
}

/// One page of `items` in the real envelope; URIs keep the request's other parameters.
pub fn paginate<T: Clone>(items: Vec<T>, params: &Params, path: &str) -> Result<EntityListing<T>, ApiError> {
    let page_size = params.page_size()?;
    let page_number = params.page_number()?;
    let total = items.len() as u64;
    let page_count = total.div_ceil(u64::from(page_size)) as u32;
    let start = (u64::from(page_number) - 1).saturating_mul(u64::from(page_size));
    let entities: Vec<T> = items.into_iter().skip(start as usize).take(page_size as usize).collect();
    let others: String = params
        .0
        .iter()
        .filter(|(key, _)| key != "pageSize" && key != "pageNumber")
        .map(|(key, value)| format!("&{}={}", encode(key), encode(value)))
        .collect();
    let uri = |number: u32| format!("{path}?pageSize={page_size}&pageNumber={number}{others}");
    Ok(EntityListing {
        entities,
        page_size,
        page_number,
        total,
        page_count,
        self_uri: Some(uri(page_number)),
        first_uri: Some(uri(1)),
        next_uri: (page_number < page_count).then(|| uri(page_number + 1)),
        previous_uri: (page_number > 1).then(|| uri(page_number - 1)),
        last_uri: Some(uri(page_count.max(1))),
    })
}

/// Minimal percent-encoding for query values we echo back in paging URIs.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'*' => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Checks a body `version` against the stored one (users, IVRs, DIDs, trunks, the org).
pub fn check_version(what: &str, sent: u64, current: u64) -> Result<(), ApiError> {
    if sent != current {
        return Err(ApiError::stale_version(what, sent, current));
    }
    Ok(())
}

/// Rejects empty names with the platform's 400.
pub fn require_name(name: &str) -> Result<(), ApiError> {
    if name.trim().is_empty() {
        return Err(ApiError::invalid_value("name: must not be empty"));
    }
    Ok(())
}

/// Runs `read` on the caller's org; objects of other orgs are simply not there (404).
pub fn read<R>(
    state: &crate::state::AppState,
    caller: &crate::state::Caller,
    read: impl FnOnce(&crate::state::OrgStore) -> Result<R, ApiError>,
) -> Result<R, ApiError> {
    state
        .with_org(&caller.org_id, read)
        .unwrap_or_else(|| Err(ApiError::unauthorized("The token's organization no longer exists.")))
}

/// Runs `write` on the caller's org.
pub fn write<R>(
    state: &crate::state::AppState,
    caller: &crate::state::Caller,
    write: impl FnOnce(&mut crate::state::OrgStore) -> Result<R, ApiError>,
) -> Result<R, ApiError> {
    state
        .with_org_mut(&caller.org_id, write)
        .unwrap_or_else(|| Err(ApiError::unauthorized("The token's organization no longer exists.")))
}
