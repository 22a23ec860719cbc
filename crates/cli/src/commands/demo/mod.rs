//! `switchboard demo`: starts an embedded emulator and walks through what exists so far.

mod bridge;
mod canary;
mod deploy;
mod flows;
mod gateway;
mod live;
mod review;
mod rollout;

use crate::args::DemoArgs;
use crate::commands::orgs::{org_tree, print_tree};
use crate::commands::simulate::{print_report, simulate_file};
use crate::output::OutputFormat;
use crate::target::Target;
use anyhow::Context;
use serde_json::json;
use std::path::PathBuf;
use switchboard_emulator::EmulatorOptions;
use switchboard_platform::PlatformExt;

pub async fn run(arguments: DemoArgs, output: OutputFormat) -> anyhow::Result<()> {
    let text = output == OutputFormat::Text;
    let target = Target::embedded(EmulatorOptions::default()).await?;
    if text {
        println!("== embedded emulator at {} ==", target.base_url);
    }
    let tree = org_tree(&target).await?;
    if text {
        println!("\n== organizations (each org's own OAuth client; the parent sees its children) ==");
        print_tree(&tree);
    }
    let mut queue_summary = Vec::new();
    for (name, client) in target.clients() {
        let queues = client.queues().list_all().await.with_context(|| format!("queues of {name}"))?;
        queue_summary.push(json!({"org": name, "queues": queues.iter().map(|queue| queue.name.clone()).collect::<Vec<_>>()}));
    }
    if text {
        println!("\n== queues per org (paged through the client) ==");
        for entry in &queue_summary {
            println!("  {:<14} {}", entry["org"].as_str().unwrap_or(""), entry["queues"]);
        }
    }
    let live_client = target.environment.org("na-east-1").context("the demo's org")?.clone();
    let flows = flows::run(&live_client, "na-east-1", text).await?;
    // A failed step is shown and reported at the end rather than hiding the steps after it.
    let mut failed_steps = Vec::new();
    let review = match review::run(&live_client, "na-east-1", text).await {
        Ok(summary) => serde_json::to_value(summary).unwrap_or_default(),
        Err(error) => step_failed("review", &error, &mut failed_steps),
    };
    let gateway = match &target.embedded {
        Some(emulator) => gateway::run(emulator, text).await.unwrap_or_else(|error| step_failed("gateway", &error, &mut failed_steps)),
        None => serde_json::Value::Null,
    };
    let journal = deploy::DemoJournal::open().await?;
    let deploy = deploy::run(&target, &journal.journal, text).await.unwrap_or_else(|error| step_failed("deploy", &error, &mut failed_steps));
    let canary = match &target.embedded {
        Some(emulator) => canary::run(&target, emulator, &journal.journal, text).await.unwrap_or_else(|error| step_failed("canary", &error, &mut failed_steps)),
        None => serde_json::Value::Null,
    };
    drop(journal);
    let live = match &target.embedded {
        Some(emulator) => live::run(emulator, &live_client, arguments.live_seconds, text).await?,
        None => Vec::new(),
    };
    let bridge = match &target.embedded {
        Some(emulator) => bridge::run(emulator, text).await.unwrap_or_else(|error| step_failed("bridge", &error, &mut failed_steps)),
        None => serde_json::Value::Null,
    };
    let rollout = match &target.embedded {
        Some(emulator) => {
            let client = target.environment.org("eu-central-2").context("the rollout step's org")?.clone();
            rollout::run(emulator, &client, text).await.unwrap_or_else(|error| step_failed("rollout", &error, &mut failed_steps))
        }
        None => serde_json::Value::Null,
    };
    let scenario = demo_scenario_path();
    let report = simulate_file(&scenario, 7)?;
    if text {
        println!("\n== a virtual-time contact-center day ({}) ==", scenario.display());
        // The day's flows are Archy YAML files next to the scenario (a Traffic Cop and one Main IVR
        // template deployed into the Blue and Green slots).
        println!("  flows: Archy YAML in {}/flows/ (Traffic Cop; Main IVR template in Blue v41 and Green v42)", scenario.parent().map(|folder| folder.display().to_string()).unwrap_or_default());
        print_report(&report);
    }
    target.shutdown().await;
    if !text {
        output.emit(&json!({"orgs": tree, "queues": queue_summary, "flows": flows, "review": review, "live": live, "gateway": gateway, "deploy": deploy, "canary": canary, "bridge": bridge, "rollout": rollout, "simulation": report}), |_| {})?;
    }
    if !failed_steps.is_empty() {
        anyhow::bail!("demo step(s) failed: {}", failed_steps.join("; "));
    }
    Ok(())
}

/// Prints a failed step's error (one line) and records it; the step's JSON is the error.
fn step_failed(step: &str, error: &anyhow::Error, failed: &mut Vec<String>) -> serde_json::Value {
    let chain: Vec<String> = error.chain().map(ToString::to_string).collect();
    let message = format!("{step}: {}", chain.join(": "));
    eprintln!("  demo step failed: {message}");
    failed.push(message.clone());
    json!({"error": message})
}

/// The example scenario shipped with the repository, found from the binary's source tree or the
/// working directory.
fn demo_scenario_path() -> PathBuf {
    flows::repository_file("examples/scenarios/contact-center-day.yaml")
}
