//! `--state-dir`: the store in an embedded SQLite database (WAL journal, `synchronous=FULL`), one
//! row per object. A write is queued with a sequence number while the store lock is held (so the
//! queue order is the order of the writes), a writer thread commits everything queued in one
//! transaction (group commit), and the HTTP layer answers a request only after the writes it made
//! are committed (`track_writes` + `AppState::wait_durable`). SQLite's journal means a `kill -9`
//! at any moment leaves the last committed state, never a half-written file.

use super::{OrgStore, RowChange, Store};
use crate::error::EmulatorError;
use rusqlite::{Connection, params};
use std::cell::Cell;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::mpsc;
use tokio::sync::watch;

/// The database file inside the state directory.
pub const DB_FILE: &str = "emulator-state.sqlite3";
/// The JSON snapshot earlier versions wrote; imported once when no database exists yet.
const LEGACY_JSON_FILE: &str = "emulator-state.json";
/// Test knob: a pause before every commit, standing in for a slow disk, so a test can show that
/// acknowledgements wait for commits (milliseconds, at most 10,000).
pub const COMMIT_DELAY_ENV: &str = "SWITCHBOARD_STATE_COMMIT_DELAY_MS";
/// The emulator's own address when the rows were saved (`crm::point_integrations_at`).
pub const META_OWN_BASE_URL: &str = "own_base_url";

pub fn state_file(dir: &Path) -> PathBuf {
    dir.join(DB_FILE)
}

/// One change to the saved state, in write order.
#[derive(Debug)]
pub enum Op {
    /// The org record (and license pool, id sequence) of an org.
    Header {
        org: String,
        body: String,
    },
    Row {
        org: String,
        change: RowChange,
    },
    /// Everything (first save, reset): the database then holds exactly these orgs.
    ReplaceAll {
        orgs: Vec<(String, String, Vec<RowChange>)>,
    },
    Meta {
        key: String,
        value: String,
    },
}

/// Every row of a store, for `Op::ReplaceAll`; clears the store's change sets.
pub fn all_rows(store: &mut Store) -> Result<Op, serde_json::Error> {
    let mut orgs = Vec::new();
    for (id, org) in &mut store.orgs {
        orgs.push((id.clone(), org.header_json()?, org.take_changes(true)?));
    }
    Ok(Op::ReplaceAll { orgs })
}

/// The rows an org's write changed, for one queued batch.
pub fn org_changes(org: &mut OrgStore) -> Result<Vec<Op>, serde_json::Error> {
    let id = org.id().to_string();
    let mut ops = vec![Op::Header {
        org: id.clone(),
        body: org.header_json()?,
    }];
    ops.extend(org.take_changes(false)?.into_iter().map(|change| Op::Row {
        org: id.clone(),
        change,
    }));
    Ok(ops)
}

enum Message {
    Batch {
        sequence: u64,
        ops: Vec<Op>,
    },
    /// Answered once everything queued before it is committed.
    Flush(mpsc::Sender<()>),
}

/// How far the writer got: every batch up to `committed` is on disk; `failed` once a commit
/// failed (then nothing later is acknowledged).
#[derive(Debug, Clone, Copy, Default)]
struct Progress {
    committed: u64,
    failed: bool,
}

/// The write queue and its writer thread.
pub struct Persister {
    path: PathBuf,
    /// The sequence counter and the sender under one lock: sequence order is queue order.
    queue: Mutex<Option<(u64, mpsc::Sender<Message>)>>,
    progress: watch::Receiver<Progress>,
    writer: Mutex<Option<std::thread::JoinHandle<()>>>,
}

#[derive(Debug, thiserror::Error)]
#[error("saving state to {path} failed")]
pub struct NotDurable {
    pub path: PathBuf,
}

impl Persister {
    /// Queues `ops` and returns their sequence number (0 when the writer has stopped).
    pub fn submit(&self, ops: Vec<Op>) -> u64 {
        let mut queue = super::relock(self.queue.lock());
        let Some((sequence, sender)) = queue.as_mut() else {
            return 0;
        };
        *sequence += 1;
        let number = *sequence;
        if sender
            .send(Message::Batch {
                sequence: number,
                ops,
            })
            .is_err()
        {
            tracing::warn!("the state writer has stopped; a write was not saved");
            return 0;
        }
        number
    }

