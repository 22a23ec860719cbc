//! Server plumbing, written once (`switchboard-service`): what every Switchboard server repeats
//! and where servers do not differ. `serve` is the accept loop (header-read and idle, body-read
//! and write-stall timeouts, an optional per-connection handshake such as TLS, graceful shutdown
//! that stops accepting and drains within a deadline); `health` is the health and metrics app
//! (`/health/live`, `/health/ready` from named checks, Prometheus `/metrics` over a
//! `prometheus_client::Registry`); `signal` turns SIGTERM and SIGINT into a shutdown.
//! The domain (routes, readiness facts, what a drain means for sessions) stays in each server.

pub mod health;
mod io;
pub mod serve;
pub mod signal;

pub use health::{Check, MetricsSource, Readiness, ReadyReport, health_app};
pub use serve::serve;
pub use serve::{Handshake, PlainTcp, ServeConfig, Server};
pub use signal::terminated;
