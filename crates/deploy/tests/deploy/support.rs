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

/// Requests for `method` on route template `path` between two counter readings (all orgs).
pub fn made(before: &RequestCounters, after: &RequestCounters, method: &str, path: &str) -> u64 {
    after.count(method, path).saturating_sub(before.count(method, path))
}

/// Every request but token grants between two counter readings.
pub fn total(before: &RequestCounters, after: &RequestCounters) -> u64 {
    let sum = |counters: &RequestCounters| counters.counters.iter().filter(|counter| !counter.path.contains("oauth")).map(|counter| counter.count).sum::<u64>();
    sum(after).saturating_sub(sum(before))
}

/// A config repository in a temp dir (removed on drop): three regional orgs of the default
/// topology, each with `queues` queues of two members.
pub struct QueueRepo {
    pub dir: PathBuf,
}

impl QueueRepo {
    pub fn new(name: &str, queues: usize) -> Self {
        let dir = std::env::temp_dir().join(format!("switchboard-deploy-{name}-{}-{}", std::process::id(), uuid_like()));
        let manifest = "environments:\n  dev:\n    target:\n      emulator: true\norgs:\n  - name: na-east-1\n  - name: na-east-2\n  - name: eu-central-1\ngroups:\n  - group: regions\n    org_ids: [na-east-1, na-east-2, eu-central-1]\n    components: [queues]\n";
        let mut component = String::from("resources:\n");
        for index in 0..queues {
            component.push_str(&format!(
                "  - queue:\n      name: Q{index:03}\n      description: first\n      members:\n        - $ref{{user/agent1@{{{{ORG}}}}.example.com}}\n        - $ref{{user/agent2@{{{{ORG}}}}.example.com}}\n"
            ));
        }
        let write = |path: &str, text: &str| {
            let file = dir.join(path);
            std::fs::create_dir_all(file.parent().unwrap_or(&dir)).unwrap_or_else(|error| panic!("temp dir: {error}"));
            std::fs::write(&file, text).unwrap_or_else(|error| panic!("temp file: {error}"));
        };
        write("switchboard.yaml", manifest);
        write("components/queues.yaml", &component);
        Self { dir }
    }

    pub fn desired(&self) -> Desired {
        let repository = Repository::load(&self.dir).unwrap_or_else(|error| panic!("repo: {error}"));
        repository.render("dev").unwrap_or_else(|error| panic!("repo renders: {error}"))
    }
}

impl Drop for QueueRepo {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Requests the providers sent, counted on the client side: a `--strict` emulator serves no
/// `/_emulator/*` route, so tests of real-API writes count here. Paths are templated the way
/// the emulator's counters are (`/api/v2/integrations/{id}`): segments that look like ids.
#[derive(Clone, Default)]
pub struct Recorder {
    seen: Arc<std::sync::Mutex<Vec<(String, String)>>>,
}

impl Recorder {
    pub fn counters(&self) -> RequestCounters {
        let seen = self.seen.lock().map(|seen| seen.clone()).unwrap_or_default();
        let mut counters: Vec<switchboard_platform::api::emulator::RequestCounter> = Vec::new();
        for (method, path) in seen {
            match counters.iter_mut().find(|counter| counter.method == method && counter.path == path) {
                Some(counter) => counter.count += 1,
                None => counters.push(switchboard_platform::api::emulator::RequestCounter { org: "-".into(), method, path, count: 1 }),
            }
        }
        RequestCounters { counters }
    }
}

fn templated(path: &str) -> String {
    let path = path.split('?').next().unwrap_or_default();
    path.split('/').map(|segment| if segment.len() >= 16 && segment.chars().all(|c| c.is_ascii_hexdigit() || c == '-') { "{id}" } else { segment }).collect::<Vec<_>>().join("/")
}

struct Recording {
    inner: Arc<dyn Platform>,
    recorder: Recorder,
}

impl Platform for Recording {
    fn label(&self) -> &str {
        self.inner.label()
    }

    fn execute(&self, request: switchboard_platform::ApiRequest) -> futures_util::future::BoxFuture<'_, switchboard_platform::Result<switchboard_platform::ApiResponse>> {
        if let Ok(mut seen) = self.recorder.seen.lock() {
            seen.push((request.method.to_string(), templated(&request.path)));
        }
        self.inner.execute(request)
    }
}

/// [`providers`] whose requests `Recorder` counts.
pub fn recorded_providers(emulator: &RunningEmulator, desired: &Desired) -> (Providers, Recorder) {
    let recorder = Recorder::default();
    let providers = desired
        .orgs
        .iter()
        .map(|org| {
            let inner: Arc<dyn Platform> = Arc::new(client(emulator, &org.target_org));
            let platform: Arc<dyn Platform> = Arc::new(Recording { inner, recorder: recorder.clone() });
            let mut provider = GenesysProvider::new(platform);
            provider.flow_wait.poll_every = Duration::from_millis(20);
            (org.org.clone(), Arc::new(provider) as Arc<dyn Provider>)
        })
        .collect();
    (providers, recorder)
}
