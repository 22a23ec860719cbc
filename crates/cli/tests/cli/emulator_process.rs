//! A real `switchboard emulator` process, its credentials file, `switchboard orgs` against it,
//! and SIGTERM ending it cleanly.

use crate::{TempDir, switchboard};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|listener| listener.local_addr()).map(|addr| addr.port()).expect("a free port")
}

#[test]
fn emulator_process_serves_orgs_to_the_cli() {
    let dir = TempDir::new("emulator-process");
    let credentials = dir.0.join("credentials.json");
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let child = Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(["emulator", "--listen", &listen, "--credentials-out"])
        .arg(&credentials)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("emulator starts");
    let _guard = KillOnDrop(child);
    let started = Instant::now();
    while !credentials.exists() {
        assert!(started.elapsed() < Duration::from_secs(30), "emulator never wrote its credentials");
        std::thread::sleep(Duration::from_millis(50));
    }
    // The file is written after bind, but give the writer a moment to finish the rename.
    let text = loop {
        let text = std::fs::read_to_string(&credentials).unwrap_or_default();
        if serde_json::from_str::<serde_json::Value>(&text).is_ok() {
            break text;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "credentials file never became valid JSON");
        std::thread::sleep(Duration::from_millis(20));
    };
    let parsed: serde_json::Value = serde_json::from_str(&text).expect("credentials JSON");
    assert_eq!(parsed["orgs"].as_array().map(Vec::len), Some(5));
    let base_url = format!("http://{listen}");
    let output = switchboard(&["orgs", "--base-url", &base_url, "--credentials", credentials.to_str().unwrap_or_default(), "--output", "json"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let rows: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(rows.as_array().map(Vec::len), Some(5));

    // A target file names the org; its secrets come only from the environment.
    let org = parsed["orgs"].as_array().and_then(|orgs| orgs.iter().find(|org| org["name"] == "na-east-1")).expect("na-east-1").clone();
    let target = dir.write("target.yaml", &format!("base_url: {base_url}\norgs:\n  - name: na-east-1\n"));
    let output = Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(["orgs", "--output", "json", "--target"])
        .arg(&target)
        .env("SWITCHBOARD_ORG_NA_EAST_1_CLIENT_ID", org["clientId"].as_str().unwrap_or_default())
        .env("SWITCHBOARD_ORG_NA_EAST_1_CLIENT_SECRET", org["clientSecret"].as_str().unwrap_or_default())
        .output()
        .expect("runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let rows: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let names: Vec<&str> = rows.as_array().into_iter().flatten().filter_map(|row| row["name"].as_str()).collect();
    assert_eq!(names, vec!["na-east-1"], "a sub-org sees only itself");

    // Without the secret, the error names the variable to set.
    let output = Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(["orgs", "--target"])
        .arg(&target)
        .env_remove("SWITCHBOARD_ORG_NA_EAST_1_CLIENT_ID")
        .env_remove("SWITCHBOARD_ORG_NA_EAST_1_CLIENT_SECRET")
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("SWITCHBOARD_ORG_NA_EAST_1_CLIENT_ID"));

    // SIGTERM (what a supervisor sends) stops the emulator cleanly, as Ctrl-C does: exit 0.
    let mut guard = _guard;
    let status = Command::new("kill").args(["-TERM", &guard.0.id().to_string()]).status().expect("kill -TERM");
    assert!(status.success());
    let exit = guard.0.wait().expect("the emulator exits");
    assert!(exit.success(), "SIGTERM must shut the emulator down and exit 0, got {exit:?}");
}
