//! PostgreSQL, for journals that CI runners or team members share: a few connections per handle,
//! each with its prepared statements. Atomicity comes from single statements (`INSERT … ON CONFLICT
//! … WHERE`, `UPDATE … WHERE revision = $n`) and transactions; migrations hold an advisory lock.

use super::pending_migrations;
use crate::error::{JournalError, JournalResult};
use crate::location::redact;
use crate::migrations::{Dialect, SCHEMA_VERSION_TABLE, render};
use crate::sql::{Cell, Param, Row, Statement};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::{MappedMutexGuard, Mutex, MutexGuard};
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{Client, NoTls};

/// The advisory lock key migrations take ("SWJ1" in ASCII), so concurrent opens migrate once.
const MIGRATION_LOCK: i64 = 0x534A_5731;

/// Connections per journal handle: deploy applies several orgs at once, and each transaction
/// needs a connection to itself. Opened on first use, so a quiet handle holds one.
const POOL_SIZE: usize = 4;

pub(crate) struct PostgresBackend {
    url: String,
    slots: Vec<Slot>,
    next: AtomicUsize,
}

fn failed(operation: &str, error: &tokio_postgres::Error) -> JournalError {
    // The server's message (with its code) is in the source; the top-level text is just "db error".
    let detail = match error.as_db_error() {
        Some(database) => format!("{} ({})", database.message(), database.code().code()),
        None => match std::error::Error::source(error) {
            Some(source) => format!("{error}: {source}"),
            None => error.to_string(),
        },
    };
    JournalError::Backend {
        backend: "postgres",
        operation: operation.to_string(),
        detail,
    }
}

fn bind(params: &[Param]) -> Vec<&(dyn ToSql + Sync)> {
    params
        .iter()
        .map(|param| match param {
            Param::Int(value) => value as &(dyn ToSql + Sync),
            Param::Text(value) => value as &(dyn ToSql + Sync),
        })
        .collect()
}

fn read_row(row: &tokio_postgres::Row, operation: &str) -> JournalResult<Row> {
    let mut cells = Vec::with_capacity(row.len());
    for (index, column) in row.columns().iter().enumerate() {
        let cell = match *column.type_() {
            Type::INT8 => row
                .try_get::<_, Option<i64>>(index)
                .map(|value| value.map_or(Cell::Null, Cell::Int)),
            Type::INT4 => row
                .try_get::<_, Option<i32>>(index)
                .map(|value| value.map_or(Cell::Null, |value| Cell::Int(i64::from(value)))),
            Type::BOOL => row
                .try_get::<_, Option<bool>>(index)
                .map(|value| value.map_or(Cell::Null, |value| Cell::Int(i64::from(value)))),
            _ => row
                .try_get::<_, Option<String>>(index)
                .map(|value| value.map_or(Cell::Null, Cell::Text)),
        };
        cells.push(cell.map_err(|error| JournalError::Corrupt {
            what: format!("{operation}: column {}", column.name()),
            detail: error.to_string(),
        })?);
    }
    Ok(Row { cells })
}

/// One connection and the statements prepared on it (each journal query is parsed once per
/// connection, then only bound and executed: one round trip instead of two).
struct Connection {
    client: Client,
    statements: HashMap<&'static str, tokio_postgres::Statement>,
}

impl Connection {
    async fn open(url: &str) -> JournalResult<Connection> {
        let connecting = format!("connect to {}", redact(url));
        let (client, connection) = tokio_postgres::connect(url, NoTls)
            .await
            .map_err(|error| failed(&connecting, &error))?;
        // The connection object does the I/O; it ends when the client is dropped.
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::warn!(%error, "journal connection to postgres ended");
            }
        });
        Ok(Connection {
            client,
            statements: HashMap::new(),
        })
    }

    async fn statement(
        &mut self,
        sql: &'static str,
    ) -> Result<tokio_postgres::Statement, tokio_postgres::Error> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client.prepare(sql).await?;
        self.statements.insert(sql, statement.clone());
        Ok(statement)
    }
}

type Slot = Mutex<Option<Connection>>;

impl PostgresBackend {
    pub async fn connect(url: &str) -> JournalResult<PostgresBackend> {
        let first = Connection::open(url).await?;
        let mut slots: Vec<Slot> = vec![Mutex::new(Some(first))];
        slots.extend((1..POOL_SIZE).map(|_| Mutex::new(None)));
        let backend = PostgresBackend {
            url: url.to_string(),
            slots,
            next: AtomicUsize::new(0),
        };
        backend.migrate().await?;
        Ok(backend)
    }

