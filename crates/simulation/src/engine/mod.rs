//! The discrete-event engine: runs a [`Scenario`] in virtual time, deterministically for a seed.
//!
//! Time is an integer number of milliseconds; events sit in a binary heap ordered by (time,
//! scheduling sequence). Everything random — arrivals, integration answers, handle times, patience,
//! randomize blocks, jitter — draws from one `StdRng::seed_from_u64(seed)` in event order, so the
//! same scenario and seed give the same report, byte for byte.

mod arrivals;
mod collector;
mod control;
mod events;
mod record;
mod simulator;
mod world;

pub use control::{FlowTally, IntervalController, IntervalTallies, RowWrite};
pub use record::{CallOutcome, CallRecord, CallSink, NullSink, VecSink};

use crate::metrics::SimulationReport;
use crate::scenario::Scenario;

/// Runs the scenario until every call that arrived within its duration has finished. Each finished
/// call goes to `sink` as it finishes.
pub fn run(scenario: &Scenario, seed: u64, sink: &mut dyn CallSink) -> SimulationReport {
    simulator::Simulator::new(scenario, seed, sink).run(&mut |_| {})
}

/// [`run`], telling `progress` the share of the simulated day done (0.0–1.0) as it goes, for a
/// caller that shows progress on long runs. Progress does not change the run.
pub fn run_with_progress(scenario: &Scenario, seed: u64, sink: &mut dyn CallSink, progress: &mut dyn FnMut(f64)) -> SimulationReport {
    simulator::Simulator::new(scenario, seed, sink).run(progress)
}

/// [`run`] with a controller called every `interval_ms` of virtual time (until arrivals stop) with
/// the tallies of the calls that finished in that interval; the rows it returns are written at
/// once, so the next call sees them.
pub fn run_with_controller(
    scenario: &Scenario,
    seed: u64,
    sink: &mut dyn CallSink,
    interval_ms: u64,
    controller: &mut dyn IntervalController,
) -> SimulationReport {
    simulator::Simulator::new(scenario, seed, sink).with_controller(controller, interval_ms).run(&mut |_| {})
}
