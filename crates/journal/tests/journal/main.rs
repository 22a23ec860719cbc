//! The journal's integration tests: one behaviour suite run against SQLite and against a real
//! PostgreSQL server, lease and compare-and-swap races, and durability across `kill -9`.

mod behaviour;
mod concurrency;
mod durability;
mod support;