    /// A connection of its own for one call: a free one if any (opened on first use), else the
    /// next in turn. A lost connection is reopened first (a database restart or failover during a
    /// long apply costs one reconnect, not the apply); a call in flight when it broke fails.
    async fn connection(&self) -> JournalResult<MappedMutexGuard<'_, Connection>> {
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        let count = self.slots.len();
        let mut free = None;
        for offset in 0..count {
            if let Ok(guard) = self.slots[(start + offset) % count].try_lock() {
                free = Some(guard);
                break;
            }
        }
        let mut guard = match free {
            Some(guard) => guard,
            None => self.slots[start % count].lock().await,
        };
        if guard
            .as_ref()
            .is_none_or(|connection| connection.client.is_closed())
        {
            if guard.is_some() {
                tracing::warn!("journal connection to postgres was closed; reconnecting");
            }
            *guard = Some(Connection::open(&self.url).await?);
        }
        MutexGuard::try_map(guard, Option::as_mut).map_err(|_| JournalError::Backend {
            backend: "postgres",
            operation: "connect".to_string(),
            detail: "no connection after opening one".to_string(),
        })
    }

    async fn migrate(&self) -> JournalResult<()> {
        let mut connection = self.connection().await?;
        let sql = |error: tokio_postgres::Error| failed("migrate", &error);
        let transaction = connection.client.transaction().await.map_err(sql)?;
        transaction
            .execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await
            .map_err(sql)?;
        transaction
            .batch_execute(SCHEMA_VERSION_TABLE)
            .await
            .map_err(sql)?;
        let applied: Vec<u32> = transaction
            .query("SELECT version FROM schema_version ORDER BY version", &[])
            .await
            .map_err(sql)?
            .iter()
            .map(|row| {
                let version: i64 = row.try_get(0).map_err(sql)?;
                u32::try_from(version).map_err(|_| JournalError::Corrupt {
                    what: "schema_version.version".to_string(),
                    detail: format!("{version} is not a version"),
                })
            })
            .collect::<JournalResult<_>>()?;
        for migration in pending_migrations(&applied)? {
            for step in migration.steps {
                transaction
                    .batch_execute(&render(step, Dialect::Postgres))
                    .await
                    .map_err(|error| {
                        failed(&format!("migration {} ({step})", migration.version), &error)
                    })?;
            }
            let version = i64::from(migration.version);
            let now = chrono::Utc::now().timestamp_millis();
            transaction
                .execute(
                    "INSERT INTO schema_version (version, name, applied_ms) VALUES ($1, $2, $3)",
                    &[&version, &migration.name, &now],
                )
                .await
                .map_err(sql)?;
            tracing::info!(version = migration.version, "journal migrated (postgres)");
        }
        transaction.commit().await.map_err(sql)
    }

    pub async fn execute(
        &self,
        operation: &'static str,
        sql: &'static str,
        params: Vec<Param>,
    ) -> JournalResult<u64> {
        let fail = |error: tokio_postgres::Error| failed(operation, &error);
        let mut connection = self.connection().await?;
        let statement = connection.statement(sql).await.map_err(fail)?;
        connection
            .client
            .execute(&statement, &bind(&params))
            .await
            .map_err(fail)
    }

    pub async fn query(
        &self,
        operation: &'static str,
        sql: &'static str,
        params: Vec<Param>,
    ) -> JournalResult<Vec<Row>> {
        let fail = |error: tokio_postgres::Error| failed(operation, &error);
        let mut connection = self.connection().await?;
        let statement = connection.statement(sql).await.map_err(fail)?;
        let rows = connection
            .client
            .query(&statement, &bind(&params))
            .await
            .map_err(fail)?;
        rows.iter().map(|row| read_row(row, operation)).collect()
    }

    pub async fn transaction(
        &self,
        operation: &'static str,
        statements: Vec<Statement>,
    ) -> JournalResult<Vec<u64>> {
        let fail = |error: tokio_postgres::Error| failed(operation, &error);
        let mut connection = self.connection().await?;
        // Prepared before the transaction borrows the client.
        let mut prepared = Vec::with_capacity(statements.len());
        for statement in &statements {
            prepared.push(connection.statement(statement.sql).await.map_err(fail)?);
        }
        let transaction = connection.client.transaction().await.map_err(fail)?;
        let mut changed = Vec::with_capacity(statements.len());
        for (statement, prepared) in statements.iter().zip(&prepared) {
            changed.push(
                transaction
                    .execute(prepared, &bind(&statement.params))
                    .await
                    .map_err(fail)?,
            );
        }
        transaction.commit().await.map_err(fail)?;
        Ok(changed)
    }

    pub async fn now_ms(&self) -> JournalResult<i64> {
        let fail = |error: tokio_postgres::Error| failed("read the clock", &error);
        let mut connection = self.connection().await?;
        let statement = connection
            .statement("SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)")
            .await
            .map_err(fail)?;
        let row = connection
            .client
            .query_one(&statement, &[])
            .await
            .map_err(fail)?;
        row.try_get(0).map_err(fail)
    }
}
