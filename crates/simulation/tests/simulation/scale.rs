//! A 10,000-agent, million-call day: the example scenario scaled 50×. It runs with every test
//! run (CI included): the simulation crate is built at opt-level 3 even in the test profile, so
//! the day takes seconds, not minutes (`xtask bench` measures the same run for speed).

use std::time::Instant;
use crate::support::{EXAMPLE, load_example};
use switchboard_simulation::{NullSink, run};

/// The example with every agent count and arrival rate multiplied by `factor`.
pub fn scaled_example(factor: u32) -> String {
    EXAMPLE
        .lines()
        .map(|line| {
            let trimmed = line.trim_start();
            for key in ["agents: ", "count: ", "calls_per_hour: "] {
                if let Some(value) = trimmed.strip_prefix(key).and_then(|value| value.parse::<u64>().ok()) {
                    let indent = &line[..line.len() - trimmed.len()];
                    return format!("{indent}{key}{}", value * u64::from(factor));
                }
            }
            line.to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_ten_thousand_agent_day_runs_and_adds_up() {
    let scenario = load_example(&scaled_example(50));
    let started = Instant::now();
    let report = run(&scenario, 1, &mut NullSink);
    let seconds = started.elapsed().as_secs_f64();
    let agents: u32 = report.queues.iter().map(|queue| queue.agents).sum();
    println!("{} calls, {} events, {agents} agent-queue memberships in {seconds:.1} s", report.calls, report.events);
    assert!(report.calls > 900_000, "{}", report.calls);
    assert_eq!(report.totals.tally.offered, report.totals.tally.answered + report.totals.tally.abandoned);
}
