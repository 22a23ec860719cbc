//! Approval-flagged changes (routing weights): without `--approve` and without a terminal (CI)
//! `switchboard apply` refuses before any write; on a terminal (a pseudo-terminal made by
//! `script`) it lists them, asks, and a "y" applies them, drawing per-org progress bars.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use futures_util::TryStreamExt;
use switchboard_emulator::EmulatorOptions;
use switchboard_platform::{ClientConfig, OrgClient, PlatformExt};

use crate::TempDir;

const MANIFEST: &str = "environments:
  dev:
    target:
      emulator: true
orgs:
  - name: na-east-1
groups:
  - group: na
    org_ids: [na-east-1]
    components: [weights]
";

const WEIGHTS: &str = "description: Weights a Traffic Cop reads.
resources:
  - datatable:
      name: Queue Weights
      columns:
        weight: integer
      rows:
        - key: sales
          weight: 70
        - key: billing
          weight: 30
";

fn arguments(config: &Path, journal: &Path, base_url: &str, credentials: &Path) -> Vec<String> {
    let path = |path: &Path| path.display().to_string();
    ["apply", "--env", "dev", "--config", &path(config), "--journal", &path(journal), "--base-url", base_url, "--credentials", &path(credentials)].iter().map(|text| text.to_string()).collect()
}

async fn weight_tables(client: &OrgClient) -> usize {
    let tables: Vec<_> = client.datatables().list(false).try_collect().await.unwrap_or_else(|error| panic!("tables: {error}"));
    tables.iter().filter(|table| table.name == "Queue Weights").count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approval_needs_approve_in_ci_or_a_yes_on_a_terminal() {
    let emulator = switchboard_emulator::spawn(EmulatorOptions::default()).await.unwrap_or_else(|error| panic!("emulator: {error}"));
    let dir = TempDir::new("deploy-approval");
    let credentials = dir.write("credentials.json", &serde_json::to_string(emulator.credentials()).unwrap_or_default());
    let config = dir.0.join("config");
    std::fs::create_dir_all(config.join("components")).unwrap_or_else(|error| panic!("config dir: {error}"));
    std::fs::write(config.join("switchboard.yaml"), MANIFEST).unwrap_or_else(|error| panic!("manifest: {error}"));
    std::fs::write(config.join("components/weights.yaml"), WEIGHTS).unwrap_or_else(|error| panic!("component: {error}"));
    let journal = dir.0.join("journal.db");
    let args = arguments(&config, &journal, &emulator.base_url(), &credentials);
    let Some(org) = emulator.credentials().org("na-east-1") else { panic!("no org na-east-1") };
    let client = OrgClient::new(ClientConfig::new(emulator.base_url(), org.client_id.clone(), org.client_secret.clone())).unwrap_or_else(|error| panic!("client: {error}"));

    // CI: no terminal, no --approve → refused, nothing written.
    let refused = Command::new(env!("CARGO_BIN_EXE_switchboard")).args(&args).stdin(Stdio::null()).output().unwrap_or_else(|error| panic!("apply runs: {error}"));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success() && stderr.contains("need approval (pass --approve)"), "{stderr}");
    assert_eq!(weight_tables(&client).await, 0, "a refused apply writes nothing");

    // A terminal: the changes are listed, the question asked, "y" applies them.
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped the terminal half: `script` (util-linux) is not installed");
        return;
    }
    let binary = env!("CARGO_BIN_EXE_switchboard");
    let line = std::iter::once(binary.to_string()).chain(args.iter().cloned()).map(|part| format!("'{part}'")).collect::<Vec<_>>().join(" ");
    let mut child = Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("script runs: {error}"));
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(b"y\n").unwrap_or_else(|error| panic!("answer: {error}"));
    }
    let approved = child.wait_with_output().unwrap_or_else(|error| panic!("apply under script: {error}"));
    let transcript = String::from_utf8_lossy(&approved.stdout);
    assert!(approved.status.success(), "{transcript}\n{}", String::from_utf8_lossy(&approved.stderr));
    assert!(transcript.contains("need approval") && transcript.contains("changes routing weights") && transcript.contains("apply them? [y/N]"), "{transcript}");
    assert!(transcript.contains("na-east-1") && transcript.contains("1/1"), "a per-org bar: {transcript}");
    assert_eq!(weight_tables(&client).await, 1, "approved on the terminal, applied");
}
