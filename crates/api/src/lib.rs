//! Genesys Cloud wire types, shared by the emulator (which serves them) and the client (which
//! reads them). Field names and types follow the real API so the official SDKs deserialize them.
//! Seed-only extensions (routing strategies, `X-RateLimit-*`) are marked as such where defined.

pub mod auth;
pub mod error;
pub mod paging;
pub mod rate_limit;
