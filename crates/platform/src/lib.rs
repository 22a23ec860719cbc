//! The async Genesys Cloud client: per-org credentials and token cache, retries with full-jitter
//! backoff, adaptive concurrency from rate-limit headers, and typed calls with paging streams.
//! Engines use the [`Platform`] trait so they run unchanged against the emulator and a real org.

mod client;
mod conditional;
mod config;
mod environment;
mod error;
mod paging;
mod platform;
mod rate_headers;
mod rate_limit;
mod reach;
mod request;
mod resources;
mod retry;
mod secret;
mod token;
mod transport;
mod typed;

pub use client::{ClientStats, OrgClient};
pub use conditional::{RcwOutcome, ReadCompareWrite};
pub use config::{ClientConfig, Timeouts, TokenPolicy};
pub use environment::{EnvironmentConfig, Environment, MultiOrgClient, OrgEntry, control_token_from, env_var_name, read_credentials};
pub use error::{PlatformError, Result};
pub use paging::{LIST_PAGE_SIZE, collect_all, paged};
pub use platform::Platform;
pub use rate_headers::{RateSnapshot, parse as parse_rate_headers};
pub use rate_limit::{AdaptiveLimiter, RateLimitConfig};
pub use request::{ApiRequest, ApiResponse};
pub use resources::{
    AggregateSummary, Analytics, Conversations, DataTables, EmulatorControl, FlowSource, Flows, GroupTotals, Integrations, Licenses, Limits, Notifications, OAuthClients, OperationWait, Orgs, PlatformExt, Queues,
    PublishedFlow, Strategies, Telephony, Usage, Users,
};
pub use resources::BULK_USER_IDS;
pub use retry::{RetryPolicy, parse_retry_after, status_is_retryable};
pub use secret::{Secret, secret_from_env};
pub use typed::{Versioned, segment};

/// The wire types, re-exported so callers need not depend on `switchboard-api` directly.
pub use switchboard_api as api;
