//! Architect jobs: flow content in and out as Archy YAML, the way the real platform takes it.
//!
//! `book.rs` keeps the jobs (bounded), `content.rs` turns uploaded text into a checked
//! `FlowDefinition` with Architect-style messages, `publish.rs` is the domain operation that creates
//! the flow by name and publishes a new version, `routes.rs` the thin HTTP handlers: the job API under
//! `/api/v2/flows/...` and the presigned upload/download URLs it hands out.

mod book;
mod content;
mod publish;
mod routes;

pub use book::JobBook;
pub(crate) use routes::{api_routes, presigned_routes};
