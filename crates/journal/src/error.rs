//! What can go wrong with the journal, each variant naming what failed.

use crate::deployment::DeploymentId;

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// The location given to [`crate::Journal::open`] is neither a path, `sqlite:PATH` nor a
    /// PostgreSQL URL.
    #[error("journal location `{location}`: {reason}")]
    Location { location: String, reason: String },
    /// The database refused or failed an operation; `operation` says which.
    #[error("journal ({backend}) {operation}: {detail}")]
    Backend {
        backend: &'static str,
        operation: String,
        detail: String,
    },
    /// A stored row does not have the shape this version writes (a hand edit, a newer release).
    #[error("journal data: {what}: {detail}")]
    Corrupt { what: String, detail: String },
    /// Another holder has the lease on `scope` until `until_ms` (epoch ms).
    #[error("lease `{scope}` is held by `{holder}` until {until}", until = crate::lease::format_ms(*until_ms))]
    LeaseHeld {
        scope: String,
        holder: String,
        until_ms: i64,
    },
    /// The lease expired and someone else took it (or it was broken) before this renew or release.
    #[error("lease `{scope}` is no longer held by `{holder}`")]
    LeaseLost { scope: String, holder: String },
    /// A compare-and-swap on controller state found another revision.
    #[error("state {namespace}/{key}: expected revision {expected}, found {found}", expected = revision_text(*expected), found = revision_text(*found))]
    Conflict {
        namespace: String,
        key: String,
        expected: Option<u64>,
        found: Option<u64>,
    },
    #[error("deployment {0} is not in the journal")]
    UnknownDeployment(DeploymentId),
    #[error("deployment {deployment} has no org `{org}`")]
    UnknownOrg {
        deployment: DeploymentId,
        org: String,
    },
    /// The schema in the database is newer than this build knows (a newer release migrated it).
    #[error(
        "journal schema version {found} is newer than this build's {known}; upgrade switchboard"
    )]
    SchemaTooNew { found: u32, known: u32 },
}

fn revision_text(revision: Option<u64>) -> String {
    match revision {
        Some(revision) => revision.to_string(),
        None => "none (absent)".to_string(),
    }
}

pub type JournalResult<T> = Result<T, JournalError>;
