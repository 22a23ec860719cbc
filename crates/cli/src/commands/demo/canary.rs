//! The demo's org canary step: sped-up calls on every region's main line, then a commit that
//! strips the agents from the regions' Support queues goes out canary first. The canary orgs'
//! calls go unanswered, the verdict says so with its evidence, and the canary orgs are rolled
//! back from their snapshots (proven byte for byte) before any other org is touched.

use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::{Value, json};
use switchboard_api::traffic::TrafficRequest;
use switchboard_deploy::apply::ApplyOptions;
use switchboard_deploy::canary::{CanaryClock, CanarySettings, GenesysMetrics, apply_with_canary};
use switchboard_deploy::config::Repository;
use switchboard_emulator::RunningEmulator;
use switchboard_emulator::CenterOptions;
use switchboard_journal::Journal;
use switchboard_simulation::distribution::DurationDistribution;

use crate::commands::deploy::{context, table};
use crate::target::Target;

/// Modelled time runs this many times faster than the wall clock: a 10-minute window is 3 s.
const SPEED_UP: f64 = 200.0;
const WINDOW: Duration = Duration::from_secs(600);
/// Each region's main line (the example's `MAIN_DID`s).
const MAIN_LINES: [(&str, &str); 3] = [("na-east-1", "+13175550901"), ("na-east-2", "+16145550901"), ("eu-central-1", "+4930555090")];

/// Quick agents and callers who wait a minute on average: three agents answer four calls a
/// minute with hardly any wait, so a regression stands out within one window.
fn quick_center(seed: u64) -> CenterOptions {
    CenterOptions {
        handle_time: DurationDistribution::Exponential { mean_ms: 10_000.0 },
        wrap_up: DurationDistribution::Constant { ms: 2_000.0 },
        patience: DurationDistribution::Exponential { mean_ms: 60_000.0 },
        seed,
    }
}

pub async fn run(target: &Target, emulator: &RunningEmulator, journal: &Journal, text: bool) -> anyhow::Result<Value> {
    let started = Instant::now();
    let state = emulator.state();
    let center = state.contact_center();
    let previous = center.options();
    center.set_options(quick_center(previous.seed));
    let mut streams = Vec::new();
    for (seed, (org, did)) in MAIN_LINES.iter().enumerate() {
        let request = TrafficRequest { org: org.to_string(), did: did.to_string(), calls_per_minute: Some(4.0), speed_up: Some(SPEED_UP), seed: Some(200 + seed as u64), ..TrafficRequest::default() };
        streams.push(state.start_traffic(request).with_context(|| format!("calls on {org}'s main line"))?.id);
    }
    let outcome = canary(target, journal, text).await;
    for id in streams {
        let _ = center.traffic.stop(&id);
    }
    center.set_options(previous);
    let mut report = outcome?;
    if text {
        println!("  (canary step: {:.1} s of real time)", started.elapsed().as_secs_f64());
    }
    report["seconds"] = json!(started.elapsed().as_secs_f64());
    Ok(report)
}

async fn canary(target: &Target, journal: &Journal, text: bool) -> anyhow::Result<Value> {
    let repository = Repository::load(&super::flows::repository_file("examples/config"))?;
    let mut desired = repository.render("dev")?;
    let providers = context::providers(target, &desired)?;
    let metrics = GenesysMetrics::new(context::platforms(target, &desired)?);
    // One window of calls before the change, so the canary has a "before" to compare with.
    tokio::time::sleep(WINDOW.div_f64(SPEED_UP)).await;
    for org in &mut desired.orgs {
        for resource in org.resources.iter_mut().filter(|resource| resource.key.kind == "queue" && resource.key.name.ends_with(" Support")) {
            resource.body["members"] = json!([]);
        }
    }
    let last = switchboard_deploy::record::last_applied(journal, &desired.environment, desired.orgs.iter().map(|org| org.org.as_str())).await?;
    let plan = switchboard_deploy::plan::plan(&desired, &providers, &last, &Default::default()).await?;
    if text {
        println!("\n== deploy: org canary — a commit that takes the agents off the Support queues, 10% of each group first, 10-minute window at {SPEED_UP}x ==");
    }
    let settings = CanarySettings { percent: 10, steps: vec![50, 100], window: WINDOW, abandonment_relative_increase: 0.15, asa_increase_seconds: 10.0, alpha: 0.05 };
    let report = apply_with_canary(&plan, &providers, journal, &ApplyOptions::default(), &settings, &metrics, CanaryClock { speed_up: SPEED_UP }).await?;
    if text {
        table::print_canary(&report);
        let untouched = if report.decision == "rolled_back" { report.other_orgs.join(", ") } else { String::new() };
        println!("  decision: {}; never written: {}", report.decision, if untouched.is_empty() { "-" } else { &untouched });
    }
    Ok(serde_json::to_value(&report)?)
}
