//! `switchboard review` and `switchboard pipeline` on the embedded emulator: exit 0 pass, 1 fail,
//! 2 could not run; the three reports written; the pipeline stops at the first failing stage.

use crate::{TempDir, stderr_of, switchboard};

/// A sound flow calling the region's CRM with bounded, backed-off retries.
const SOUND: &str = r#"name: Review Sound
start: lookup
blocks:
  lookup:
    type: data_action
    integration: CRM Lookup
    inputs: {phone: "+15551234567"}
    timeout_ms: 3000
    retry: {max_attempts: 3, backoff: exponential, initial_delay_ms: 500, max_delay_ms: 4000}
    on_success: done
    on_error: sorry
  done: {type: disconnect}
  sorry: {type: disconnect, reason: crm-down}
"#;

/// The planted defect: a failing CRM call goes round a wait and back, for ever.
const DEFECT: &str = r#"name: Review Defect
start: lookup
blocks:
  lookup: {type: data_action, integration: CRM Lookup, inputs: {phone: "+15551234567"}, timeout_ms: 3000, on_success: done, on_error: pause}
  pause: {type: wait, duration_ms: 1000, next: lookup}
  done: {type: disconnect}
"#;

/// No data actions: the pipeline's review has nothing to probe and stays quick.
const SIMPLE: &str = "name: Review Simple\nstart: hello\nblocks:\n  hello: {type: play, prompt: Welcome, next: bye}\n  bye: {type: disconnect}\n";

fn quick_checks() -> Vec<&'static str> {
    vec!["--check", "static_validation", "--check", "failure_modes", "--check", "latency_sla", "--check", "flow_locks"]
}

#[test]
fn a_passing_review_exits_0_and_writes_three_reports() {
    let dir = TempDir::new("review-pass");
    let flow = dir.write("sound.yaml", SOUND);
    let reports = dir.0.join("reports");
    let mut arguments = vec!["review", "--env", "na-east-1", "--flow", flow.to_str().unwrap_or_default(), "--report-dir", reports.to_str().unwrap_or_default()];
    arguments.extend(quick_checks());
    let output = switchboard(&arguments);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "stdout: {stdout}\nstderr: {}", stderr_of(&output));
    assert!(stdout.contains("review of `na-east-1`: PASS"), "{stdout}");
    for file in ["review.json", "junit.xml", "summary.md"] {
        assert!(reports.join(file).is_file(), "{file} written");
    }
    let junit = std::fs::read_to_string(reports.join("junit.xml")).unwrap_or_default();
    assert!(junit.contains("<testcase classname=\"switchboard.review.latency_sla\" name=\"integration:CRM Lookup\""), "{junit}");
}

#[test]
fn a_planted_defect_fails_with_exit_1_and_json_names_it() {
    let dir = TempDir::new("review-fail");
    let flow = dir.write("defect.yaml", DEFECT);
    let mut arguments = vec!["--output", "json", "review", "--env", "na-east-1", "--flow", flow.to_str().unwrap_or_default()];
    arguments.extend(quick_checks());
    let output = switchboard(&arguments);
    assert_eq!(output.status.code(), Some(1), "stderr: {}", stderr_of(&output));
    let review: serde_json::Value = serde_json::from_slice(&output.stdout).expect("one JSON document");
    assert_eq!(review["outcome"], "fail");
    let codes: Vec<&str> = review["findings"].as_array().into_iter().flatten().filter_map(|finding| finding["code"].as_str()).collect();
    assert!(codes.contains(&"retry-unbounded") && codes.contains(&"fault-retries-forever"), "{codes:?}");
}

#[test]
fn an_unreachable_platform_could_not_run_exit_2() {
    let dir = TempDir::new("review-unreachable");
    let flow = dir.write("simple.yaml", SIMPLE);
    let credentials = dir.write("credentials.json", r#"{"orgs":[{"id":"x","name":"lab","clientId":"id","clientSecret":"secret"}]}"#);
    let output = switchboard(&[
        "review",
        "--env",
        "lab",
        "--flow",
        flow.to_str().unwrap_or_default(),
        "--check",
        "static_validation",
        "--base-url",
        "http://127.0.0.1:9",
        "--credentials",
        credentials.to_str().unwrap_or_default(),
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(2), "stdout: {stdout}\nstderr: {}", stderr_of(&output));
    assert!(stdout.contains("COULD NOT RUN"), "{stdout}");
}

#[test]
fn an_unknown_check_is_a_one_line_error() {
    let output = switchboard(&["review", "--env", "na-east-1", "--check", "vibes"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr_of(&output).contains("--check vibes: unknown check"), "{}", stderr_of(&output));
}

#[test]
fn the_pipeline_promotes_a_sound_flow_and_stops_at_a_defect() {
    let dir = TempDir::new("pipeline");
    let simple = dir.write("simple.yaml", SIMPLE);
    let reports = dir.0.join("reports");
    let output = switchboard(&[
        "--output",
        "json",
        "pipeline",
        "--flow",
        simple.to_str().unwrap_or_default(),
        "--sandbox",
        "na-east-1",
        "--production",
        "eu-central-1",
        "--approve",
        "--report-dir",
        reports.to_str().unwrap_or_default(),
    ]);
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr_of(&output));
    let stages: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON stages");
    let names: Vec<(&str, &str)> = stages
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|stage| Some((stage["stage"].as_str()?, stage["status"].as_str()?)))
        .collect();
    assert_eq!(
        names,
        [("validate", "passed"), ("deploy_sandbox", "passed"), ("review", "passed"), ("approval", "passed"), ("deploy_production", "passed")]
    );
    assert!(reports.join("pipeline.json").is_file());

    let defect = dir.write("defect.yaml", DEFECT);
    let output = switchboard(&[
        "--output",
        "json",
        "pipeline",
        "--flow",
        defect.to_str().unwrap_or_default(),
        "--sandbox",
        "na-east-1",
        "--production",
        "eu-central-1",
        "--approve",
        "--report-dir",
        reports.to_str().unwrap_or_default(),
    ]);
    assert_eq!(output.status.code(), Some(1), "stderr: {}", stderr_of(&output));
    let stages: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON stages");
    assert_eq!(stages.as_array().map(Vec::len), Some(1), "stopped at validate: {stages}");
    assert_eq!(stages[0]["stage"], "validate");
    assert_eq!(stages[0]["status"], "failed");
    // The failing stage's report is there for the CI system to show.
    let junit = std::fs::read_to_string(reports.join("junit.xml")).unwrap_or_default();
    assert!(junit.contains("type=\"retry-unbounded\""), "{junit}");
}
