//! Shared emulator state: the data store (one sync lock; handlers never hold it across an
//! await), tokens, rate-limit windows, fault rules, counters and metrics.
//!
//! Other parts of the emulator (the contact-center runtime, notifications) read and write the
//! store with `with_org` / `with_org_mut`; lookups such as `OrgStore::flow_for_number` live in
//! `lookup.rs`. With `--state-dir`, every write is queued for the database while the store
//! lock is held (`persist.rs`), and requests are answered once their writes are committed.

pub mod counters;
pub mod faults;
pub mod glob;
pub mod ids;
mod lookup;
pub mod persist;
pub mod rate;
pub mod seed;
mod store;
pub mod table;
pub mod tokens;

pub use lookup::normalize_number;
pub use store::{DataTableRecord, FlowRecord, OrgRecord, OrgStore, RowChange, StoredFlowVersion, Store};
pub use tokens::Caller;

use crate::middleware::metrics::Metrics;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, RwLock};
use std::time::Duration;
use switchboard_api::credentials::{CredentialsFile, OrgCredentials};

/// Behaviour switches fixed at start.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Serve only what the real platform serves (no ETag, no `X-RateLimit-*`, no seed-only endpoints).
    pub strict: bool,
    pub token_lifetime: Duration,
    pub rate_limit_per_minute: u32,
    /// The rate-limit window; a minute on the real platform.
    pub rate_limit_window: Duration,
    /// How long a flow publish stays pending before its operation completes.
    pub publish_delay: Duration,
    /// Notification service limits and timings (`strict` is taken from above).
    pub notifications: crate::notifications::NotificationConfig,
    /// Header, body and handshake timeouts of every listener.
    pub connections: crate::connection::ConnectionTimeouts,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            strict: false,
            token_lifetime: Duration::from_secs(86_400),
            rate_limit_per_minute: 300,
            rate_limit_window: Duration::from_secs(60),
            publish_delay: Duration::from_millis(200),
            notifications: crate::notifications::NotificationConfig::default(),
            connections: crate::connection::ConnectionTimeouts::default(),
        }
    }
}

/// Cheap to clone; every clone shares the same state.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Shared>,
}

struct Shared {
    settings: Settings,
    store: RwLock<Store>,
    /// The store as first loaded, for `/_emulator/reset?data=true`.
    initial: Store,
    tokens: Mutex<tokens::TokenBook>,
    rate: Mutex<rate::RateBook>,
    faults: Mutex<faults::FaultBook>,
    counters: Mutex<counters::Counters>,
    metrics: Metrics,
    /// The `--state-dir` writer, when there is one.
    persister: OnceLock<persist::Persister>,
    http: reqwest::Client,
    notifications: crate::notifications::NotificationHub,
    contact_center: crate::contact_center::ContactCenter,
    /// Architect publish and export jobs (not persisted: a job outlives no restart, as a presigned URL expires).
    architect_jobs: Mutex<crate::architect::JobBook>,
    /// The one clock every subsystem reads (`crate::clock`).
    clock: crate::clock::Clock,
}

