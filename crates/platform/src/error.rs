//! The one error type every platform call returns. Conflicts (409 stale version, 412 stale ETag)
//! are distinct variants so engines can re-read and retry instead of failing the run.

use std::time::Duration;

/// What went wrong talking to one org. Messages never contain tokens or secrets.
#[derive(Debug, thiserror::Error)]
pub enum PlatformError {
    /// 409: the body `version` was stale, or the resource is locked/exists in a conflicting state.
    #[error("conflict on {resource} {}: {message}", id.as_deref().unwrap_or("-"))]
    Conflict { resource: String, id: Option<String>, message: String },
    /// 412: the `If-Match` ETag no longer matches (seed extension).
    #[error("precondition failed on {resource} {}: {message}", id.as_deref().unwrap_or("-"))]
    PreconditionFailed { resource: String, id: Option<String>, message: String },
    #[error("{resource} {} not found: {message}", id.as_deref().unwrap_or("-"))]
    NotFound { resource: String, id: Option<String>, message: String },
    /// 401 that survived one token refresh, or the token endpoint refused the credentials.
    #[error("unauthorized: {message}")]
    Unauthorized { message: String },
    #[error("forbidden: {message}")]
    Forbidden { message: String },
    /// 429 after every retry was used, or a rate-limit hold that would outlast the call's
    /// deadline; only then does a caller see it.
    #[error("rate limited (retry after {retry_after:?}) after all retries")]
    RateLimited { retry_after: Option<Duration> },
    #[error("server error {status}: {body}")]
    Server { status: u16, body: String },
    /// One request attempt exceeded the per-request timeout and could not be retried.
    #[error("request timed out after {after:?}")]
    Timeout { after: Duration },
    /// The call's total deadline ran out while retrying.
    #[error("gave up after {attempts} attempt(s) in {elapsed:?} (deadline reached); last error: {last}")]
    Deadline { attempts: u32, elapsed: Duration, last: String },
    #[error("transport error: {message}")]
    Transport { message: String },
    #[error("could not decode {what}: {message}")]
    Decode { what: String, message: String },
    #[error("bad request: {message}")]
    BadRequest { message: String },
    /// The platform does not serve this feature (e.g. routing strategies on a real org or a
    /// `--strict` emulator).
    #[error("not supported by this platform: {feature}")]
    Unsupported { feature: String },
    /// An asynchronous operation (flow publish, usage query) finished in a failed state.
    #[error("operation {id} failed: {message}")]
    OperationFailed { id: String, message: String },
    /// An Architect job (flow publish or export) ended in `Failure`; `messages` are its
    /// Architect-style errors, one per line, each naming the construct at fault.
    #[error("architect job {job} failed: {}", messages.join("; "))]
    FlowJobFailed { job: String, messages: Vec<String> },
    /// Client configuration is incomplete or invalid (names the field or variable).
    #[error("configuration: {message}")]
    Config { message: String },
}

impl PlatformError {
    /// True for both flavours of optimistic-concurrency failure (409 and 412): re-read and retry.
    pub fn is_conflict(&self) -> bool {
        matches!(self, Self::Conflict { .. } | Self::PreconditionFailed { .. })
    }

    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::NotFound { .. })
    }

    /// The HTTP status this error came from, when it came from one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Conflict { .. } => Some(409),
            Self::PreconditionFailed { .. } => Some(412),
            Self::NotFound { .. } => Some(404),
            Self::Unauthorized { .. } => Some(401),
            Self::Forbidden { .. } => Some(403),
            Self::RateLimited { .. } => Some(429),
            Self::Server { status, .. } => Some(*status),
            Self::BadRequest { .. } => Some(400),
            _ => None,
        }
    }
}

pub type Result<T, E = PlatformError> = std::result::Result<T, E>;
