//! The bridge: stateless CRM ↔ platform middleware. It follows conversation events for the
//! configured queues (notification channel, resumed with `Last-Event-ID`, reconciled through the
//! REST API where replay is absent), pops the caller's CRM account into participant attributes
//! when a call arrives, and logs an activity in the CRM when it ends. Every effect is keyed by
//! conversation and kind; cursor, in-flight work and keys live in the state store. It starts from
//! its configuration and a `platform::Platform` handle (`start`), and reaches the platform only
//! through that trait.

pub mod backoff;
pub mod config;
pub mod crm;
mod effects;
mod engine;
mod error;
mod events;
pub mod job;
mod lease_loop;
pub mod metrics;
pub mod queues;
mod reconcile;
mod server;
mod start;
mod status;
pub mod store;
mod token_watch;
mod worker;

pub use config::{BridgeConfig, ConfigError, MigrationPhase, StateUrl};
pub use error::BridgeError;
pub use start::{BridgeHandle, start};
pub use status::Status;
