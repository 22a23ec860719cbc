//! Shared set-up: an emulator whose calls last long enough to be seen, the bridge's
//! environment for it, and counting what reached the CRM and the calls.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use switchboard_api::traffic::TrafficRequest;
use std::sync::Arc;
use switchboard_bridge::{BridgeConfig, BridgeError, BridgeHandle};
use switchboard_platform::{OrgClient, Platform};
use switchboard_emulator::CenterOptions;
use switchboard_emulator::{EmulatorOptions, RunningEmulator, Topology};
use switchboard_simulation::distribution::DurationDistribution;

pub const ORG: &str = "na-east-1";
pub const DID: &str = "+13175550000";
pub const SPEED_UP: f64 = 20.0;

/// Calls that talk 2 s and wrap up 0.1 s (wall clock), callers who never hang up.
pub fn call_options() -> CenterOptions {
    CenterOptions {
        handle_time: DurationDistribution::Constant { ms: 40_000.0 },
        wrap_up: DurationDistribution::Constant { ms: 2_000.0 },
        patience: DurationDistribution::Infinite,
        seed: 11,
    }
}

pub fn emulator_options() -> EmulatorOptions {
    let topology = Topology { contact_center: Some(call_options()), ..Topology::default() };
    EmulatorOptions {
        topology: Some(topology),
        ..EmulatorOptions::default()
    }
}

pub async fn emulator() -> RunningEmulator {
    switchboard_emulator::spawn(emulator_options())
        .await
        .expect("emulator starts")
}

/// A fresh directory under the system temp dir, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(label: &str) -> TempDir {
        let path = std::env::temp_dir().join(format!(
            "switchboard-bridge-{label}-{}",
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&path).expect("temp dir");
        TempDir(path)
    }
    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The bridge's environment for `emulator`, state in `state_url`.
pub fn bridge_env(emulator: &RunningEmulator, state_url: &str) -> HashMap<String, String> {
    let credentials = emulator
        .credentials()
        .org(ORG)
        .expect("org credentials")
        .clone();
    HashMap::from([
        ("BRIDGE_PLATFORM_URL".to_string(), emulator.base_url()),
        ("BRIDGE_CLIENT_ID".to_string(), credentials.client_id),
        (
            "BRIDGE_CLIENT_SECRET".to_string(),
            credentials.client_secret,
        ),
        (
            "BRIDGE_CRM_URL".to_string(),
            format!("{}/crm", emulator.base_url()),
        ),
        (
            "BRIDGE_QUEUES".to_string(),
            "Sales,Support,Billing".to_string(),
        ),
        ("BRIDGE_LISTEN".to_string(), "127.0.0.1:0".to_string()),
        ("BRIDGE_STATE_URL".to_string(), state_url.to_string()),
        ("BRIDGE_INSTANCE_ID".to_string(), "bridge-test".to_string()),
        ("BRIDGE_LEASE_TTL_MS".to_string(), "1500".to_string()),
        ("BRIDGE_BACKOFF_BASE_MS".to_string(), "50".to_string()),
        ("BRIDGE_BACKOFF_MAX_MS".to_string(), "1000".to_string()),
        ("BRIDGE_DRAIN_MS".to_string(), "5000".to_string()),
    ])
}

pub fn config(env: &HashMap<String, String>) -> BridgeConfig {
    BridgeConfig::from_lookup(&|name| env.get(name).cloned()).expect("valid bridge config")
}

/// The org client the CLI would build for `config`.
pub fn platform_for(config: &BridgeConfig) -> Arc<dyn Platform> {
    Arc::new(OrgClient::new(config.client_config()).expect("platform client"))
}

/// Starts the bridge as the CLI does: its configuration and the org's client.
pub async fn start_bridge(config: BridgeConfig) -> Result<BridgeHandle, BridgeError> {
    let platform = platform_for(&config);
    switchboard_bridge::start(config, platform).await
}

pub fn start_traffic(emulator: &RunningEmulator, calls_per_minute: f64) -> String {
    let state = emulator.state();
    let request = TrafficRequest {
        org: ORG.to_string(),
        did: DID.to_string(),
        calls_per_minute: Some(calls_per_minute),
        speed_up: Some(SPEED_UP),
        seed: Some(5),
        ..TrafficRequest::default()
    };
    state.start_traffic(request).expect("traffic starts")
        .id
}

pub fn stop_traffic(emulator: &RunningEmulator, stream: &str) -> u64 {
    emulator
        .state()
        .contact_center()
        .traffic
        .stop(stream)
        .expect("traffic stops")
        .calls_placed
}

/// What the platform and the CRM hold about the calls that reached a queue.
#[derive(Debug, Default)]
pub struct Tally {
    /// Conversation ids that reached a queue, and whether they ended.
    pub queued: BTreeMap<String, bool>,
    /// Activities per conversation id.
    pub activities: BTreeMap<String, usize>,
    /// Queued conversations whose customer carries the screen-pop attributes.
    pub popped: Vec<String>,
}

impl Tally {
    pub fn take(emulator: &RunningEmulator) -> Tally {
        let state = emulator.state();
        let org_id = emulator.credentials().org(ORG).expect("org").id.clone();
        let center = state.contact_center();
        let mut tally = Tally::default();
        for record in center
            .records_with_live(&org_id)
            .into_iter()
            .filter(|record| record.queue.is_some())
        {
            tally
                .queued
                .insert(record.conversation_id.clone(), record.end_ms.is_some());
            let popped = center.call(&record.conversation_id).is_some_and(|call| {
                call.conversation()
                    .participant("customer")
                    .is_some_and(|customer| customer.attributes.contains_key("crm.contactId"))
            });
            if popped {
                tally.popped.push(record.conversation_id.clone());
            }
        }
        for activity in center.crm.activities() {
            if let Some(conversation) = activity.activity.conversation_id {
                *tally.activities.entry(conversation).or_default() += 1;
            }
        }
        tally
    }

    pub fn all_ended(&self) -> bool {
        self.queued.values().all(|ended| *ended)
    }

    /// Every queued call has exactly one activity and its screen pop; nothing else has any.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for id in self.queued.keys() {
            match self.activities.get(id) {
                Some(1) => {}
                Some(count) => problems.push(format!("{id}: {count} activities")),
                None => problems.push(format!("{id}: no activity")),
            }
            if !self.popped.contains(id) {
                problems.push(format!("{id}: no screen pop"));
            }
        }
        for id in self
            .activities
            .keys()
            .filter(|id| !self.queued.contains_key(*id))
        {
            problems.push(format!("{id}: activity for a call that never queued"));
        }
        problems
    }
}

/// Waits until every queued call ended and the CRM holds an activity for each (or times out).
pub async fn settle(emulator: &RunningEmulator, limit: Duration) -> Tally {
    let started = Instant::now();
    loop {
        let tally = Tally::take(emulator);
        if (tally.all_ended() && tally.problems().is_empty()) || started.elapsed() > limit {
            return tally;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Polls `probe` until it is true or `limit` passes.
pub async fn eventually(limit: Duration, mut probe: impl FnMut() -> bool) -> bool {
    let started = Instant::now();
    while started.elapsed() < limit {
        if probe() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    probe()
}
