//! `switchboard review` and `switchboard pipeline` on the embedded emulator: exit 0 pass, 1 fail,
//! 2 could not run; the three reports written; the pipeline stops at the first failing stage.

use crate::{TempDir, stderr_of, switchboard, switchboard_with};

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

/// A config repository with two environments on one running emulator: `sandbox` deploys the app's
/// flow to na-east-1, `prod` to eu-central-1.
fn config_repository(dir: &TempDir, flow: &str) -> std::path::PathBuf {
    let root = dir.0.join("config");
    for sub in ["components", "flows"] {
        std::fs::create_dir_all(root.join(sub)).expect("config dirs");
    }
    let manifest = "environments:\n  sandbox:\n    target: {emulator: true}\n    orgs: {app: na-east-1}\n  prod:\n    target: {emulator: true}\n    orgs: {app: eu-central-1}\norgs:\n  - name: app\ngroups:\n  - group: apps\n    org_ids: [app]\n    components: [ivr]\n";
    std::fs::write(root.join("switchboard.yaml"), manifest).expect("manifest");
    std::fs::write(root.join("components/ivr.yaml"), "resources:\n  - flow:\n      name: Pipeline IVR\n      file: flows/ivr.yaml\n").expect("component");
    std::fs::write(root.join("flows/ivr.yaml"), flow).expect("flow");
    root
}

/// An Archy flow named `Pipeline IVR` whose startup task runs `actions`.
fn archy_ivr(actions: &str) -> String {
    format!(
        "inboundCall:\n  name: Pipeline IVR\n  defaultLanguage: en-us\n  startUpRef: \"/inboundCall/tasks/task[Startup_10]\"\n  initialGreeting:\n    tts: Welcome.\n  tasks:\n    - task:\n        name: Startup\n        refId: Startup_10\n        actions:\n{actions}"
    )
}

fn pipeline(config: &std::path::Path, emulator: &switchboard_emulator::RunningEmulator, dir: &TempDir) -> std::process::Output {
    let credentials = dir.write("credentials.json", &serde_json::to_string(emulator.credentials()).unwrap_or_default());
    let reports = dir.0.join("reports");
    let base_url = emulator.base_url();
    switchboard_with(
        &[
        "--output",
        "json",
        "pipeline",
        "--config",
        config.to_str().unwrap_or_default(),
        "--approve",
        "--report-dir",
        reports.to_str().unwrap_or_default(),
        "--base-url",
        &base_url,
        "--credentials",
        credentials.to_str().unwrap_or_default(),
        ],
        &[(switchboard_api::emulator::CONTROL_TOKEN_ENV, emulator.control_token())],
    )
}

fn stage_statuses(output: &std::process::Output) -> Vec<(String, String)> {
    let stages: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON stages");
    stages
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|stage| Some((stage["stage"].as_str()?.to_string(), stage["status"].as_str()?.to_string())))
        .collect()
}

