//! The journal: the durable record that `deploy` (plan/apply/resume/rollback/history) and
//! `rollout` (controller state across restarts) share.
//!
//! One [`Journal`] handle, cheap to clone, over one of two backends chosen by the location:
//! a plain path or `sqlite:PATH` is an embedded SQLite file (the default; one machine); a
//! `postgres://` or `postgresql://` URL is a PostgreSQL server (CI runners or a team sharing one
//! journal). Both run the same queries over the same schema; migrations are applied on open.
//!
//! ```no_run
//! # async fn demo() -> Result<(), switchboard_journal::JournalError> {
//! use std::time::Duration;
//! use switchboard_journal::{Applied, Journal, Status, StepUpdate};
//!
//! let journal = Journal::open("switchboard-journal.db").await?;
//! // Exclude a second apply on the same environment (LeaseHeld names the holder).
//! let mut lease = journal.acquire_lease("deploy:env/prod", "ci-runner-3", Duration::from_secs(60)).await?;
//! let plan = serde_json::json!({"orgs": ["parent", "child-1"]});
//! let id = journal.create_deployment("prod", &plan, ["parent", "child-1"]).await?;
//! journal.set_org_status(&id, "parent", Status::InProgress, None).await?;
//! journal.snapshot(&id, "parent", "queue/support", None).await?; // did not exist before
//! journal.record_step(&id, &StepUpdate {
//!     org: "parent".into(),
//!     resource_key: "queue/support".into(),
//!     action: "create".into(),
//!     status: Status::Done,
//!     error: None,
//!     applied: Some(Applied::Content(serde_json::json!({"name": "Support"}))),
//! }).await?;
//! journal.set_org_status(&id, "parent", Status::Done, None).await?;
//! lease.renew(Duration::from_secs(60)).await?;
//! assert_eq!(journal.unfinished_orgs(&id).await?, vec!["child-1".to_string()]);
//! lease.release().await?;
//!
//! // Rollout's controller state: compare-and-swap on a revision, plus an event log.
//! let revision = journal.put_state("rollout", "org-a/main-ivr", &serde_json::json!({"step": 1}), None).await?;
//! journal.put_state("rollout", "org-a/main-ivr", &serde_json::json!({"step": 2}), Some(revision)).await?;
//! journal.append_event("rollout", "org-a/main-ivr", &serde_json::json!({"judged": "healthy"})).await?;
//! # Ok(()) }
//! ```
//!
//! API in short (every call is async and returns [`JournalResult`]):
//! - [`Journal::open`]; [`Journal::location`], [`Journal::schema_version`].
//! - Leases: [`Journal::acquire_lease`] → [`Lease`] ([`Lease::renew`], [`Lease::release`]) or
//!   [`JournalError::LeaseHeld`]; [`Journal::lease_holder`], [`Journal::break_lease`]. An expired
//!   lease may be taken over; renew or release after a takeover is [`JournalError::LeaseLost`].
//! - Deployments: [`Journal::create_deployment`] (env, plan JSON, orgs in stage order, all
//!   pending), [`Journal::set_org_status`], [`Journal::record_step`] (upsert per org and resource
//!   key; may write last-applied in the same transaction), [`Journal::snapshot`] (first one per
//!   resource wins) / [`Journal::snapshots`], [`Journal::last_applied`] /
//!   [`Journal::last_applied_in_org`] / [`Journal::set_last_applied`], [`Journal::deployments`]
//!   (summaries, newest first), [`Journal::deployment`] (orgs and steps),
//!   [`Journal::unfinished_orgs`] (for `--resume`).
//! - Controller state: [`Journal::get_state`], [`Journal::put_state`] (CAS; `None` = must not
//!   exist; [`JournalError::Conflict`]), [`Journal::delete_state`], [`Journal::state_keys`], [`Journal::append_event`],
//!   [`Journal::events`].
//!
//! Tests of crates that use the journal get a throwaway PostgreSQL server from the `testsupport`
//! feature ([`testsupport::PostgresServer`]). The schema, backends and lease rules are in
//! `docs/journal.md`.

mod backend;
mod deployment;
mod error;
mod lease;
mod location;
pub mod migrations;
mod snapshot;
mod sql;
mod state;
mod status;
#[cfg(feature = "testsupport")]
pub mod testsupport;

pub use deployment::{
    Applied, Deployment, DeploymentId, DeploymentSummary, OrgRecord, StepRecord, StepUpdate,
};
pub use error::{JournalError, JournalResult};
pub use lease::{Lease, LeaseInfo};
pub use location::Location;
pub use snapshot::Snapshot;
pub use state::Event;
pub use status::{Status, StatusCounts};

use backend::Backend;
use std::sync::Arc;

/// A handle on an open journal; clones share the connection.
#[derive(Clone)]
pub struct Journal {
    backend: Arc<Backend>,
    location: Location,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Journal")
            .field("location", &self.location)
            .finish()
    }
}

impl Journal {
    /// Opens (creating if needed) the journal at `location` and applies pending migrations.
    pub async fn open(location: &str) -> JournalResult<Journal> {
        let location = Location::parse(location)?;
        Journal::open_location(location).await
    }

    pub async fn open_location(location: Location) -> JournalResult<Journal> {
        let backend = Backend::open(&location).await?;
        Ok(Journal {
            backend: Arc::new(backend),
            location,
        })
    }

    /// Where the journal is (a PostgreSQL URL with its password masked when displayed).
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// `sqlite` or `postgres`.
    pub fn backend_name(&self) -> &'static str {
        self.backend.name()
    }

    /// The newest migration applied.
    pub async fn schema_version(&self) -> JournalResult<u32> {
        Ok(self
            .backend
            .schema_versions()
            .await?
            .into_iter()
            .max()
            .unwrap_or(0))
    }
}