    /// Waits until batch `sequence` is committed.
    pub async fn wait(&self, sequence: u64) -> Result<(), NotDurable> {
        if sequence == 0 {
            return Ok(());
        }
        let mut progress = self.progress.clone();
        match progress
            .wait_for(|progress| progress.committed >= sequence || progress.failed)
            .await
        {
            Ok(progress) if progress.committed >= sequence => Ok(()),
            _ => Err(NotDurable {
                path: self.path.clone(),
            }),
        }
    }

    /// Blocks until everything queued so far is committed (shutdown).
    pub fn flush(&self) {
        let (answer, answered) = mpsc::channel();
        let sent = super::relock(self.queue.lock())
            .as_ref()
            .map(|(_, sender)| sender.send(Message::Flush(answer)).is_ok());
        if sent == Some(true) {
            let _ = answered.recv();
        }
    }

    /// Commits what is queued and stops the writer; later writes are not saved.
    pub fn stop(&self) {
        let sender = super::relock(self.queue.lock()).take();
        drop(sender);
        if let Some(writer) = super::relock(self.writer.lock()).take() {
            let _ = writer.join();
        }
    }
}

/// Opens (creating) the database in `dir` and starts its writer; also returns the saved store,
/// or `None` when the directory holds no state yet.
pub fn open(dir: &Path) -> Result<(Persister, Option<Store>), EmulatorError> {
    std::fs::create_dir_all(dir).map_err(|source| EmulatorError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let path = state_file(dir);
    let invalid = |error: rusqlite::Error| EmulatorError::State {
        path: path.clone(),
        message: error.to_string(),
    };
    let connection = Connection::open(&path).map_err(invalid)?;
    connection
        .execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             CREATE TABLE IF NOT EXISTS orgs (id TEXT PRIMARY KEY, body TEXT NOT NULL) WITHOUT ROWID;
             CREATE TABLE IF NOT EXISTS objects (
                 org TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL,
                 PRIMARY KEY (org, kind, id)) WITHOUT ROWID;
             CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;",
        )
        .map_err(invalid)?;
    let saved = match read_store(&connection).map_err(|message| EmulatorError::State {
        path: path.clone(),
        message,
    })? {
        Some(store) => Some(store),
        None => load_legacy_json(dir)?,
    };
    let (sender, receiver) = mpsc::channel();
    let (report, progress) = watch::channel(Progress::default());
    let writer_path = path.clone();
    let delay = std::env::var(COMMIT_DELAY_ENV).ok().and_then(|text| text.trim().parse::<u64>().ok()).filter(|ms| *ms <= 10_000);
    let delay = std::time::Duration::from_millis(delay.unwrap_or(0));
    let writer = std::thread::Builder::new()
        .name("state-writer".to_string())
        .spawn(move || run_writer(connection, receiver, report, writer_path, delay))
        .map_err(|source| EmulatorError::Io {
            path: path.clone(),
            source,
        })?;
    let persister = Persister {
        path,
        queue: Mutex::new(Some((0, sender))),
        progress,
        writer: Mutex::new(Some(writer)),
    };
    Ok((persister, saved))
}

fn read_store(connection: &Connection) -> Result<Option<Store>, String> {
    let text = |error: rusqlite::Error| error.to_string();
    let mut store = Store::default();
    let mut statement = connection
        .prepare("SELECT id, body FROM orgs")
        .map_err(text)?;
    let rows = statement
        .query_map([], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })
        .map_err(text)?;
    for row in rows {
        let (id, body) = row.map_err(text)?;
        let org =
            OrgStore::from_header_json(&body).map_err(|error| format!("org {id}: {error}"))?;
        store.orgs.insert(id, org);
    }
    if store.orgs.is_empty() {
        return Ok(None);
    }
    let mut statement = connection
        .prepare("SELECT org, kind, id, body FROM objects")
        .map_err(text)?;
    let mut rows = statement.query([]).map_err(text)?;
    while let Some(row) = rows.next().map_err(text)? {
        let org_id: String = row.get(0).map_err(text)?;
        let kind: String = row.get(1).map_err(text)?;
        let id: String = row.get(2).map_err(text)?;
        let body: String = row.get(3).map_err(text)?;
        let org = store
            .orgs
            .get_mut(&org_id)
            .ok_or_else(|| format!("{kind} {id}: org {org_id} is not saved"))?;
        org.load_row(&kind, &id, &body)?;
    }
    let own: Option<String> = connection
        .query_row(
            "SELECT value FROM meta WHERE key = ?1",
            [META_OWN_BASE_URL],
            |row| row.get(0),
        )
        .ok();
    // Endpoints at the previous run's own address go back to the placeholder; `spawn` points
    // them at this run's address.
    if let Some(own) = own {
        crate::crm::unpoint_integrations(&mut store, &own);
    }
    Ok(Some(store))
}

