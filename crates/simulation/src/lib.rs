//! The contact center's pure core: the flow runtime state machine, the ACD, the discrete-event
//! engine that runs a scenario in virtual time, and the metrics it produces.
//!
//! Architecture invariant: no I/O, no async, no clock. Time is a number the caller supplies (the
//! engine's virtual clock, or the emulator's wall clock); randomness comes from a caller's RNG, so a
//! seed fixes a run.

pub mod acd;
pub mod distribution;
pub mod engine;
pub mod metrics;
pub mod runtime;
pub mod scenario;

pub use engine::{
    CallOutcome, CallRecord, CallSink, FlowTally, IntervalController, IntervalTallies, NullSink, RowWrite, VecSink, run, run_with_controller,
    run_with_progress,
};
pub use metrics::SimulationReport;
pub use scenario::{Scenario, ScenarioError, load_scenario, load_scenario_with_files};
