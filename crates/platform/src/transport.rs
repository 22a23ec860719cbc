//! One HTTP attempt: build the request, send it with a timeout, read the whole body. Also the one
//! place where a non-2xx status becomes a `PlatformError`.

use std::time::Duration;

use reqwest::header::{HeaderMap, IF_MATCH};
use switchboard_api::error::ErrorBody;

use crate::error::PlatformError;
use crate::request::ApiRequest;
use crate::secret::Secret;

/// What an attempt may send: the org's bearer token, and the emulator control credential
/// (only on control calls).
pub(crate) struct Credentials<'a> {
    pub token: &'a Secret,
    pub control_token: Option<&'a Secret>,
}

/// What one attempt produced.
pub(crate) enum Attempt {
    Response { status: u16, headers: HeaderMap, body: Vec<u8> },
    /// Nothing reached the server: always safe to retry.
    ConnectFailed(String),
    /// The attempt's timeout fired; the server may or may not have acted.
    TimedOut(Duration),
    /// The connection failed after the request may have been sent (reset, truncated body).
    Broken(String),
}

pub(crate) async fn send(http: &reqwest::Client, api_base: &str, request: &ApiRequest, credentials: Credentials<'_>, timeout: Duration) -> Attempt {
    let Credentials { token, control_token } = credentials;
    let mut builder = if request.presigned {
        // The URL carries its own credential; the org's token must not travel to it.
        http.request(request.method.clone(), &request.path).timeout(timeout)
    } else if request.control {
        // The control surface takes its own credential; the org's token has no business there.
        let url = format!("{api_base}{}", request.path);
        let mut builder = http.request(request.method.clone(), &url).timeout(timeout);
        if let Some(control_token) = control_token {
            let mut value = reqwest::header::HeaderValue::from_str(control_token.expose()).unwrap_or(reqwest::header::HeaderValue::from_static(""));
            value.set_sensitive(true);
            builder = builder.header(switchboard_api::emulator::CONTROL_TOKEN_HEADER, value);
        }
        builder
    } else {
        let url = format!("{api_base}{}", request.path);
        http.request(request.method.clone(), &url).bearer_auth(token.expose()).timeout(timeout)
    };
    if !request.query.is_empty() {
        builder = builder.query(&request.query);
    }
    if let Some(body) = &request.body {
        builder = builder.json(body);
    }
    if let Some(raw) = &request.raw_body {
        builder = builder.header(reqwest::header::CONTENT_TYPE, &raw.content_type).body(raw.bytes.clone());
    }
    for (name, value) in &request.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    if let Some(etag) = &request.if_match {
        builder = builder.header(IF_MATCH, etag);
    }
    let response = match builder.send().await {
        Ok(response) => response,
        Err(error) => return classify(error, timeout),
    };
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    match response.bytes().await {
        Ok(body) => Attempt::Response { status, headers, body: body.to_vec() },
        Err(error) => classify(error, timeout),
    }
}

fn classify(error: reqwest::Error, timeout: Duration) -> Attempt {
    // `without_url` keeps query strings (which may carry ids, never secrets) out of messages.
    let error = error.without_url();
    // A connect timeout is both a connect error and a timeout: nothing reached the server, so
    // it is a connect failure (retried for every method, bounded by `reach.rs`).
    if error.is_connect() {
        Attempt::ConnectFailed(chain(&error))
    } else if error.is_timeout() {
        Attempt::TimedOut(timeout)
    } else {
        Attempt::Broken(chain(&error))
    }
}

/// An error with its causes, one line (`error: cause: cause`).
pub(crate) fn describe(error: &dyn std::error::Error) -> String {
    chain(error)
}

fn chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

/// The platform's `message` if the body is an error body, else the start of the raw body.
pub(crate) fn error_message(body: &[u8]) -> String {
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(parsed) => format!("{} ({})", parsed.message, parsed.code),
        Err(_) => String::from_utf8_lossy(body).chars().take(500).collect(),
    }
}

pub(crate) fn status_error(status: u16, body: &[u8], request: &ApiRequest, retry_after: Option<Duration>) -> PlatformError {
    let message = error_message(body);
    let resource = request.resource.to_owned();
    let id = request.id.clone();
    match status {
        400 | 422 => PlatformError::BadRequest { message },
        401 => PlatformError::Unauthorized { message },
        403 => PlatformError::Forbidden { message },
        404 => PlatformError::NotFound { resource, id, message },
        409 => PlatformError::Conflict { resource, id, message },
        412 => PlatformError::PreconditionFailed { resource, id, message },
        429 => PlatformError::RateLimited { retry_after },
        _ => PlatformError::Server { status, body: message },
    }
}