fn load_legacy_json(dir: &Path) -> Result<Option<Store>, EmulatorError> {
    let path = dir.join(LEGACY_JSON_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(EmulatorError::Io { path, source }),
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|error| EmulatorError::State {
            path,
            message: format!("line {} column {}: {error}", error.line(), error.column()),
        })
}

fn run_writer(
    mut connection: Connection,
    receiver: mpsc::Receiver<Message>,
    report: watch::Sender<Progress>,
    path: PathBuf,
    delay: std::time::Duration,
) {
    let mut progress = Progress::default();
    while let Ok(first) = receiver.recv() {
        if !delay.is_zero() {
            std::thread::sleep(delay);
        }
        // Group commit: everything queued while the last commit ran goes into this one.
        let mut batches = vec![first];
        batches.extend(receiver.try_iter());
        let mut flushes = Vec::new();
        let mut last = progress.committed;
        let mut ops = Vec::new();
        for message in batches {
            match message {
                Message::Batch {
                    sequence,
                    ops: batch,
                } => {
                    last = sequence;
                    ops.extend(batch);
                }
                Message::Flush(answer) => flushes.push(answer),
            }
        }
        if !progress.failed && !ops.is_empty() {
            match commit(&mut connection, &ops) {
                Ok(()) => progress.committed = last,
                Err(error) => {
                    tracing::error!("saving state to {} failed: {error}", path.display());
                    progress.failed = true;
                }
            }
            report.send_replace(progress);
        }
        for answer in flushes {
            let _ = answer.send(());
        }
    }
}

fn commit(connection: &mut Connection, ops: &[Op]) -> rusqlite::Result<()> {
    let transaction = connection.transaction()?;
    {
        let mut put_org =
            transaction.prepare_cached("INSERT OR REPLACE INTO orgs (id, body) VALUES (?1, ?2)")?;
        let mut put_row = transaction.prepare_cached(
            "INSERT OR REPLACE INTO objects (org, kind, id, body) VALUES (?1, ?2, ?3, ?4)",
        )?;
        let mut delete_row = transaction
            .prepare_cached("DELETE FROM objects WHERE org = ?1 AND kind = ?2 AND id = ?3")?;
        for op in ops {
            match op {
                Op::Header { org, body } => {
                    put_org.execute(params![org, body])?;
                }
                Op::Row { org, change } => match &change.body {
                    Some(body) => {
                        put_row.execute(params![org, change.kind, change.id, body])?;
                    }
                    None => {
                        delete_row.execute(params![org, change.kind, change.id])?;
                    }
                },
                Op::ReplaceAll { orgs } => {
                    transaction.execute("DELETE FROM objects", [])?;
                    transaction.execute("DELETE FROM orgs", [])?;
                    for (org, header, rows) in orgs {
                        put_org.execute(params![org, header])?;
                        for change in rows {
                            if let Some(body) = &change.body {
                                put_row.execute(params![org, change.kind, change.id, body])?;
                            }
                        }
                    }
                }
                Op::Meta { key, value } => {
                    transaction.execute(
                        "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
                        params![key, value],
                    )?;
                }
            }
        }
    }
    transaction.commit()
}

tokio::task_local! {
    /// The highest batch a request's handler queued, read by the durability layer.
    static WRITTEN: Cell<u64>;
}

/// Runs `work` (a request's handling) and returns the highest batch it queued (0: none).
pub async fn track_writes<F: Future>(work: F) -> (F::Output, u64) {
    WRITTEN
        .scope(Cell::new(0), async {
            let output = work.await;
            (output, WRITTEN.try_with(Cell::get).unwrap_or(0))
        })
        .await
}

/// Records that the current request queued batch `sequence` (no-op outside a request).
pub fn note_write(sequence: u64) {
    let _ = WRITTEN.try_with(|written| written.set(written.get().max(sequence)));
}
