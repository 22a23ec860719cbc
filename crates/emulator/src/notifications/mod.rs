//! The notification service: channels, topic subscriptions, and the WebSocket that carries
//! events, with the real platform's limits (24 h channels, 20 per client, 1,000 topics, one
//! socket per channel). Other modules publish through `NotificationHub::publish`.
//!
//! Extension (off in strict mode): every event carries an `id`; a client reconnecting with
//! `Last-Event-ID` gets what its channel logged since, or first a `gap` message when the
//! retention window (`NotificationConfig::retention_*`) no longer covers it. A socket that
//! cannot keep up (its buffer of `socket_buffer` messages is full) is closed with 1013 and
//! resumes the same way, so a slow consumer never grows the server's memory.

mod channel;
mod config;
pub mod events;
mod hub;
mod registry;
mod routes;
mod scope;
mod socket;
mod topic;

pub use config::NotificationConfig;
pub use hub::NotificationHub;
pub use routes::{api_routes, socket_routes};

#[cfg(test)]
mod tests;
