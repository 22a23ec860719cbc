//! Genesys Cloud wire types, shared by the emulator (which serves them) and the client (which
//! reads them). Field names and types follow the real API so the official SDKs deserialize them.
//! Seed-only extensions (routing strategies, the org tree, `X-RateLimit-*`, health checks,
//! license sessions) are marked as such where defined.

pub mod analytics;
pub mod analytics_observations;
pub mod architect;
pub mod analytics_details;
pub mod analytics_summary;
pub mod auth;
pub mod common;
pub mod conversation;
pub mod credentials;
pub mod crm;
pub mod datatable;
pub mod emulator;
pub mod error;
pub mod events;
pub mod flow;
pub mod gateway;
pub mod integration;
pub mod license;
pub mod notifications;
pub mod organization;
pub mod paging;
pub mod queue;
pub mod rate_limit;
pub mod redact;
pub mod retry_after;
pub mod strategy;
pub mod telephony;
pub mod traffic;
pub mod usage;
pub mod user;

pub use common::{Division, EntityRef};
pub use credentials::{CredentialsFile, OrgCredentials};
pub use error::ErrorBody;
pub use paging::EntityListing;
