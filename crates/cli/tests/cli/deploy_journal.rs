//! Issue 17: every command that takes `--config` finds the environment's own journal (a
//! relative `--config` included, with no stray journal made elsewhere); `rollback` takes over
//! a dead holder's lease with `--break-lease`; an export made with `--env` plans as is.

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use switchboard_emulator::EmulatorOptions;
use switchboard_journal::Journal;

use crate::TempDir;

fn run(dir: &Path, arguments: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .current_dir(dir)
        .args(arguments)
        .env_remove("SWITCHBOARD_BASE_URL")
        .env_remove("SWITCHBOARD_CREDENTIALS")
        .env_remove("SWITCHBOARD_CLIENT_ID")
        .env_remove("SWITCHBOARD_TARGET")
        .env_remove("SWITCHBOARD_JOURNAL")
        .env_remove("SWITCHBOARD_CONFIG")
        .output()
        .unwrap_or_else(|error| panic!("switchboard runs: {error}"))
}

fn text(output: &Output) -> String {
    format!("{}\n{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

/// `repo/`: environment `sandbox` on a placeholder target with its own journal and an org
/// name mapping (logical `east` is `na-east-1` there), one queue.
fn repository(dir: &TempDir) {
    let manifest = "environments:\n  sandbox:\n    target:\n      base_url: https://placeholder.invalid\n    journal: state/sandbox.db\n    orgs:\n      east: na-east-1\norgs:\n  - name: east\ngroups:\n  - group: regions\n    org_ids: [east]\n    components: [queues]\n";
    let component = "resources:\n  - queue:\n      name: Journal Test\n      description: first\n";
    std::fs::create_dir_all(dir.0.join("repo/components")).unwrap_or_else(|error| panic!("repo dir: {error}"));
    dir.write("repo/switchboard.yaml", manifest);
    dir.write("repo/components/queues.yaml", component);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollback_and_history_find_the_environments_journal_and_break_a_dead_lease() {
    let emulator = switchboard_emulator::spawn(EmulatorOptions::default()).await.unwrap_or_else(|error| panic!("emulator: {error}"));
    let dir = TempDir::new("deploy-journal");
    repository(&dir);
    let credentials = dir.write("credentials.json", &serde_json::to_string(emulator.credentials()).unwrap_or_default()).display().to_string();
    let base_url = emulator.base_url();
    let target = ["--base-url", base_url.as_str(), "--credentials", credentials.as_str()];
    let with_target = |arguments: &[&str]| -> Vec<String> { arguments.iter().chain(target.iter()).map(|argument| argument.to_string()).collect() };
    let call = |arguments: Vec<String>| run(&dir.0, &arguments.iter().map(String::as_str).collect::<Vec<_>>());

    let applied = call(with_target(&["apply", "--env", "sandbox", "--config", "repo", "--output", "json"]));
    assert!(applied.status.success(), "{}", text(&applied));
    let report: serde_json::Value = serde_json::from_slice(&applied.stdout).unwrap_or_default();
    let Some(id) = report["deployment"].as_str().map(str::to_string) else { panic!("no deployment id: {}", text(&applied)) };
    assert!(dir.0.join("repo/state/sandbox.db").exists(), "the environment's journal");

    // History without --env lists the environment's journal too.
    let history = call(vec!["history".into(), "--config".into(), "repo".into(), "--output".into(), "json".into()]);
    assert!(history.status.success(), "{}", text(&history));
    let listed: serde_json::Value = serde_json::from_slice(&history.stdout).unwrap_or_default();
    assert_eq!(listed[0]["id"], id.as_str(), "{listed}");

    // A rollback that was killed holds the lease; without --break-lease the next one refuses.
    let journal = Journal::open(&dir.0.join("repo/state/sandbox.db").display().to_string()).await.unwrap_or_else(|error| panic!("journal: {error}"));
    let dead = journal.acquire_lease("deploy:env/sandbox", "killed rollback pid 1", Duration::from_secs(300)).await.unwrap_or_else(|error| panic!("lease: {error}"));
    std::mem::forget(dead);
    let refused = call(with_target(&["rollback", &id, "--config", "repo"]));
    assert!(!refused.status.success(), "{}", text(&refused));
    assert!(text(&refused).contains("killed rollback pid 1"), "{}", text(&refused));
    let rolled = call(with_target(&["rollback", &id, "--config", "repo", "--break-lease"]));
    assert!(rolled.status.success(), "{}", text(&rolled));
    assert!(text(&rolled).contains("matches its snapshots"), "{}", text(&rolled));

    // No journal was made anywhere else (a relative --config joined twice, or the default).
    assert!(!dir.0.join("repo/repo").exists(), "a stray journal under repo/repo");
    assert!(!dir.0.join("repo/.switchboard/journal.db").exists(), "a stray default journal");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_made_with_env_plans_as_is_against_the_same_target() {
    let emulator = switchboard_emulator::spawn(EmulatorOptions::default()).await.unwrap_or_else(|error| panic!("emulator: {error}"));
    let dir = TempDir::new("deploy-export-env");
    repository(&dir);
    let credentials = dir.write("credentials.json", &serde_json::to_string(emulator.credentials()).unwrap_or_default()).display().to_string();
    let base_url = emulator.base_url();
    let exported = run(&dir.0, &["export", "--org", "east", "--env", "sandbox", "--config", "repo", "--dir", "out", "--base-url", &base_url, "--credentials", &credentials]);
    assert!(exported.status.success(), "{}", text(&exported));
    assert!(text(&exported).contains("--env export"), "the environment to plan is named: {}", text(&exported));
    let manifest = std::fs::read_to_string(dir.0.join("out/switchboard.yaml")).unwrap_or_default();
    assert!(!manifest.contains("placeholder.invalid"), "{manifest}");
    // No target flags: the export says where it came from.
    let plan = run(&dir.0, &["plan", "--env", "export", "--config", "out", "--detailed-exitcode"]);
    assert_eq!(plan.status.code(), Some(0), "{}\n{manifest}", text(&plan));
}
