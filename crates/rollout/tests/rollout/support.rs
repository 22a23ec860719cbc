//! What the live tests share: an in-process emulator from a topology, a client of org `acme`, a
//! throwaway SQLite journal, a flow file parsed.

use switchboard_emulator::{EmulatorOptions, RunningEmulator, load_topology};
use switchboard_journal::Journal;
use switchboard_platform::{ClientConfig, OrgClient};

pub const ORG: &str = "acme";

pub async fn emulator_with(topology: &str) -> RunningEmulator {
    let topology = load_topology(topology, "rollout.yaml").unwrap_or_else(|error| panic!("topology: {error}"));
    switchboard_emulator::spawn(EmulatorOptions { topology: Some(topology), ..EmulatorOptions::default() })
        .await
        .unwrap_or_else(|error| panic!("emulator did not start: {error}"))
}

/// A `--strict` emulator: only the real platform's surface (no `/_emulator/*`), as a real org.
pub async fn strict_emulator_with(topology: &str) -> RunningEmulator {
    let topology = load_topology(topology, "rollout.yaml").unwrap_or_else(|error| panic!("topology: {error}"));
    switchboard_emulator::spawn(EmulatorOptions { topology: Some(topology), strict: true, ..EmulatorOptions::default() })
        .await
        .unwrap_or_else(|error| panic!("emulator did not start: {error}"))
}

pub fn client(emulator: &RunningEmulator) -> OrgClient {
    let credentials = emulator.credentials().org(ORG).unwrap_or_else(|| panic!("no org {ORG}"));
    let mut config = ClientConfig::new(emulator.base_url(), credentials.client_id.clone(), credentials.client_secret.clone());
    config.org_label = ORG.to_owned();
    OrgClient::new(config).unwrap_or_else(|error| panic!("client: {error}"))
}

pub async fn journal(name: &str) -> Journal {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let path = std::env::temp_dir().join(format!("rollout-{name}-{}-{nanos}.db", std::process::id()));
    Journal::open(&path.to_string_lossy()).await.unwrap_or_else(|error| panic!("journal: {error}"))
}

pub fn candidate(text: &str) -> switchboard_model::flow::FlowDefinition {
    switchboard_model::load_flow(text, "candidate.yaml").unwrap_or_else(|error| panic!("candidate: {error}"))
}
