//! `switchboard simulate`: a virtual-time contact-center day from a scenario file.

use crate::args::SimulateArgs;
use crate::output::OutputFormat;
use anyhow::Context;
use std::path::Path;
use switchboard_simulation::{NullSink, SimulationReport, load_scenario_with_files};

pub fn run(arguments: SimulateArgs, output: OutputFormat) -> anyhow::Result<()> {
    let report = simulate_file(&arguments.scenario, arguments.seed)?;
    output.emit(&report, print_report)
}

/// Loads a scenario, resolving `file:` flows relative to the scenario's folder, and runs it.
pub fn simulate_file(path: &Path, seed: u64) -> anyhow::Result<SimulationReport> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let folder = path.parent().unwrap_or(Path::new(".")).to_path_buf();
    let mut read_flow = |relative: &str| {
        let flow_path = folder.join(relative);
        std::fs::read_to_string(&flow_path).map_err(|error| format!("{}: {error}", flow_path.display()))
    };
    let scenario = load_scenario_with_files(&text, &path.display().to_string(), &mut read_flow)?;
    eprintln!("simulating {} (seed {seed}) in virtual time...", scenario.name());
    let started = std::time::Instant::now();
    // Progress on stderr in tenths of the day, so stdout stays one report (text or JSON).
    let mut shown_tenths = 0;
    let mut progress = |share: f64| {
        let tenths = (share * 10.0).floor() as u32;
        if tenths > shown_tenths {
            shown_tenths = tenths;
            eprintln!("  {}% of the day simulated", tenths * 10);
        }
    };
    let report = switchboard_simulation::run_with_progress(&scenario, seed, &mut NullSink, &mut progress);
    eprintln!("simulated {} calls in {:.2} s of CPU time", report.calls, started.elapsed().as_secs_f64());
    Ok(report)
}

fn percent(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_string(), |value| format!("{:.1}%", value * 100.0))
}

fn seconds(value_ms: Option<f64>) -> String {
    value_ms.map_or_else(|| "-".to_string(), |value| format!("{:.1}s", value / 1000.0))
}

pub fn print_report(report: &SimulationReport) {
    let totals = &report.totals;
    println!(
        "scenario {} seed {}: {} calls, {} offered to queues, abandonment {}, ASA {}, service level {}",
        report.scenario,
        report.seed,
        report.calls,
        totals.tally.offered,
        percent(totals.abandonment_rate),
        seconds(totals.asa_ms),
        percent(totals.service_level),
    );
    println!("{:<24} {:>6} {:>9} {:>9} {:>11} {:>8} {:>8}", "queue", "agents", "offered", "answered", "abandoned", "ASA", "SL");
    for queue in &report.queues {
        let metrics = &queue.metrics;
        println!(
            "{:<24} {:>6} {:>9} {:>9} {:>11} {:>8} {:>8}",
            queue.name,
            queue.agents,
            metrics.tally.offered,
            metrics.tally.answered,
            percent(metrics.abandonment_rate),
            seconds(metrics.asa_ms),
            percent(metrics.service_level),
        );
    }
    println!("{:<32} {:>9} {:>11} {:>8}", "flow version", "entered", "abandoned", "ASA");
    for version in &report.flow_versions {
        let metrics = &version.metrics;
        println!(
            "{:<32} {:>9} {:>11} {:>8}",
            format!("{} v{}", version.name, version.version),
            metrics.tally.entered,
            percent(metrics.abandonment_rate),
            seconds(metrics.asa_ms),
        );
    }
    for integration in &report.integrations {
        let tally = &integration.tally;
        println!(
            "integration {:<20} attempts {:>8} failures {:>7} timeouts {:>6} rate-limited {:>6}",
            integration.name, tally.attempts, tally.failures, tally.timeouts, tally.rate_limited
        );
    }
}
