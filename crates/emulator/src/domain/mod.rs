//! Domain operations on an org's objects: the rules for queues, presence and routing status,
//! flows and their versions, DIDs and data-table schemas. Seeding, the HTTP handlers and the
//! contact center all call these; none of them does I/O or knows about HTTP.

pub mod datatables;
pub mod flows;
pub mod integration_sessions;
pub mod presence;
pub mod queues;
pub mod telephony;

/// Now, as the platform stamps objects (`2026-01-31T12:00:00.000Z`).
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// A domain rule that refused a change; the HTTP layer turns it into the platform's error.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DomainError {
    #[error("A {what} named `{name}` already exists")]
    Duplicate { what: &'static str, name: String },
    #[error("{what} {id} not found")]
    NotFound { what: &'static str, id: String },
}

impl From<DomainError> for crate::error::ApiError {
    fn from(error: DomainError) -> Self {
        match &error {
            DomainError::Duplicate { .. } => crate::error::ApiError::bad_request(error.to_string()),
            DomainError::NotFound { what, id } => crate::error::ApiError::not_found(what, id),
        }
    }
}