/// Whether `org` of the emulator has a published flow named `Pipeline IVR`.
async fn published_in(emulator: &switchboard_emulator::RunningEmulator, org: &str) -> bool {
    use futures_util::TryStreamExt;
    use switchboard_platform::PlatformExt;
    let Some(credentials) = emulator.credentials().org(org) else { panic!("no org {org}") };
    let mut config = switchboard_platform::ClientConfig::new(emulator.base_url(), credentials.client_id.clone(), credentials.client_secret.clone());
    config.org_label = org.to_string();
    let client = switchboard_platform::OrgClient::new(config).expect("client");
    let flows: Vec<_> = client.flows().list(Some("Pipeline IVR"), None).try_collect().await.expect("flows");
    flows.iter().any(|flow| flow.name == "Pipeline IVR" && flow.published_version.is_some())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pipeline_deploys_through_the_engine_and_promotes_a_sound_flow() {
    let emulator = switchboard_emulator::spawn(switchboard_emulator::EmulatorOptions::default()).await.expect("emulator");
    let dir = TempDir::new("pipeline-sound");
    let config = config_repository(&dir, &archy_ivr("          - disconnect:\n              name: Done\n"));
    let output = pipeline(&config, &emulator, &dir);
    assert_eq!(output.status.code(), Some(0), "stdout: {}\nstderr: {}", String::from_utf8_lossy(&output.stdout), stderr_of(&output));
    let expected: Vec<(String, String)> = ["validate", "deploy_sandbox", "review", "approval", "deploy_production"]
        .iter()
        .map(|stage| (stage.to_string(), "passed".to_string()))
        .collect();
    assert_eq!(stage_statuses(&output), expected);
    // The deploy engine applied the config repository to both environments' orgs.
    assert!(published_in(&emulator, "na-east-1").await, "deployed to the sandbox");
    assert!(published_in(&emulator, "eu-central-1").await, "promoted to production");
    for file in ["pipeline.json", "app/junit.xml", "app/review.json", "validate/junit.xml"] {
        assert!(dir.0.join("reports").join(file).is_file(), "{file} written");
    }
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pipeline_stops_at_the_first_failing_stage() {
    let emulator = switchboard_emulator::spawn(switchboard_emulator::EmulatorOptions::default()).await.expect("emulator");
    // A decision whose condition does not parse: the validate stage's static check stops it.
    let dir = TempDir::new("pipeline-invalid");
    let broken = "          - decision:\n              name: Check\n              condition:\n                exp: \"1 +\"\n              outputs:\n                yes:\n                  actions:\n                    - disconnect:\n                        name: Yes\n          - disconnect:\n              name: Done\n";
    let config = config_repository(&dir, &archy_ivr(broken));
    let output = pipeline(&config, &emulator, &dir);
    assert_eq!(output.status.code(), Some(1), "stderr: {}", stderr_of(&output));
    assert_eq!(stage_statuses(&output), vec![("validate".to_string(), "failed".to_string())]);
    // A queue the sandbox org lacks: statically fine offline, refused by the sandbox deploy.
    let dir = TempDir::new("pipeline-undeployable");
    let queue = "          - transferToAcd:\n              name: To support\n              targetQueue:\n                lit:\n                  name: No Such Queue\n              outputs:\n                failure:\n                  actions:\n                    - disconnect:\n                        name: Sorry\n          - disconnect:\n              name: Done\n";
    let config = config_repository(&dir, &archy_ivr(queue));
    let output = pipeline(&config, &emulator, &dir);
    assert_eq!(output.status.code(), Some(1), "stderr: {}", stderr_of(&output));
    assert_eq!(
        stage_statuses(&output),
        vec![("validate".to_string(), "passed".to_string()), ("deploy_sandbox".to_string(), "failed".to_string())]
    );
    assert!(!published_in(&emulator, "eu-central-1").await, "nothing reached production");
    emulator.shutdown().await;
}

#[test]
fn the_pipeline_runs_on_embedded_emulators_without_a_target_override() {
    // `target: {emulator: true}`: each environment gets its own embedded emulator, the sandbox's
    // kept open from its deploy through its review.
    let dir = TempDir::new("pipeline-embedded");
    let config = config_repository(&dir, &archy_ivr("          - disconnect:\n              name: Done\n"));
    let output = switchboard(&["--output", "json", "pipeline", "--config", config.to_str().unwrap_or_default(), "--approve"]);
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr_of(&output));
    let statuses = stage_statuses(&output);
    assert_eq!(statuses.len(), 5, "{statuses:?}");
    assert!(statuses.iter().all(|(_, status)| status == "passed"), "{statuses:?}");
}

#[test]
fn an_unreachable_target_fails_fast_naming_the_connection() {
    let dir = TempDir::new("review-refused");
    let flow = dir.write("simple.yaml", SIMPLE);
    let credentials = dir.write("credentials.json", r#"{"orgs":[{"id":"x","name":"lab","clientId":"id","clientSecret":"secret"}]}"#);
    // A port nothing listens on: bound, then released, so connections are refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|listener| listener.local_addr()).map(|address| address.port()).unwrap_or(9);
    let base_url = format!("http://127.0.0.1:{port}");
    let output = switchboard(&[
        "review", "--env", "lab", "--flow", flow.to_str().unwrap_or_default(), "--check", "static_validation",
        "--base-url", &base_url, "--credentials", credentials.to_str().unwrap_or_default(), "--connect-timeout", "1", "--output", "json",
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(2), "stdout: {stdout}\nstderr: {}", stderr_of(&output));
    // The platform client gives up once the connect timeout has passed without ever reaching
    // the target, and says so, rather than retrying every call for most of a minute.
    assert!(stdout.contains(&format!("cannot connect to {base_url}")), "{stdout}");
}
