//! The config repository: `switchboard.yaml` (environments, orgs, deployment groups, policies)
//! and `components/*.yaml` (resource templates). See `docs/config.md`.

mod component;
mod error;
mod manifest;
mod render;
mod repository;

pub use component::ResourceDoc;
pub use error::{ConfigError, Diagnostic};
pub use manifest::{ApprovalPolicy, CanaryPolicy, CredentialsSpec, EnvironmentSpec, GroupSpec, Manifest, OrgDecl, Policies, TargetSpec};
pub use repository::Repository;

#[cfg(test)]
mod tests;
