//! `switchboard rollout` against a running emulator, as against a real org (base URL and
//! credentials only): init adds the hidden smoke DID; `start` of a candidate that hangs up at its
//! first block is refused by the smoke test (exit 1, the evidence on one line, the failure in the
//! history) before any weight moves; a healthy candidate passes it and, on sped-up live calls, is
//! judged interval by interval and promoted.

use crate::{TempDir, stderr_of};
use std::process::Output;
use switchboard_emulator::EmulatorOptions;
use switchboard_emulator::CenterOptions;
use switchboard_simulation::distribution::DurationDistribution;
use switchboard_platform::api::traffic::TrafficRequest;

const ORG: &str = "eu-central-2";

const DISCONNECTS: &str = "name: Main IVR\nvariables:\n  Customer_Tier: {type: string}\nstart: bye\nblocks:\n  bye: {type: disconnect}\n  to_support: {type: transfer_to_queue, queue: Support}\n";

/// The default Main IVR with a shorter greeting: the same routing, so the same waits.
const HEALTHY: &str = r#"name: Main IVR
variables:
  Customer_Tier: {type: string}
start: welcome
blocks:
  welcome: {type: play, prompt: Welcome, duration_ms: 500, next: crm}
  crm:
    type: data_action
    integration: CRM Lookup
    inputs: {phone: "=ANI"}
    outputs: {tier: Customer_Tier}
    timeout_ms: 3000
    retry: {max_attempts: 3, backoff: exponential, initial_delay_ms: 250, max_delay_ms: 2000}
    on_success: tier_check
    on_error: menu
  tier_check: {type: decision, condition: "=Customer_Tier == 'gold'", on_true: to_priority, on_false: menu}
  menu: {type: randomize, branches: [{weight: 60, next: to_support}], default: to_sales}
  to_priority: {type: transfer_to_queue, queue: Support, priority: 10}
  to_support: {type: transfer_to_queue, queue: Support}
  to_sales: {type: transfer_to_queue, queue: Sales}
"#;

/// Runs the CLI with the emulator's control credential (the smoke test places its calls there).
async fn run(emulator: &switchboard_emulator::RunningEmulator, arguments: Vec<String>) -> Output {
    let control_token = emulator.control_token().to_string();
    tokio::task::spawn_blocking(move || {
        let arguments: Vec<&str> = arguments.iter().map(String::as_str).collect();
        crate::switchboard_with(&arguments, &[(switchboard_api::emulator::CONTROL_TOKEN_ENV, &control_token)])
    })
    .await
    .expect("the command ran")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_candidate_that_hangs_up_at_once_is_refused_by_the_smoke_test_and_a_healthy_one_is_promoted_on_live_calls() {
    let emulator = switchboard_emulator::spawn(EmulatorOptions::default()).await.expect("emulator");
    let dir = TempDir::new("rollout-smoke");
    let credentials = dir.write("credentials.json", &serde_json::to_string(emulator.credentials()).expect("credentials JSON"));
    let journal = dir.0.join("journal.db");
    let bad = dir.write("bad.yaml", DISCONNECTS);
    let good = dir.write("good.yaml", HEALTHY);
    let common = |command: &str| -> Vec<String> {
        let mut arguments: Vec<String> = ["rollout", command, "--org", ORG, "--flow", "Main IVR", "--base-url"].iter().map(|s| s.to_string()).collect();
        arguments.push(emulator.base_url());
        arguments.extend(["--credentials".to_string(), credentials.display().to_string(), "--journal".to_string(), journal.display().to_string()]);
        arguments
    };

    let mut init = common("init");
    init.extend(["--smoke-did".to_string(), "+49695550399".to_string()]);
    let output = run(&emulator, init).await;
    assert!(output.status.success(), "init: {}", stderr_of(&output));

    let start = |file: &std::path::Path| {
        let mut arguments = common("start");
        arguments.extend(["--from".to_string(), file.display().to_string(), "--smoke-via-emulator".to_string(), "--detach".to_string(), "--steps".to_string(), "5,100".to_string()]);
        arguments
    };
    let output = run(&emulator, start(&bad)).await;
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("smoke test failed, nothing routed to the candidate: 0 of 3 smoke calls to +49695550399"), "{stderr}");
    assert!(stderr.contains("ended 'disconnect' at bye"), "the evidence names the block: {stderr}");
    assert_eq!(stderr.trim().lines().filter(|line| line.starts_with("error")).count(), 1, "one error line: {stderr}");

    let mut history = common("history");
    history.extend(["--output".to_string(), "json".to_string()]);
    let output = run(&emulator, history).await;
    let events: serde_json::Value = serde_json::from_slice(&output.stdout).expect("history JSON");
    assert!(events.as_array().into_iter().flatten().any(|event| event["kind"] == "smoke_failed"), "{events}");

    // Sped-up live traffic on the main number (through the Traffic Cop), then a start that drives
    // the rollout to its end: judged every 400 ms, promoted after one step.
    let state = emulator.state();
    // Two-second calls, so the org's four agents answer through the run (half busy).
    state.contact_center().set_options(CenterOptions {
        handle_time: DurationDistribution::Constant { ms: 2_000.0 },
        wrap_up: DurationDistribution::Constant { ms: 0.0 },
        patience: DurationDistribution::Constant { ms: 120_000.0 },
        seed: 11,
    });
    let traffic = TrafficRequest { org: ORG.into(), did: "+49695550300".into(), calls_per_minute: Some(60.0), speed_up: Some(20.0), seed: Some(5), ..TrafficRequest::default() };
    state.start_traffic(traffic).expect("traffic");
    let mut good_start = common("start");
    good_start.extend(
        ["--from", &good.display().to_string(), "--smoke-via-emulator", "--steps", "50,100", "--interval-seconds", "0.4", "--min-calls", "10", "--alpha", "0.001", "--output", "json"]
            .iter()
            .map(|s| s.to_string()),
    );
    let output = run(&emulator, good_start).await;
    state.contact_center().traffic.stop_all();
    let stderr = stderr_of(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("smoke test passed: 3 of 3 smoke calls"), "{stderr}");
    assert!(stderr.contains("data action CRM Lookup"), "{stderr}");
    assert!(stderr.contains("PROMOTED"), "one line per event while it runs: {stderr}");
    let status: serde_json::Value = serde_json::from_slice(&output.stdout).expect("status JSON");
    assert_eq!(status["phase"], "promoted", "{status}");
    assert!(status["candidate_calls"]["calls"].as_u64().unwrap_or(0) >= 10, "{status}");
    assert!(status["candidate_calls"]["waits_counted"].as_u64().unwrap_or(0) > 0, "speed of answer from the detail records: {status}");
    emulator.shutdown().await;
}
