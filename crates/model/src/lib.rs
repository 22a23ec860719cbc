//! Switchboard's domain model: pure types and logic, no I/O, no async, no HTTP.

pub mod flow;
