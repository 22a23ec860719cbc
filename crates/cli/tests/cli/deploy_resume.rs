//! `switchboard apply` killed with SIGKILL mid-apply, then `apply --resume`: the deployment
//! converges, no org is left half-applied, and a new plan has nothing to change.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use switchboard_emulator::EmulatorOptions;
use switchboard_journal::{Journal, Status};

use crate::TempDir;

fn deploy(arguments: &[&str], config: &Path, journal: &Path, base_url: &str, credentials: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_switchboard"));
    command
        .args(arguments)
        .arg("--config")
        .arg(config)
        .arg("--journal")
        .arg(journal)
        .args(["--base-url", base_url])
        .arg("--credentials")
        .arg(credentials)
        .env_remove("SWITCHBOARD_TARGET")
        .env_remove("SWITCHBOARD_CLIENT_ID");
    command
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_apply_then_resume_converges() {
    let emulator = match switchboard_emulator::spawn(EmulatorOptions::default()).await {
        Ok(emulator) => emulator,
        Err(error) => panic!("emulator: {error}"),
    };
    let dir = TempDir::new("deploy-resume");
    let credentials = dir.write("credentials.json", &serde_json::to_string(emulator.credentials()).unwrap_or_default());
    let journal = dir.0.join("journal.db");
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/config");
    let base_url = emulator.base_url();
    // Table rows are slow to write, so the kill lands inside a regional org's transaction.
    let rule = serde_json::json!({"method": "POST", "path": "/api/v2/flows/datatables/*/rows", "latencyMs": 400});
    let added = emulator.control_client().post(format!("{base_url}/_emulator/faults")).json(&rule).send().await;
    assert!(added.is_ok_and(|response| response.status().is_success()), "fault rule refused");

    let mut child = deploy(&["apply", "--env", "dev"], &config, &journal, &base_url, &credentials).stderr(Stdio::piped()).stdout(Stdio::null()).spawn().unwrap_or_else(|error| panic!("apply starts: {error}"));
    let Some(stderr) = child.stderr.take() else { panic!("no stderr") };
    let (lines, received) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    loop {
        match received.recv_timeout(Duration::from_secs(60)) {
            Ok(line) => {
                let reached = line.contains("[na-east-1] create queue/NA East 1 Support: done");
                seen.push(line);
                if reached {
                    break;
                }
            }
            Err(_) => panic!("apply never reached na-east-1; stderr: {seen:#?}"),
        }
    }
    child.kill().unwrap_or_else(|error| panic!("SIGKILL: {error}"));
    let _ = child.wait();

    let record = Journal::open(&journal.display().to_string()).await.unwrap_or_else(|error| panic!("journal: {error}"));
    let deployments = record.deployments(Some("dev")).await.unwrap_or_else(|error| panic!("history: {error}"));
    let id = deployments.first().map(|deployment| deployment.id.to_string()).unwrap_or_else(|| panic!("no deployment recorded"));
    let unfinished = record.unfinished_orgs(&id.as_str().into()).await.unwrap_or_default();
    assert!(unfinished.contains(&"na-east-1".to_string()), "{unfinished:?}");
    assert!(!unfinished.contains(&"global".to_string()), "{unfinished:?}");

    let resumed = deploy(&["apply", "--env", "dev", "--resume", &id, "--break-lease"], &config, &journal, &base_url, &credentials).output().unwrap_or_else(|error| panic!("resume: {error}"));
    assert!(resumed.status.success(), "resume failed: {}\n{}", String::from_utf8_lossy(&resumed.stderr), String::from_utf8_lossy(&resumed.stdout));
    let deployment = record.deployment(&id.as_str().into()).await.unwrap_or_else(|error| panic!("deployment: {error}"));
    assert!(deployment.orgs.iter().all(|org| org.status == Status::Done), "{:#?}", deployment.orgs);

    let plan = deploy(&["plan", "--env", "dev", "--detailed-exitcode"], &config, &journal, &base_url, &credentials).output().unwrap_or_else(|error| panic!("plan: {error}"));
    assert_eq!(plan.status.code(), Some(0), "plan after resume: {}", String::from_utf8_lossy(&plan.stdout));
    let history = deploy(&["history", "--env", "dev", "--output", "json"], &config, &journal, &base_url, &credentials).output().unwrap_or_else(|error| panic!("history: {error}"));
    let listed: serde_json::Value = serde_json::from_slice(&history.stdout).unwrap_or_default();
    assert_eq!(listed[0]["status"], "done", "{listed}");
}
