//! Bad input: a clear one-line error naming the file and line, a non-zero exit, no panic.

use crate::{TempDir, stderr_of, switchboard};

fn assert_one_line_error(output: &std::process::Output, must_contain: &[&str]) {
    let stderr = stderr_of(output);
    assert_eq!(output.status.code(), Some(1), "exit code; stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    let lines: Vec<&str> = stderr.lines().filter(|line| !line.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "exactly one line expected, got: {stderr}");
    assert!(lines[0].starts_with("error: "), "{stderr}");
    for needle in must_contain {
        assert!(lines[0].contains(needle), "{needle:?} missing from: {stderr}");
    }
}

#[test]
fn malformed_topology_names_file_and_line() {
    let dir = TempDir::new("bad-topology");
    let path = dir.write("topology.yaml", "orgs:\n  - name: global\n    queues: [\n");
    let output = switchboard(&["emulator", "--listen", "127.0.0.1:0", "--config", path.to_str().unwrap_or_default()]);
    assert_one_line_error(&output, &["topology.yaml:"]);
}

#[test]
fn malformed_scenario_names_file_and_line() {
    let dir = TempDir::new("bad-scenario");
    let path = dir.write("day.yaml", "name: broken\nduration_minutes: sixty\n");
    let output = switchboard(&["simulate", "--scenario", path.to_str().unwrap_or_default()]);
    assert_one_line_error(&output, &["day.yaml:2"]);
}

#[test]
fn missing_file_is_one_line() {
    let output = switchboard(&["simulate", "--scenario", "/nonexistent/day.yaml"]);
    assert_one_line_error(&output, &["/nonexistent/day.yaml"]);
}

#[test]
fn base_url_without_credentials_is_refused() {
    let output = switchboard(&["orgs", "--base-url", "http://127.0.0.1:9"]);
    assert_one_line_error(&output, &["credentials"]);
}

#[test]
fn unreachable_platform_is_one_line() {
    let dir = TempDir::new("unreachable");
    let credentials = dir.write(
        "credentials.json",
        r#"{"orgs":[{"id":"x","name":"lab","clientId":"id","clientSecret":"secret"}]}"#,
    );
    let output = switchboard(&["orgs", "--base-url", "http://127.0.0.1:9", "--credentials", credentials.to_str().unwrap_or_default()]);
    assert_one_line_error(&output, &["lab"]);
    assert!(!stderr_of(&output).contains("secret\""), "the secret must not be printed");
}

#[test]
fn traffic_on_an_unrouted_number_is_refused() {
    let output = switchboard(&["emulator", "--listen", "127.0.0.1:0", "--traffic", "na-east-1/+19995550000=2"]);
    assert_one_line_error(&output, &["+19995550000", "not routed"]);
}

#[test]
fn traffic_rate_must_be_a_number() {
    let output = switchboard(&["emulator", "--listen", "127.0.0.1:0", "--traffic", "na-east-1/+13175550000=lots"]);
    assert_one_line_error(&output, &["--traffic", "lots"]);
}

#[test]
fn a_bad_topology_scale_names_the_expected_shape() {
    let output = switchboard(&["emulator", "--listen", "127.0.0.1:0", "--topology-scale", "50"]);
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "a usage error; stderr: {stderr}");
    assert!(stderr.contains("ORGS:RESOURCES") && !stderr.contains("panicked"), "{stderr}");
}

const TWO_PROBLEMS: &str = "inboundCall:\n  name: T\n  startUpRef: ./tasks/task[t]\n  tasks:\n    - task:\n        name: Main\n        refId: t\n        actions:\n          - transferToUser:\n              name: X\n          - playAudio: 3\n";

#[test]
fn a_load_error_names_each_problem_once() {
    let dir = TempDir::new("load-once");
    let path = dir.write("bad.yaml", TWO_PROBLEMS);
    let output = switchboard(&["flow", "validate", path.to_str().unwrap_or_default()]);
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.matches("bad.yaml:9:13").count(), 1, "printed once: {stderr}");
    assert_eq!(stderr.matches("bad.yaml:11:13").count(), 1, "printed once: {stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
}

#[test]
fn under_json_output_a_failure_is_one_json_document() {
    let dir = TempDir::new("load-json");
    let path = dir.write("bad.yaml", TWO_PROBLEMS);
    let output = switchboard(&["--output", "json", "flow", "validate", path.to_str().unwrap_or_default()]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stderr_of(&output), "", "nothing in plain text");
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).expect("stdout is one JSON document");
    assert_eq!(document["exitCode"], 1);
    let lines = document["error"]["lines"].as_array().expect("lines");
    assert_eq!(lines.len(), 2, "{document}");
    assert!(lines[0].as_str().is_some_and(|line| line.contains("bad.yaml:9:13")), "{document}");
}
