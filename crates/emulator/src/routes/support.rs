//! Re-exports for the route files helper "review-platform" is changing in parallel
//! (integrations, data-action test, usage, licences, OAuth clients, integration sessions, flow
//! locks, organizations), which still import from here. Everything lives in its home: extractors in
//! `extract.rs`, paging in `paging.rs`, org access in `org_access.rs`, stamps and the version and
//! name rules in `crate::domain`. Delete this file once those imports point at the homes.

pub use super::extract::{ApiJson, Params};
pub use super::org_access::{read, write};
pub use super::paging::paginate;
pub use crate::domain::{check_version, now, now_millis, require_name};
