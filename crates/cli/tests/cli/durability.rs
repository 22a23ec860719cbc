//! `switchboard emulator --state-dir` under SIGKILL: four clients create queues concurrently,
//! the process is killed mid-load, and after a restart every acknowledged create is there. Run
//! twice: at full speed, and with every commit delayed 5 ms (a slow disk), where an emulator
//! that acknowledged before committing would lose the writes queued behind the delay.

use crate::TempDir;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const CLIENTS: usize = 4;
/// Kill once this many creates are acknowledged, so the kill lands mid-load.
const KILL_AFTER: usize = 400;

struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free port")
}

/// Starts `switchboard emulator` on a fresh port and waits for its credentials file.
async fn start(state_dir: &Path, credentials: &Path, commit_delay_ms: u64) -> (KillOnDrop, String, Value) {
    let _ = std::fs::remove_file(credentials);
    let listen = format!("127.0.0.1:{}", free_port());
    let child = Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args([
            "emulator",
            "--listen",
            &listen,
            "--rate-limit",
            "1000000",
            "--state-dir",
        ])
        .arg(state_dir)
        .arg("--credentials-out")
        .arg(credentials)
        .env("SWITCHBOARD_STATE_COMMIT_DELAY_MS", commit_delay_ms.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("emulator starts");
    let guard = KillOnDrop(child);
    let started = Instant::now();
    // The credentials file appears whole (temp file + rename) once the emulator listens.
    let parsed = loop {
        if let Ok(text) = std::fs::read_to_string(credentials)
            && let Ok(parsed) = serde_json::from_str::<Value>(&text)
        {
            break parsed;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "emulator never wrote its credentials"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    (guard, format!("http://{listen}"), parsed)
}

async fn token(http: &reqwest::Client, base: &str, credentials: &Value, org: &str) -> String {
    let org = credentials["orgs"]
        .as_array()
        .and_then(|orgs| orgs.iter().find(|entry| entry["name"] == org))
        .expect("org in credentials");
    let response = http
        .post(format!("{base}/oauth/token"))
        .basic_auth(
            org["clientId"].as_str().unwrap_or_default(),
            org["clientSecret"].as_str(),
        )
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("token request");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("token JSON");
    body["access_token"]
        .as_str()
        .expect("access_token")
        .to_string()
}

async fn queue_names(http: &reqwest::Client, base: &str, token: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for page in 1.. {
        let url = format!("{base}/api/v2/routing/queues?pageSize=500&pageNumber={page}");
        let body: Value = http
            .get(url)
            .bearer_auth(token)
            .send()
            .await
            .expect("list")
            .json()
            .await
            .expect("JSON");
        let entities = body["entities"].as_array().cloned().unwrap_or_default();
        names.extend(
            entities
                .iter()
                .filter_map(|queue| queue["name"].as_str().map(str::to_string)),
        );
        if entities.is_empty()
            || body["pageCount"]
                .as_u64()
                .is_some_and(|count| page >= count)
        {
            break;
        }
    }
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_mid_load_loses_no_acknowledged_create() {
    kill_mid_load("durability", 0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_with_slow_commits_loses_no_acknowledged_create() {
    kill_mid_load("durability-slow", 5).await;
}

async fn kill_mid_load(label: &str, commit_delay_ms: u64) {
    let dir = TempDir::new(label);
    let state_dir = dir.0.join("state");
    let credentials_path = dir.0.join("credentials.json");
    let http = reqwest::Client::new();
    let (mut child, base, credentials) = start(&state_dir, &credentials_path, commit_delay_ms).await;
    let token = token(&http, &base, &credentials, "na-east-1").await;

    let load_started = Instant::now();
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let enough = Arc::new(tokio::sync::Notify::new());
    let mut clients = Vec::new();
    for client in 0..CLIENTS {
        let (http, base, token, acknowledged, enough) = (
            http.clone(),
            base.clone(),
            token.clone(),
            acknowledged.clone(),
            enough.clone(),
        );
        clients.push(tokio::spawn(async move {
            for number in 0.. {
                let name = format!("durable-{client}-{number}");
                let sent = http
                    .post(format!("{base}/api/v2/routing/queues"))
                    .bearer_auth(&token)
                    .json(&json!({"name": name}))
                    .send()
                    .await;
                // After the kill every request fails; that ends the client.
                let Ok(response) = sent else { return };
                if response.status() != 200 {
                    return;
                }
                let count = {
                    let mut acknowledged = acknowledged.lock().expect("lock");
                    acknowledged.push(name);
                    acknowledged.len()
                };
                if count == KILL_AFTER {
                    enough.notify_one();
                }
            }
        }));
    }
    enough.notified().await;
    let load_time = load_started.elapsed();
    child.0.kill().expect("SIGKILL");
    let _ = child.0.wait();
    for client in clients {
        let _ = client.await;
    }
    let acknowledged = acknowledged.lock().expect("lock").clone();
    drop(child);

    let restarted = Instant::now();
    let (_child, base, credentials) = start(&state_dir, &credentials_path, 0).await;
    let restart = restarted.elapsed();
    let token = self::token(&http, &base, &credentials, "na-east-1").await;
    let saved = queue_names(&http, &base, &token).await;
    let lost: Vec<&String> = acknowledged
        .iter()
        .filter(|name| !saved.contains(*name))
        .collect();
    let extra = saved
        .iter()
        .filter(|name| name.starts_with("durable-"))
        .count()
        - (acknowledged.len() - lost.len());
    println!(
        "commit delay {commit_delay_ms} ms: acknowledged {} creates from {CLIENTS} clients in {load_time:?} before the kill, lost {} after SIGKILL; {extra} unacknowledged creates also saved; restart {restart:?}",
        acknowledged.len(),
        lost.len()
    );
    assert!(acknowledged.len() >= KILL_AFTER);
    assert!(
        lost.is_empty(),
        "{} acknowledged creates lost, e.g. {:?}",
        lost.len(),
        lost.iter().take(5).collect::<Vec<_>>()
    );
}
