//! The SQLite store: one file, WAL mode, every call on the blocking pool. Several processes on
//! one host may share the file; the lease row picks the active one.

use super::migrations::{Decision, Migration, MigrationReport, plan};
use super::{Cursor, EffectKind, StateStore, StoreError, StoreResult, WorkItem, now_ms};
use crate::config::MigrationPhase;
use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use rusqlite::{Connection, OptionalExtension, params};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The bridge's tables, oldest first. Never edit a released migration: add one.
pub fn sqlite_migrations() -> Vec<Migration<&'static str>> {
    vec![
        Migration {
            version: 1,
            name: "cursor, work, done, lease",
            phase: MigrationPhase::Expand,
            steps: vec![
                "CREATE TABLE cursor (id INTEGER PRIMARY KEY CHECK (id = 1), channel_id TEXT, last_event_id INTEGER, reconciled_to_ms INTEGER NOT NULL)",
                "CREATE TABLE work (key TEXT PRIMARY KEY, conversation_id TEXT NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL, arrived_ms INTEGER NOT NULL, recorded_ms INTEGER NOT NULL)",
                "CREATE TABLE done (key TEXT PRIMARY KEY, outcome TEXT NOT NULL, done_ms INTEGER NOT NULL)",
                "CREATE TABLE lease (id INTEGER PRIMARY KEY CHECK (id = 1), owner TEXT NOT NULL, expires_ms INTEGER NOT NULL)",
            ],
        },
        Migration {
            version: 2,
            name: "index done keys by time, for pruning",
            phase: MigrationPhase::Expand,
            steps: vec!["CREATE INDEX done_by_time ON done (done_ms)"],
        },
    ]
}

pub struct SqliteStore {
    connection: Arc<Mutex<Connection>>,
    migrations: Vec<Migration<&'static str>>,
}

fn kind_text(kind: EffectKind) -> &'static str {
    match kind {
        EffectKind::ScreenPop => "screen_pop",
        EffectKind::Activity => "activity",
    }
}

fn kind_from(text: &str) -> StoreResult<EffectKind> {
    match text {
        "screen_pop" => Ok(EffectKind::ScreenPop),
        "activity" => Ok(EffectKind::Activity),
        other => Err(StoreError::Backend(format!(
            "sqlite: unknown work kind `{other}`"
        ))),
    }
}

impl SqliteStore {
    pub fn open(path: &Path) -> StoreResult<SqliteStore> {
        SqliteStore::open_with(path, sqlite_migrations())
    }

    /// With another migration list (tests of the expand/contract rule).
    pub fn open_with(
        path: &Path,
        migrations: Vec<Migration<&'static str>>,
    ) -> StoreResult<SqliteStore> {
        let connection = Connection::open(path)?;
        connection.busy_timeout(Duration::from_secs(5))?;
        // WAL lets a reader (a standby instance's lease check) run beside the writer.
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "synchronous", "NORMAL")?;
        connection.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_ms INTEGER NOT NULL)", [])?;
        Ok(SqliteStore {
            connection: Arc::new(Mutex::new(connection)),
            migrations,
        })
    }

    fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Connection) -> StoreResult<T> + Send + 'static,
    ) -> BoxFuture<'_, StoreResult<T>> {
        let connection = self.connection.clone();
        async move {
            tokio::task::spawn_blocking(move || {
                let mut guard = connection
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                job(&mut guard)
            })
            .await
            .map_err(|error| StoreError::Backend(format!("sqlite task: {error}")))?
        }
        .boxed()
    }
}

fn migrate(
    connection: &mut Connection,
    migrations: &[Migration<&'static str>],
    phase: MigrationPhase,
) -> StoreResult<MigrationReport> {
    let applied: Vec<u32> = {
        let mut statement =
            connection.prepare("SELECT version FROM schema_migrations ORDER BY version")?;
        statement
            .query_map([], |row| row.get(0))?
            .collect::<Result<_, _>>()?
    };
    let mut report = MigrationReport::default();
    for (migration, decision) in plan(migrations, &applied, phase)? {
        if decision == Decision::Deferred {
            report.deferred.push(migration.version);
            continue;
        }
        // One transaction per migration: a kill halfway leaves it unapplied, not half-applied.
        let transaction = connection.transaction()?;
        for step in &migration.steps {
            transaction.execute_batch(step)?;
        }
        transaction.execute(
            "INSERT INTO schema_migrations (version, name, applied_ms) VALUES (?1, ?2, ?3)",
            params![migration.version, migration.name, now_ms()],
        )?;
        transaction.commit()?;
        report.applied.push(migration.version);
    }
    let mut statement =
        connection.prepare("SELECT version FROM schema_migrations ORDER BY version")?;
    report.current = statement
        .query_map([], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(report)
}

fn read_work(connection: &Connection) -> StoreResult<Vec<WorkItem>> {
    let mut statement = connection.prepare("SELECT key, conversation_id, kind, payload, arrived_ms FROM work ORDER BY recorded_ms, key")?;
    let rows: Vec<(String, String, String, String, i64)> = statement
        .query_map([], |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
            ))
        })?
        .collect::<Result<_, _>>()?;
    rows.into_iter()
        .map(|(key, conversation_id, kind, payload, arrived_ms)| {
            let payload = serde_json::from_str(&payload)
                .map_err(|error| StoreError::Backend(format!("sqlite: work {key}: {error}")))?;
            Ok(WorkItem {
                key,
                conversation_id,
                kind: kind_from(&kind)?,
                payload,
                arrived_ms,
            })
        })
        .collect()
}

