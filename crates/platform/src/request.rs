//! `ApiRequest`/`ApiResponse`: the unit the `Platform` trait executes. Typed calls build
//! requests; the client adds auth, retries and rate limiting; a test double can answer them
//! directly.

use reqwest::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{PlatformError, Result};

#[derive(Debug, Clone)]
pub struct ApiRequest {
    pub method: Method,
    /// Absolute path on the API host, e.g. `/api/v2/routing/queues/{id}`.
    pub path: String,
    pub query: Vec<(String, String)>,
    pub body: Option<serde_json::Value>,
    /// Seed extension: send `If-Match` so a stale write fails with 412.
    pub if_match: Option<String>,
    /// Whether repeating the call after an ambiguous failure is safe. Defaults from the method:
    /// GET, HEAD, PUT, DELETE yes; POST, PATCH no (see `retry` for what that changes).
    pub idempotent: bool,
    /// For error messages: which kind of object, and which one.
    pub resource: &'static str,
    pub id: Option<String>,
    /// `path` is an absolute presigned URL the platform handed out (an Architect job's upload or
    /// download): sent without the bearer token, and never logged (its query is a credential).
    pub presigned: bool,
    /// A non-JSON body (flow YAML) with its content type; `body` is then `None`.
    pub raw_body: Option<RawBody>,
    /// Extra headers (a presigned upload's signed headers).
    pub headers: Vec<(String, String)>,
    /// An emulator control call (`/_emulator/*`): sent with the client's control credential
    /// instead of the bearer token.
    pub control: bool,
    /// A call that may take longer than the client's per-attempt and total timeouts (a placed
    /// call answered once its flow is over): both stretch to this.
    pub timeout: Option<std::time::Duration>,
}

#[derive(Debug, Clone)]
pub struct RawBody {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

impl ApiRequest {
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        let idempotent = matches!(method, Method::GET | Method::HEAD | Method::PUT | Method::DELETE);
        Self {
            method,
            path: path.into(),
            query: Vec::new(),
            body: None,
            if_match: None,
            idempotent,
            resource: "resource",
            id: None,
            presigned: false,
            raw_body: None,
            headers: Vec::new(),
            control: false,
            timeout: None,
        }
    }

    /// A request to a presigned URL the platform returned (absolute; no bearer token).
    pub fn presigned(method: Method, url: impl Into<String>) -> Self {
        Self { presigned: true, ..Self::new(method, url) }
    }

    /// A call on the emulator's control surface (path under `/_emulator/`).
    pub fn control(method: Method, path: impl Into<String>) -> Self {
        Self { control: true, ..Self::new(method, path) }
    }

    /// What logs may show of the target: a presigned URL loses its query (the signature).
    pub fn path_for_logs(&self) -> &str {
        if self.presigned { self.path.split('?').next().unwrap_or_default() } else { &self.path }
    }

    pub fn raw(mut self, content_type: impl Into<String>, bytes: Vec<u8>) -> Self {
        self.raw_body = Some(RawBody { content_type: content_type.into(), bytes });
        self.body = None;
        self
    }

    pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn get(path: impl Into<String>) -> Self {
        Self::new(Method::GET, path)
    }

    pub fn post(path: impl Into<String>) -> Self {
        Self::new(Method::POST, path)
    }

    pub fn put(path: impl Into<String>) -> Self {
        Self::new(Method::PUT, path)
    }

    pub fn patch(path: impl Into<String>) -> Self {
        Self::new(Method::PATCH, path)
    }

    pub fn delete(path: impl Into<String>) -> Self {
        Self::new(Method::DELETE, path)
    }

    pub fn query(mut self, name: &str, value: impl ToString) -> Self {
        self.query.push((name.to_owned(), value.to_string()));
        self
    }

    pub fn json(mut self, body: &impl Serialize) -> Result<Self> {
        let value = serde_json::to_value(body).map_err(|error| PlatformError::Decode { what: format!("{} request body", self.resource), message: error.to_string() })?;
        self.body = Some(value);
        Ok(self)
    }

    pub fn if_match(mut self, etag: Option<String>) -> Self {
        self.if_match = etag;
        self
    }

    /// Marks a POST/PATCH as safe to repeat (queries, actions the server deduplicates).
    pub fn idempotent(mut self) -> Self {
        self.idempotent = true;
        self
    }

    pub fn about(mut self, resource: &'static str, id: Option<&str>) -> Self {
        self.resource = resource;
        self.id = id.map(str::to_owned);
        self
    }
}

/// A successful (2xx) response.
#[derive(Debug, Clone)]
pub struct ApiResponse {
    pub status: u16,
    /// The `ETag` header, when the server versions this object that way.
    pub etag: Option<String>,
    pub body: Vec<u8>,
    /// What the body decodes as, for error messages.
    pub resource: &'static str,
}

impl ApiResponse {
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_slice(&self.body).map_err(|error| PlatformError::Decode { what: self.resource.to_owned(), message: error.to_string() })
    }
}
