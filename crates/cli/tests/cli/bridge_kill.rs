//! `kill -9` of a real `switchboard bridge` process at random moments under a steady stream of
//! emulator calls, restarted each time: afterwards every call that reached a queue has exactly
//! one CRM activity and its screen-pop attributes. 5 kills by default (CI); set
//! `SWITCHBOARD_BRIDGE_KILLS=20` for the full run. The last process gets SIGTERM and must drain
//! and exit 0.

use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use switchboard_api::traffic::TrafficRequest;
use switchboard_emulator::CenterOptions;
use switchboard_emulator::{EmulatorOptions, RunningEmulator, Topology};
use switchboard_simulation::distribution::DurationDistribution;

const ORG: &str = "na-east-1";

struct Process(Option<Child>);

impl Drop for Process {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn spawn_bridge(emulator: &RunningEmulator, state_db: &std::path::Path) -> Child {
    let credentials = emulator.credentials().org(ORG).expect("org credentials").clone();
    let mut child = Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .arg("bridge")
        .env("BRIDGE_PLATFORM_URL", emulator.base_url())
        .env("BRIDGE_CLIENT_ID", &credentials.client_id)
        .env("BRIDGE_CLIENT_SECRET", &credentials.client_secret)
        .env("BRIDGE_CRM_URL", format!("{}/crm", emulator.base_url()))
        .env("BRIDGE_QUEUES", "Sales,Support,Billing")
        .env("BRIDGE_LISTEN", "127.0.0.1:0")
        .env("BRIDGE_STATE_URL", format!("sqlite://{}", state_db.display()))
        .env("BRIDGE_INSTANCE_ID", "bridge-kill-test")
        .env("BRIDGE_LEASE_TTL_MS", "1500")
        .env("BRIDGE_BACKOFF_BASE_MS", "50")
        .env("BRIDGE_BACKOFF_MAX_MS", "1000")
        .env("BRIDGE_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the bridge starts");
    // Wait for the one stdout line that says it listens: start-up (migrations) is done.
    if let Some(stdout) = child.stdout.take() {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        assert!(line.starts_with("bridge listening on http://"), "unexpected first line: {line:?}");
    }
    child
}

#[test]
fn bridge_killed_at_random_moments_loses_and_repeats_nothing() {
    let kills: usize = std::env::var("SWITCHBOARD_BRIDGE_KILLS").ok().and_then(|text| text.parse().ok()).unwrap_or(5);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let options = CenterOptions {
        handle_time: DurationDistribution::Constant { ms: 40_000.0 },
        wrap_up: DurationDistribution::Constant { ms: 2_000.0 },
        patience: DurationDistribution::Infinite,
        seed: 3,
    };
    let topology = Topology { contact_center: Some(options), ..Topology::default() };
    let emulator = runtime
        .block_on(switchboard_emulator::spawn(EmulatorOptions { topology: Some(topology), ..EmulatorOptions::default() }))
        .expect("emulator starts");
    let dir = crate::TempDir::new("bridge-kill");
    let state_db = dir.0.join("state.db");
    let state = emulator.state();
    let stream = {
        let _guard = runtime.enter();
        let request = TrafficRequest {
            org: ORG.to_string(),
            did: "+13175550000".to_string(),
            calls_per_minute: Some(3.0),
            speed_up: Some(20.0),
            seed: Some(9),
            ..TrafficRequest::default()
        };
        state.start_traffic(request).expect("traffic starts").id
    };
    let mut rng = rand::rngs::StdRng::seed_from_u64(2026);
    let mut bridge = Process(Some(spawn_bridge(&emulator, &state_db)));
    for _ in 0..kills {
        std::thread::sleep(Duration::from_millis(rng.random_range(200..1_200)));
        if let Some(mut child) = bridge.0.take() {
            // `Child::kill` is SIGKILL on Unix: no drain, no goodbye.
            child.kill().expect("kill -9");
            let _ = child.wait();
        }
        bridge = Process(Some(spawn_bridge(&emulator, &state_db)));
    }
    std::thread::sleep(Duration::from_secs(1));
    let placed = state.contact_center().traffic.stop(&stream).expect("traffic stops").calls_placed;
    assert!(placed > 0);

    // Wait until every queued call ended and has its activity.
    let org_id = emulator.credentials().org(ORG).expect("org").id.clone();
    let started = Instant::now();
    let problems = loop {
        let center = state.contact_center();
        let records: Vec<_> = center.records_with_live(&org_id).into_iter().filter(|record| record.queue.is_some()).collect();
        let mut activities: BTreeMap<String, usize> = BTreeMap::new();
        for activity in center.crm.activities() {
            *activities.entry(activity.activity.conversation_id.unwrap_or_default()).or_default() += 1;
        }
        let mut problems = Vec::new();
        for record in &records {
            let id = &record.conversation_id;
            if activities.get(id) != Some(&1) {
                problems.push(format!("{id}: {} activities", activities.get(id).copied().unwrap_or(0)));
            }
            let popped = center
                .call(id)
                .is_some_and(|call| call.conversation().participant("customer").is_some_and(|customer| customer.attributes.contains_key("crm.contactId")));
            if !popped {
                problems.push(format!("{id}: no screen pop"));
            }
        }
        let all_ended = records.iter().all(|record| record.end_ms.is_some());
        if (all_ended && problems.is_empty()) || started.elapsed() > Duration::from_secs(60) {
            assert!(records.len() >= 3, "only {} calls reached a queue", records.len());
            assert_eq!(activities.len(), records.len(), "activities for calls that never queued");
            break problems;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(problems, Vec::<String>::new(), "after {kills} kills");

    // SIGTERM: drain and exit 0.
    let mut child = bridge.0.take().expect("a running bridge");
    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill -TERM");
    assert!(status.success());
    let exit = child.wait().expect("the bridge exits");
    assert!(exit.success(), "SIGTERM must drain and exit 0, got {exit:?}");
    drop(emulator);
}
