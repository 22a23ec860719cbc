//! Starting an emulator, providers for its orgs, a throwaway journal, the example repo, counters.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use switchboard_deploy::apply::{ApplyOptions, ApplyReport};
use switchboard_deploy::config::Repository;
use switchboard_deploy::genesys::GenesysProvider;
use switchboard_deploy::plan::{LastAppliedState, Plan, PlanOptions, Providers};
use switchboard_deploy::{Desired, Provider};
use switchboard_emulator::{EmulatorOptions, RunningEmulator};
use switchboard_journal::Journal;
use switchboard_platform::api::emulator::RequestCounters;
use switchboard_platform::{ClientConfig, OrgClient, Platform};

pub async fn start(options: EmulatorOptions) -> RunningEmulator {
    match switchboard_emulator::spawn(options).await {
        Ok(emulator) => emulator,
        Err(error) => panic!("emulator did not start: {error}"),
    }
}

pub fn client(emulator: &RunningEmulator, org: &str) -> OrgClient {
    let Some(credentials) = emulator.credentials().org(org) else { panic!("emulator has no org {org}") };
    let mut config = ClientConfig::new(emulator.base_url(), credentials.client_id.clone(), credentials.client_secret.clone());
    config.org_label = org.to_owned();
    config.retry.base_delay = Duration::from_millis(20);
    config.retry.max_delay = Duration::from_millis(500);
    match OrgClient::new(config) {
        Ok(client) => client,
        Err(error) => panic!("client config rejected: {error}"),
    }
}

pub fn providers(emulator: &RunningEmulator, desired: &Desired) -> Providers {
    desired
        .orgs
        .iter()
        .map(|org| {
            let platform: Arc<dyn Platform> = Arc::new(client(emulator, &org.target_org));
            let mut provider = GenesysProvider::new(platform);
            provider.flow_wait.poll_every = Duration::from_millis(20);
            (org.org.clone(), Arc::new(provider) as Arc<dyn Provider>)
        })
        .collect()
}

pub fn example_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/config")
}

pub fn example(environment: &str) -> Desired {
    let repository = Repository::load(&example_dir()).unwrap_or_else(|error| panic!("example: {error}"));
    repository.render(environment).unwrap_or_else(|error| panic!("example renders: {error}"))
}

/// A journal in a fresh SQLite file, removed with the returned guard.
pub struct TempJournal {
    pub journal: Journal,
    pub path: PathBuf,
}

impl Drop for TempJournal {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.path.display()));
        }
    }
}

pub async fn journal(name: &str) -> TempJournal {
    let path = std::env::temp_dir().join(format!("switchboard-deploy-{name}-{}-{}.db", std::process::id(), uuid_like()));
    let journal = Journal::open(&path.display().to_string()).await.unwrap_or_else(|error| panic!("journal: {error}"));
    TempJournal { journal, path }
}

fn uuid_like() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|elapsed| elapsed.as_nanos()).unwrap_or(0)
}

pub async fn last(journal: &Journal, desired: &Desired) -> LastAppliedState {
    switchboard_deploy::record::last_applied(journal, &desired.environment, desired.orgs.iter().map(|org| org.org.as_str())).await.unwrap_or_else(|error| panic!("last applied: {error}"))
}

pub async fn plan(journal: &Journal, desired: &Desired, providers: &Providers) -> Plan {
    let last = last(journal, desired).await;
    switchboard_deploy::plan::plan(desired, providers, &last, &PlanOptions::default()).await.unwrap_or_else(|error| panic!("plan: {error}"))
}

pub async fn apply(journal: &Journal, plan: &Plan, providers: &Providers, options: &ApplyOptions) -> ApplyReport {
    switchboard_deploy::apply::apply(plan, providers, journal, options).await.unwrap_or_else(|error| panic!("apply: {error}"))
}

/// The emulator's request counters, read in-process: these tests run `--strict`, which serves
/// no control route.
pub async fn counters(emulator: &RunningEmulator) -> RequestCounters {
    emulator.state().request_counters()
}

/// Requests that change something (every method but GET, minus token grants and flow export
/// jobs, which only read).
pub fn writes(counters: &RequestCounters) -> u64 {
    counters
        .counters
        .iter()
        .filter(|counter| counter.method != "GET" && !counter.path.contains("oauth/token") && !counter.path.contains("/flows/export/jobs"))
        .map(|counter| counter.count)
        .sum()
}

/// Adds a fault rule in-process (a `--strict` emulator serves no control route).
pub async fn add_fault(emulator: &RunningEmulator, rule: serde_json::Value) {
    let rule = serde_json::from_value(rule).unwrap_or_else(|error| panic!("fault rule: {error}"));
    if let Err(error) = emulator.state().faults().add(rule) {
        panic!("fault rule refused: {error:?}");
    }
}
