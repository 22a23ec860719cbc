//! Starting emulators, building clients for their orgs, and the emulator's control surface.

use std::time::Duration;

use serde_json::Value;
use switchboard_emulator::{EmulatorOptions, RunningEmulator};
use switchboard_platform::api::emulator::RequestCounters;
use switchboard_platform::{ClientConfig, OrgClient};

pub const PARENT: &str = "global";
pub const CHILD: &str = "na-east-1";
pub const OTHER_CHILD: &str = "eu-central-1";

pub async fn start(options: EmulatorOptions) -> RunningEmulator {
    match switchboard_emulator::spawn(options).await {
        Ok(emulator) => emulator,
        Err(error) => panic!("emulator did not start: {error}"),
    }
}

pub async fn start_default() -> RunningEmulator {
    start(EmulatorOptions::default()).await
}

/// A config for one org of the emulator's credentials, with test-friendly retry timings.
pub fn config_for(emulator: &RunningEmulator, org: &str) -> ClientConfig {
    let Some(credentials) = emulator.credentials().org(org) else {
        panic!("emulator has no org {org}");
    };
    let mut config = ClientConfig::new(emulator.base_url(), credentials.client_id.clone(), credentials.client_secret.clone());
    config.org_label = org.to_owned();
    config.retry.base_delay = Duration::from_millis(20);
    config.retry.max_delay = Duration::from_millis(200);
    config
}

pub fn client(config: ClientConfig) -> OrgClient {
    match OrgClient::new(config) {
        Ok(client) => client,
        Err(error) => panic!("client config rejected: {error}"),
    }
}

pub fn client_for(emulator: &RunningEmulator, org: &str) -> OrgClient {
    client(config_for(emulator, org))
}

pub fn org_id(emulator: &RunningEmulator, org: &str) -> String {
    emulator.credentials().org(org).map(|org| org.id.clone()).unwrap_or_default()
}

/// Installs a fault rule (`FaultRule` JSON, camelCase).
pub async fn add_fault(emulator: &RunningEmulator, rule: Value) {
    let response = emulator.control_client().post(format!("{}/_emulator/faults", emulator.base_url())).json(&rule).send().await;
    match response {
        Ok(response) if response.status().is_success() => {}
        Ok(response) => panic!("fault rule refused: {} {}", response.status(), response.text().await.unwrap_or_default()),
        Err(error) => panic!("fault rule not sent: {error}"),
    }
}

/// The emulator's request counters, read in-process (also for `--strict` emulators).
pub async fn counters(emulator: &RunningEmulator) -> RequestCounters {
    emulator.state().request_counters()
}

/// Unwraps a platform result, naming the call on failure.
pub fn ok<T>(what: &str, result: switchboard_platform::Result<T>) -> T {
    match result {
        Ok(value) => value,
        Err(error) => panic!("{what}: {error}"),
    }
}
