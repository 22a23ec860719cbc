//! The official Python SDK (`purecloudplatformclientv2`) against the emulator:
//! `tests/contract/sdk_contract.py`. Needs the workspace venv (`.ci/run` installs it);
//! `SWITCHBOARD_SKIP_SDK_CONTRACT=1` skips.

use super::support::*;
use std::path::PathBuf;

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_python_sdk_reads_and_writes_the_emulator() {
    let Some(stdout) = run_sdk_script("tests/contract/sdk_contract.py").await else { return };
    assert!(stdout.contains("SDK contract OK"), "{stdout}");
    assert!(stdout.contains("cross-org: region flow Escalation -> hub queue Global Escalations"), "the hub part ran: {stdout}");
}

/// Registers an Architect job, uploads Archy YAML to the presigned URL, polls to `Success` and reads
/// the flow back; a broken flow's job ends in `Failure` with messages; then exports the flow.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_python_sdk_publishes_a_flow_through_an_architect_job() {
    let Some(stdout) = run_sdk_script("tests/contract/sdk_architect_jobs.py").await else { return };
    assert!(stdout.contains("SDK Architect-job contract OK"), "{stdout}");
}

/// Runs a contract script against a fresh emulator (org na-east-1, its hub `global` in
/// `SWITCHBOARD_HUB_CLIENT_*`); `None` when skipped.
async fn run_sdk_script(relative: &str) -> Option<String> {
    if std::env::var("SWITCHBOARD_SKIP_SDK_CONTRACT").as_deref() == Ok("1") {
        eprintln!("skipped: SWITCHBOARD_SKIP_SDK_CONTRACT=1");
        return None;
    }
    let root = workspace_root();
    let python = std::env::var_os("SWITCHBOARD_PYTHON").map(PathBuf::from).unwrap_or_else(|| root.join(".venv/bin/python"));
    let script = root.join(relative);
    let probe = std::process::Command::new(&python).args(["-c", "import PureCloudPlatformClientV2"]).output();
    match probe {
        Ok(output) if output.status.success() => {}
        _ => panic!(
            "the Python SDK is not available at {} — run `.ci/run` (it installs the venv with purecloudplatformclientv2), \
             set SWITCHBOARD_PYTHON, or set SWITCHBOARD_SKIP_SDK_CONTRACT=1",
            python.display()
        ),
    }
    let emulator = start_default().await;
    let credentials = emulator.credentials().org("na-east-1").expect("org").clone();
    let hub = emulator.credentials().org("global").expect("the hub org").clone();
    let base = emulator.base_url();
    let control_token = emulator.control_token().to_string();
    // Blocking on the child in a blocking thread keeps the emulator's tasks running.
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(&python)
            .arg(&script)
            .env("SWITCHBOARD_BASE_URL", &base)
            .env(switchboard_api::emulator::CONTROL_TOKEN_ENV, &control_token)
            .env("SWITCHBOARD_CLIENT_ID", &credentials.client_id)
            .env("SWITCHBOARD_CLIENT_SECRET", &credentials.client_secret)
            .env("SWITCHBOARD_HUB_CLIENT_ID", &hub.client_id)
            .env("SWITCHBOARD_HUB_CLIENT_SECRET", &hub.client_secret)
            .output()
    })
    .await
    .expect("join")
    .expect("python runs");
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{relative} failed\nstdout:\n{stdout}\nstderr:\n{stderr}");
    println!("{stdout}");
    emulator.shutdown().await;
    Some(stdout)
}
