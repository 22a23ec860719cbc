//! `Directory`: the orgs and their objects behind one sync lock (never held across an await),
//! the clock their stamps (`dateCreated`, `dateModified`, ...) are read from, and, with
//! `--state-dir`, the writer that makes each change durable before it is acknowledged.

use super::{OrgStore, Store, persist, relock};
use crate::clock::Clock;
use std::sync::{Arc, OnceLock, RwLock};
use switchboard_api::credentials::{CredentialsFile, OrgCredentials};

/// Cheap to clone; every clone shares the same store.
#[derive(Clone)]
pub struct Directory {
    inner: Arc<Inner>,
}

struct Inner {
    store: RwLock<Store>,
    /// The store as first loaded, for `/_emulator/reset?data=true`.
    initial: Store,
    /// The `--state-dir` writer, when there is one.
    persister: OnceLock<persist::Persister>,
    clock: Clock,
}

impl Directory {
    /// Objects are stamped on `clock` (the emulator's one clock, so paused time moves stamps too).
    pub fn new(store: Store, clock: Clock) -> Directory {
        Directory { inner: Arc::new(Inner { initial: store.clone(), store: RwLock::new(store), persister: OnceLock::new(), clock }) }
    }

    /// Now as the platform stamps objects (`2026-01-31T12:00:00.000Z`): the one home of object stamps.
    pub fn now(&self) -> String {
        self.inner.clock.rfc3339()
    }

    /// `now()` in Unix milliseconds (the fields the platform writes as numbers).
    pub fn now_millis(&self) -> i64 {
        self.inner.clock.utc_ms()
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
}
