//! Embedded SQLite: one file in WAL mode with full fsync, every call on the blocking pool behind
//! one connection. Several processes may share the file; SQLite's write lock serialises them.

use super::pending_migrations;
use crate::error::{JournalError, JournalResult};
use crate::migrations::{Dialect, SCHEMA_VERSION_TABLE, render};
use crate::sql::{Cell, Param, Row, Statement};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, TransactionBehavior, params_from_iter};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub(crate) struct SqliteBackend {
    connection: Arc<Mutex<Connection>>,
}

fn failed(operation: &str, error: impl std::fmt::Display) -> JournalError {
    JournalError::Backend {
        backend: "sqlite",
        operation: operation.to_string(),
        detail: error.to_string(),
    }
}

/// `$1` → `?1`: the queries are written in PostgreSQL's spelling.
fn placeholders(sql: &str) -> String {
    sql.replace('$', "?")
}

fn to_sql(param: &Param) -> rusqlite::types::Value {
    match param {
        Param::Int(value) => rusqlite::types::Value::Integer(*value),
        Param::Text(Some(value)) => rusqlite::types::Value::Text(value.clone()),
        Param::Text(None) => rusqlite::types::Value::Null,
    }
}

fn read_row(row: &rusqlite::Row<'_>, columns: usize) -> rusqlite::Result<Row> {
    let mut cells = Vec::with_capacity(columns);
    for index in 0..columns {
        cells.push(match row.get_ref(index)? {
            ValueRef::Null => Cell::Null,
            ValueRef::Integer(value) => Cell::Int(value),
            ValueRef::Text(bytes) => Cell::Text(String::from_utf8_lossy(bytes).into_owned()),
            ValueRef::Real(value) => Cell::Text(value.to_string()),
            ValueRef::Blob(bytes) => Cell::Text(String::from_utf8_lossy(bytes).into_owned()),
        });
    }
    Ok(Row { cells })
}

impl SqliteBackend {
    pub async fn open(path: &Path) -> JournalResult<SqliteBackend> {
        let path = path.to_path_buf();
        let connection = tokio::task::spawn_blocking(move || open_and_migrate(&path))
            .await
            .map_err(|error| failed("open", error))??;
        Ok(SqliteBackend {
            connection: Arc::new(Mutex::new(connection)),
        })
    }

    async fn run<T: Send + 'static>(
        &self,
        operation: &'static str,
        job: impl FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> JournalResult<T> {
        let connection = self.connection.clone();
        tokio::task::spawn_blocking(move || {
            // A panic while holding the lock cannot leave a half-done transaction behind (it rolls
            // back on drop), so a poisoned lock is safe to take.
            let mut guard = connection
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            job(&mut guard)
        })
        .await
        .map_err(|error| failed(operation, error))?
        .map_err(|error| failed(operation, error))
    }

    pub async fn execute(
        &self,
        operation: &'static str,
        sql: &'static str,
        params: Vec<Param>,
    ) -> JournalResult<u64> {
        self.run(operation, move |connection| {
            let values: Vec<_> = params.iter().map(to_sql).collect();
            let changed = connection
                .prepare_cached(&placeholders(sql))?
                .execute(params_from_iter(values))?;
            Ok(changed as u64)
        })
        .await
    }

    pub async fn query(
        &self,
        operation: &'static str,
        sql: &'static str,
        params: Vec<Param>,
    ) -> JournalResult<Vec<Row>> {
        self.run(operation, move |connection| {
            let values: Vec<_> = params.iter().map(to_sql).collect();
            let mut statement = connection.prepare_cached(&placeholders(sql))?;
            let columns = statement.column_count();
            let rows = statement
                .query_map(params_from_iter(values), |row| read_row(row, columns))?
                .collect::<rusqlite::Result<Vec<Row>>>()?;
            Ok(rows)
        })
        .await
    }

    pub async fn transaction(
        &self,
        operation: &'static str,
        statements: Vec<Statement>,
    ) -> JournalResult<Vec<u64>> {
        self.run(operation, move |connection| {
            // IMMEDIATE takes the write lock up front: no deadlock upgrading a read lock.
            let transaction =
                connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut changed = Vec::with_capacity(statements.len());
            for statement in &statements {
                let values: Vec<_> = statement.params.iter().map(to_sql).collect();
                let rows = transaction
                    .prepare_cached(&placeholders(statement.sql))?
                    .execute(params_from_iter(values))?;
                changed.push(rows as u64);
            }
            transaction.commit()?;
            Ok(changed)
        })
        .await
    }
}

fn open_and_migrate(path: &Path) -> JournalResult<Connection> {
    if let Some(parent) = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent)
            .map_err(|error| failed(&format!("create {}", parent.display()), error))?;
    }
    let opening = format!("open {}", path.display());
    let mut connection = Connection::open(path).map_err(|error| failed(&opening, error))?;
    let configure = |connection: &Connection| -> rusqlite::Result<()> {
        // Another process may hold the write lock for a moment (a concurrent apply's step).
        connection.busy_timeout(Duration::from_secs(10))?;
        // WAL: readers beside the writer. FULL: a committed step survives power loss, not only
        // a killed process.
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "synchronous", "FULL")?;
        connection.pragma_update(None, "foreign_keys", "ON")?;
        Ok(())
    };
    configure(&connection).map_err(|error| failed(&opening, error))?;
    migrate(&mut connection).map_err(|error| match error {
        JournalError::Backend { detail, .. } => failed("migrate", detail),
        other => other,
    })?;
    Ok(connection)
}

fn migrate(connection: &mut Connection) -> JournalResult<()> {
    let sqlite = |error: rusqlite::Error| failed("migrate", error);
    let transaction = connection
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(sqlite)?;
    transaction
        .execute(SCHEMA_VERSION_TABLE, [])
        .map_err(sqlite)?;
    let applied: Vec<u32> = {
        let mut statement = transaction
            .prepare("SELECT version FROM schema_version ORDER BY version")
            .map_err(sqlite)?;
        statement
            .query_map([], |row| row.get::<_, u32>(0))
            .map_err(sqlite)?
            .collect::<rusqlite::Result<_>>()
            .map_err(sqlite)?
    };
    for migration in pending_migrations(&applied)? {
        for step in migration.steps {
            transaction
                .execute_batch(&render(step, Dialect::Sqlite))
                .map_err(|error| {
                    failed(&format!("migration {} ({step})", migration.version), error)
                })?;
        }
        transaction
            .execute(
                "INSERT INTO schema_version (version, name, applied_ms) VALUES (?1, ?2, ?3)",
                rusqlite::params![
                    migration.version,
                    migration.name,
                    chrono::Utc::now().timestamp_millis()
                ],
            )
            .map_err(sqlite)?;
        tracing::info!(version = migration.version, "journal migrated (sqlite)");
    }
    transaction.commit().map_err(sqlite)?;
    Ok(())
}
