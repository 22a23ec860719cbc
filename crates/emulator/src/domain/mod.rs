//! Domain operations on an org's objects: the rules for queues, users, presence and routing
//! status, flows and their versions and locks, DIDs, IVRs, trunks, routing strategies,
//! integrations and their data actions, data tables and rows, OAuth clients, capacity and the
//! org's own settings. Seeding, the HTTP handlers and the contact center all call these; none
//! of them does I/O or knows about HTTP.

pub mod action_drafts;
pub mod capacity;
pub mod datatables;
pub mod flow_locks;
pub mod flows;
pub mod integration_sessions;
pub mod integrations;
pub mod oauth_clients;
pub mod organizations;
pub mod presence;
pub mod queues;
pub mod strategies;
pub mod telephony;
pub mod trunks;
pub mod users;

// Operations that stamp objects take `now` (RFC 3339) or `now_ms` from their caller, who reads
// the emulator's clock (`Directory::now`), so paused or virtual time drives stamps too.

/// A body `version` must be the stored one (users, IVRs, DIDs, trunks, the org, actions).
pub fn check_version(what: &'static str, sent: u64, current: u64) -> Result<(), DomainError> {
    if sent != current {
        return Err(DomainError::StaleVersion { what, sent, current });
    }
    Ok(())
}

/// Names must not be empty.
pub fn require_name(name: &str) -> Result<(), DomainError> {
    if name.trim().is_empty() {
        return Err(DomainError::Invalid("name: must not be empty".to_string()));
    }
    Ok(())
}

/// Whether two names are one name under the platform's uniqueness rules: names are unique per
/// org ignoring letter case, in every script (`Ärger` is `ärger`, `STRASSE` is `Straße`), not
/// only in ASCII. Full case folding is approximated by upper- then lower-casing, which maps
/// `ß` to `ss` and both sigmas to one, without another dependency.
pub fn same_name(left: &str, right: &str) -> bool {
    left == right || fold_name(left) == fold_name(right)
}

/// A name's case-folded form (see [`same_name`]).
pub fn fold_name(name: &str) -> String {
    name.to_uppercase().to_lowercase()
}

/// A domain rule that refused a change; the HTTP layer turns it into the platform's error.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DomainError {
    #[error("A {what} named `{name}` already exists")]
    Duplicate { what: &'static str, name: String },
    #[error("{what} {id} not found")]
    NotFound { what: &'static str, id: String },
    #[error("{what} was modified by another request: version {sent} is stale, current version is {current}")]
    StaleVersion { what: &'static str, sent: u64, current: u64 },
    /// A value the rules refuse; the message starts with the field.
    #[error("{0}")]
    Invalid(String),
    /// A request the rules refuse as a whole (a cap reached, an object that must stay).
    #[error("{0}")]
    Refused(String),
    /// The object is in a state that refuses the change (a flow locked by someone else).
    #[error("{0}")]
    Conflict(String),
}

impl From<DomainError> for crate::error::ApiError {
    fn from(error: DomainError) -> Self {
        match &error {
            DomainError::Duplicate { .. } => crate::error::ApiError::bad_request(error.to_string()),
            DomainError::NotFound { what, id } => crate::error::ApiError::not_found(what, id),
            DomainError::StaleVersion { what, sent, current } => crate::error::ApiError::stale_version(what, *sent, *current),
            DomainError::Invalid(message) => crate::error::ApiError::invalid_value(message.clone()),
            DomainError::Refused(message) => crate::error::ApiError::bad_request(message.clone()),
            DomainError::Conflict(message) => crate::error::ApiError::conflict(message.clone()),
        }
    }
}
