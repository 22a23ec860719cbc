//! `cargo xtask bench review`: (1) static validation throughput — 1,000 generated flows of 200
//! blocks through the model's validator (every rule, the review's transfer-cycle check across them
//! included), against the baseline of only deserializing the same flows, measured in the same run;
//! goal: well under a second. (2) A full review of the default emulator topology's regional org
//! (every flow it has, exported through Architect jobs; every check, the fault drills on live
//! calls), wall time split by check,
//! each as a multiple of one platform round trip (`GET /api/v2/flows`) measured in the same run.

use std::time::{Duration, Instant};
use switchboard_emulator::EmulatorOptions;
use switchboard_model::flow::FlowDefinition;
use switchboard_model::validate::{Catalog, validate, validate_flows};
use switchboard_platform::{ClientConfig, OrgClient, PlatformExt};
use switchboard_review::{FlowRef, ReviewConfig};

const FLOWS: usize = 1_000;
const BLOCKS: usize = 200;

pub async fn run() -> anyhow::Result<()> {
    static_throughput()?;
    full_review().await
}

/// One generated flow as JSON: a chain of segments (set a variable, decide on it, call an
/// integration with bounded retries, play, wait), every error path to a fallback queue.
fn generated_flow(index: usize) -> serde_json::Value {
    let mut blocks = serde_json::Map::new();
    let segments = (BLOCKS - 3) / 5;
    for segment in 0..segments {
        let at = |offset: usize| format!("b{}", segment * 5 + offset);
        let next = if segment + 1 == segments { "queue".to_string() } else { format!("b{}", (segment + 1) * 5) };
        blocks.insert(at(0), serde_json::json!({"type": "set_variable", "variable": format!("Flow.V{segment}"), "value": format!("={segment} + 1"), "next": at(1)}));
        blocks.insert(
            at(1),
            serde_json::json!({"type": "decision", "condition": format!("=Flow.V{segment} > {}", index % 7), "on_true": at(2), "on_false": at(3)}),
        );
        blocks.insert(
            at(2),
            serde_json::json!({"type": "data_action", "integration": "CRM", "inputs": {"phone": "=Call.Ani"}, "timeout_ms": 3000,
                "retry": {"max_attempts": 3, "backoff": "exponential", "initial_delay_ms": 500, "max_delay_ms": 4000},
                "on_success": at(3), "on_error": "fallback"}),
        );
        blocks.insert(at(3), serde_json::json!({"type": "play", "prompt": "One moment", "next": at(4)}));
        blocks.insert(at(4), serde_json::json!({"type": "wait", "duration_ms": 100, "next": next}));
    }
    blocks.insert("queue".into(), serde_json::json!({"type": "transfer_to_queue", "queue": "Support", "on_failure": "bye"}));
    blocks.insert("fallback".into(), serde_json::json!({"type": "transfer_to_queue", "queue": "Support", "priority": 5, "on_failure": "bye"}));
    blocks.insert("bye".into(), serde_json::json!({"type": "disconnect"}));
    serde_json::json!({"name": format!("Generated {index}"), "start": "b0", "blocks": blocks})
}

fn static_throughput() -> anyhow::Result<()> {
    let documents: Vec<String> = (0..FLOWS).map(|index| generated_flow(index).to_string()).collect();
    let block_count = serde_json::from_str::<FlowDefinition>(&documents[0])?.blocks.len();
    let catalog = Catalog {
        integrations: Some(["CRM".to_string()].into()),
        queues: Some(["Support".to_string()].into()),
        ..Catalog::default()
    };
    // Baseline: deserializing the flows, the least any validator has to do.
    let mut best_load = Duration::MAX;
    let mut best_validate = Duration::MAX;
    let mut findings = 0;
    for _ in 0..3 {
        let started = Instant::now();
        let flows: Vec<FlowDefinition> = documents.iter().map(|text| serde_json::from_str(text)).collect::<Result<_, _>>()?;
        best_load = best_load.min(started.elapsed());
        let started = Instant::now();
        findings = flows.iter().map(|flow| validate(flow, &catalog).len()).sum::<usize>() + validate_flows(flows.iter()).len();
        best_validate = best_validate.min(started.elapsed());
    }
    println!("static validation: {FLOWS} flows x {block_count} blocks, {findings} findings");
    println!(
        "  validate {:.0} ms ({:.0} flows/s); baseline deserialize {:.0} ms; ratio {:.1}x the baseline",
        best_validate.as_secs_f64() * 1e3,
        FLOWS as f64 / best_validate.as_secs_f64(),
        best_load.as_secs_f64() * 1e3,
        best_validate.as_secs_f64() / best_load.as_secs_f64()
    );
    Ok(())
}

async fn full_review() -> anyhow::Result<()> {
    let emulator = switchboard_emulator::spawn(EmulatorOptions { rate_limit_per_minute: 10_000_000, ..EmulatorOptions::default() }).await?;
    let org = "na-east-1";
    let Some(credentials) = emulator.credentials().org(org).cloned() else { anyhow::bail!("the default topology has no {org}") };
    let mut config = ClientConfig::new(emulator.base_url(), credentials.client_id.clone(), credentials.client_secret);
    config.org_label = org.to_string();
    config.control_token = Some(emulator.control_token().into());
    let client = OrgClient::new(config)?;
    // Baseline: one platform round trip, best of 20 (the first also fetches the token).
    let mut round_trip = Duration::MAX;
    let mut names = Vec::new();
    for _ in 0..20 {
        let started = Instant::now();
        let flows: Vec<_> = futures_util::TryStreamExt::try_collect(client.flows().list(None, None)).await?;
        round_trip = round_trip.min(started.elapsed());
        names = flows.into_iter().map(|flow: switchboard_platform::api::flow::Flow| flow.name).collect();
    }
    let flows = names.iter().map(|name| FlowRef::Org(name.clone())).collect();
    let mut review = ReviewConfig::new(org, flows);
    review.own_client_id = Some(credentials.client_id);
    // The fault drills run on live emulator calls, as `switchboard review` runs them on an emulator.
    review.live.live_calls = switchboard_review::drills::LiveCalls::detect(std::sync::Arc::new(client.clone()), &emulator.base_url()).await;
    let started = Instant::now();
    let result = switchboard_review::run(&client, &review, std::future::pending::<()>()).await;
    let total = started.elapsed();
    println!("full review of the default topology's {org}: {} flows ({}), outcome {:?}, {} errors, {} warnings", names.len(), names.join(", "), result.outcome, result.errors(), result.warnings());
    println!("  baseline: one GET /api/v2/flows round trip {:.2} ms", round_trip.as_secs_f64() * 1e3);
    println!("  total {:.0} ms ({:.0}x the round trip)", total.as_secs_f64() * 1e3, total.as_secs_f64() / round_trip.as_secs_f64());
    for run in &result.checks {
        let status = match &run.status {
            switchboard_review::CheckStatus::Ran => "ran".to_string(),
            other => format!("{other:?}"),
        };
        println!(
            "  {:<20} {:>6} ms ({:>7.0}x)  {status}, {} subject(s)",
            run.check.name(),
            run.duration_ms,
            run.duration_ms as f64 / (round_trip.as_secs_f64() * 1e3),
            run.subjects.len()
        );
    }
    emulator.shutdown().await;
    Ok(())
}
