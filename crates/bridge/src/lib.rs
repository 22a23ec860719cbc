//! The bridge: stateless CRM ↔ platform middleware. It follows conversation events for the
//! configured queues (notification channel, resumed with `Last-Event-ID`, reconciled through the
//! REST API where replay is absent), pops the caller's CRM account into participant attributes
//! when a call arrives, and logs an activity in the CRM when it ends. Every effect is keyed by
//! conversation and kind; cursor, in-flight work and keys live in the state store.

pub mod backoff;
pub mod config;
pub mod crm;
mod effects;
mod engine;
mod events;
pub mod job;
pub mod metrics;
mod reconcile;
mod server;
pub mod store;
mod worker;

pub use config::{BridgeConfig, ConfigError, MigrationPhase, StateUrl};
pub use engine::{Bridge, BridgeError, BridgeHandle, Status};
