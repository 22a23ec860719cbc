//! Integration tests of the simulation crate: one binary, one module per concern.

mod architect_names;
mod corpus;
mod data_actions;
mod determinism;
mod queueing;
mod routing;
mod scale;
mod support;