/// A poisoned lock means a handler panicked mid-write; the data is still the best we have, so
/// keep serving rather than turning one bug into a dead server.
pub(crate) fn relock<T>(result: std::sync::LockResult<T>) -> T {
    result.unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl AppState {
    pub fn new(store: Store, settings: Settings) -> AppState {
        let clock = crate::clock::Clock::new();
        let notifications = crate::notifications::NotificationHub::new(
            crate::notifications::NotificationConfig { strict: settings.strict, ..settings.notifications.clone() },
            clock,
        );
        let contact_center = crate::contact_center::ContactCenter::default();
        let metrics = Metrics::new(contact_center.analytics.evicted());
        let shared = Shared {
            settings,
            initial: store.clone(),
            store: RwLock::new(store),
            tokens: Mutex::new(tokens::TokenBook::new(clock)),
            rate: Mutex::new(rate::RateBook::new(clock)),
            faults: Mutex::default(),
            counters: Mutex::default(),
            metrics,
            persister: OnceLock::new(),
            http: reqwest::Client::new(),
            notifications,
            contact_center,
            architect_jobs: Mutex::default(),
            clock,
        };
        AppState { inner: Arc::new(shared) }
    }

    /// The emulator's clock (`crate::clock`).
    pub fn clock(&self) -> crate::clock::Clock {
        self.inner.clock
    }

    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    pub fn strict(&self) -> bool {
        self.inner.settings.strict
    }

    /// Reads the whole store.
    pub fn with_store<R>(&self, read: impl FnOnce(&Store) -> R) -> R {
        let guard = relock(self.inner.store.read());
        read(&guard)
    }

    /// Reads one org's objects; `None` when the org does not exist.
    pub fn with_org<R>(&self, org_id: &str, read: impl FnOnce(&OrgStore) -> R) -> Option<R> {
        relock(self.inner.store.read()).orgs.get(org_id).map(read)
    }

    /// Changes one org's objects; with `--state-dir` the changed rows are queued for saving
    /// before the lock is released (see `persist.rs`). `None` when the org does not exist.
    pub fn with_org_mut<R>(&self, org_id: &str, write: impl FnOnce(&mut OrgStore) -> R) -> Option<R> {
        let mut store = relock(self.inner.store.write());
        let org = store.orgs.get_mut(org_id)?;
        let result = write(org);
        match self.inner.persister.get() {
            Some(persister) => match persist::org_changes(org) {
                Ok(ops) => persist::note_write(persister.submit(ops)),
                Err(error) => tracing::error!("org {org_id}: a change could not be serialized for saving: {error}"),
            },
            None => org.clear_changes(),
        }
        Some(result)
    }

    /// Replaces the whole store (reset, tests); saved as a whole with `--state-dir`.
    pub fn replace_store(&self, store: Store) {
        let mut guard = relock(self.inner.store.write());
        *guard = store;
        self.save_all_locked(&mut guard);
    }

    /// Starts saving to `persister`; with `save_everything`, queues the whole store first (a
    /// fresh state directory). Returns the batch to wait for.
    pub fn attach_persister(&self, persister: persist::Persister, save_everything: bool) -> Result<u64, crate::EmulatorError> {
        if self.inner.persister.set(persister).is_err() {
            return Err(crate::EmulatorError::Internal("a state directory is already attached".to_string()));
        }
        let mut guard = relock(self.inner.store.write());
        Ok(if save_everything { self.save_all_locked(&mut guard) } else { 0 })
    }

    fn save_all_locked(&self, store: &mut Store) -> u64 {
        let Some(persister) = self.inner.persister.get() else { return 0 };
        match persist::all_rows(store) {
            Ok(op) => {
                let sequence = persister.submit(vec![op]);
                persist::note_write(sequence);
                sequence
            }
            Err(error) => {
                tracing::error!("the store could not be serialized for saving: {error}");
                0
            }
        }
    }

    /// Saves a key of the state directory's metadata (ordered with the writes around it).
    pub fn save_meta(&self, key: &str, value: &str) {
        let _guard = relock(self.inner.store.write());
        if let Some(persister) = self.inner.persister.get() {
            persist::note_write(persister.submit(vec![persist::Op::Meta { key: key.to_string(), value: value.to_string() }]));
        }
    }

    /// Waits until write batch `sequence` (from `persist::track_writes`) is on disk; at once
    /// without a state directory.
    pub async fn wait_durable(&self, sequence: u64) -> Result<(), persist::NotDurable> {
        match self.inner.persister.get() {
            Some(persister) => persister.wait(sequence).await,
            None => Ok(()),
        }
    }

    /// Commits every queued write and stops saving (shutdown).
    pub fn stop_persisting(&self) {
        if let Some(persister) = self.inner.persister.get() {
            persister.flush();
            persister.stop();
        }
    }

    pub fn initial_store(&self) -> Store {
        self.inner.initial.clone()
    }

    pub fn org_ids(&self) -> Vec<String> {
        self.with_store(|store| store.orgs.keys().cloned().collect())
    }

    /// An org id from an id or a name.
    pub fn find_org(&self, id_or_name: &str) -> Option<String> {
        self.with_store(|store| {
            store
                .orgs
                .values()
                .find(|org| org.id() == id_or_name || org.name() == id_or_name)
                .map(|org| org.id().to_string())
        })
    }

    /// The development credentials of every org, parents first.
    pub fn credentials(&self) -> CredentialsFile {
        self.with_store(|store| {
            let mut orgs: Vec<OrgCredentials> = store
                .orgs
                .values()
                .map(|org| OrgCredentials {
                    id: org.id().to_string(),
                    name: org.name().to_string(),
                    parent_id: org.org.parent_id.clone(),
                    client_id: org.org.client_id.clone(),
                    client_secret: org.org.client_secret.clone(),
                })
                .collect();
            orgs.sort_by(|a, b| (a.parent_id.is_some(), &a.name).cmp(&(b.parent_id.is_some(), &b.name)));
            CredentialsFile { orgs }
        })
    }

    pub fn tokens(&self) -> MutexGuard<'_, tokens::TokenBook> {
        relock(self.inner.tokens.lock())
    }

    pub fn rate(&self) -> MutexGuard<'_, rate::RateBook> {
        relock(self.inner.rate.lock())
    }

    pub fn faults(&self) -> MutexGuard<'_, faults::FaultBook> {
        relock(self.inner.faults.lock())
    }

    pub fn counters(&self) -> MutexGuard<'_, counters::Counters> {
        relock(self.inner.counters.lock())
    }

    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    /// Channels and event fan-out; publish events with `notifications().publish(..)`.
    pub fn notifications(&self) -> &crate::notifications::NotificationHub {
        &self.inner.notifications
    }

    /// Live calls, the ACD, traffic, analytics records and the fake CRM.
    pub fn contact_center(&self) -> &crate::contact_center::ContactCenter {
        &self.inner.contact_center
    }

    /// Architect jobs (flow publish and export through Archy YAML).
    pub fn architect_jobs(&self) -> MutexGuard<'_, crate::architect::JobBook> {
        relock(self.inner.architect_jobs.lock())
    }

    /// Shared HTTP client for calls the platform makes (health checks, data actions).
    pub fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }
}
