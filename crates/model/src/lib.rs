//! Switchboard's domain model: pure types and logic, no I/O, no async, no HTTP.

pub mod expr;
pub mod flow;
pub mod limits;
pub mod load;
pub mod org;
pub mod queueing;
pub mod stats;
pub mod resources;
pub mod template;
pub mod archy;
pub mod validate;

pub use load::{FlowLoadError, load_flow};