impl StateStore for SqliteStore {
    fn kind(&self) -> &'static str {
        "sqlite"
    }

    fn migrate(&self, phase: MigrationPhase) -> BoxFuture<'_, StoreResult<MigrationReport>> {
        let migrations = self.migrations.clone();
        self.run(move |connection| migrate(connection, &migrations, phase))
    }

    fn ping(&self) -> BoxFuture<'_, StoreResult<()>> {
        self.run(|connection| {
            connection
                .query_row("SELECT 1", [], |_| Ok(()))
                .map_err(StoreError::from)
        })
    }

    fn cursor(&self) -> BoxFuture<'_, StoreResult<Cursor>> {
        self.run(|connection| {
            let cursor = connection
                .query_row(
                    "SELECT channel_id, last_event_id, reconciled_to_ms FROM cursor WHERE id = 1",
                    [],
                    |row| {
                        Ok(Cursor {
                            channel_id: row.get(0)?,
                            last_event_id: row.get::<_, Option<i64>>(1)?.map(|id| id as u64),
                            reconciled_to_ms: row.get(2)?,
                        })
                    },
                )
                .optional()?;
            Ok(cursor.unwrap_or_default())
        })
    }

    fn record(
        &self,
        work: Vec<WorkItem>,
        cursor: Option<Cursor>,
    ) -> BoxFuture<'_, StoreResult<Vec<WorkItem>>> {
        self.run(move |connection| {
            let transaction = connection.transaction()?;
            let mut recorded = Vec::new();
            for item in work {
                let done: bool = transaction.query_row("SELECT EXISTS (SELECT 1 FROM done WHERE key = ?1)", [&item.key], |row| row.get(0))?;
                if done {
                    continue;
                }
                let payload = serde_json::to_string(&item.payload).map_err(|error| StoreError::Backend(error.to_string()))?;
                let inserted = transaction.execute(
                    "INSERT OR IGNORE INTO work (key, conversation_id, kind, payload, arrived_ms, recorded_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![item.key, item.conversation_id, kind_text(item.kind), payload, item.arrived_ms, now_ms()],
                )?;
                if inserted == 1 {
                    recorded.push(item);
                }
            }
            if let Some(cursor) = cursor {
                transaction.execute(
                    "INSERT INTO cursor (id, channel_id, last_event_id, reconciled_to_ms) VALUES (1, ?1, ?2, ?3)
                     ON CONFLICT (id) DO UPDATE SET channel_id = excluded.channel_id, last_event_id = excluded.last_event_id, reconciled_to_ms = excluded.reconciled_to_ms",
                    params![cursor.channel_id, cursor.last_event_id.map(|id| id as i64), cursor.reconciled_to_ms],
                )?;
            }
            transaction.commit()?;
            Ok(recorded)
        })
    }

    fn pending(&self) -> BoxFuture<'_, StoreResult<Vec<WorkItem>>> {
        self.run(|connection| read_work(connection))
    }

    fn complete(&self, key: String, outcome: String) -> BoxFuture<'_, StoreResult<()>> {
        self.run(move |connection| {
            let transaction = connection.transaction()?;
            transaction.execute(
                "INSERT OR IGNORE INTO done (key, outcome, done_ms) VALUES (?1, ?2, ?3)",
                params![key, outcome, now_ms()],
            )?;
            transaction.execute("DELETE FROM work WHERE key = ?1", [&key])?;
            transaction.commit()?;
            Ok(())
        })
    }

    fn prune_done(&self, done_before_ms: i64, limit: usize) -> BoxFuture<'_, StoreResult<u64>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.run(move |connection| {
            // Bounded by `limit` so a large backlog never holds the write lock for long; the
            // `done_by_time` index (migration 2) makes this a range scan.
            let removed = connection.execute(
                "DELETE FROM done WHERE key IN (SELECT key FROM done WHERE done_ms < ?1 ORDER BY done_ms LIMIT ?2)",
                params![done_before_ms, limit],
            )?;
            Ok(removed as u64)
        })
    }

    fn lease(&self, owner: String, ttl: Duration) -> BoxFuture<'_, StoreResult<bool>> {
        self.run(move |connection| {
            let now = now_ms();
            let expires = now + ttl.as_millis() as i64;
            // Take the lease when free, expired or already ours; otherwise leave it.
            connection.execute(
                "INSERT INTO lease (id, owner, expires_ms) VALUES (1, ?1, ?2)
                 ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, expires_ms = excluded.expires_ms
                 WHERE lease.owner = excluded.owner OR lease.expires_ms < ?3",
                params![owner, expires, now],
            )?;
            let holder: String = connection.query_row("SELECT owner FROM lease WHERE id = 1", [], |row| row.get(0))?;
            Ok(holder == owner)
        })
    }

    fn release(&self, owner: String) -> BoxFuture<'_, StoreResult<()>> {
        self.run(move |connection| {
            connection.execute("DELETE FROM lease WHERE id = 1 AND owner = ?1", [&owner])?;
            Ok(())
        })
    }
}
