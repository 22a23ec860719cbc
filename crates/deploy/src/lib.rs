//! Multi-org configuration as code (issue 8): a config repository (`switchboard.yaml` plus
//! components) is rendered per org, compared three ways with what was last applied and what is
//! live, and applied stage by stage through a vendor-neutral [`Provider`].
//!
//! Pipeline: [`config::Repository::load`] → [`config::Repository::render`] (a [`Desired`] state per
//! org, every problem with file and line) → [`plan::plan`] (live state by list calls; create,
//! update, delete, unchanged, conflict per resource) → [`apply::apply`] (conditional writes,
//! per-org snapshots and restore, a journal of every step).

pub mod apply;
pub mod canary;
pub mod capacity;
pub mod config;
pub mod desired;
pub mod drift;
pub mod export;
pub mod genesys;
pub mod graph;
pub mod key;
pub mod plan;
pub mod provider;
pub mod record;
pub mod rollback;

pub use desired::{Dependency, Desired, DesiredOrg, DesiredResource, Source};
pub use key::{Reference, ResourceKey};
pub use provider::{LiveObject, Provider, ProviderError};
