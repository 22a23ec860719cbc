//! Request extractors every handler uses: the JSON body that answers malformed input with the
//! Genesys 400 (413, 415) naming the field, and query parameters (paging, name filters, flags).

use crate::error::ApiError;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use switchboard_api::paging::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};

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
