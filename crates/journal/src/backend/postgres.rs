//! PostgreSQL: one connection (tokio-postgres pipelines requests on it) for journals that CI
//! runners or team members share. Atomicity comes from single statements (`INSERT … ON CONFLICT
//! … WHERE`, `UPDATE … WHERE revision = $n`) and transactions; migrations hold an advisory lock.

use super::pending_migrations;
use crate::error::{JournalError, JournalResult};
use crate::location::redact;
use crate::migrations::{Dialect, SCHEMA_VERSION_TABLE, render};
use crate::sql::{Cell, Param, Row, Statement};
use tokio::sync::Mutex;
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{Client, NoTls};

/// The advisory lock key migrations take ("SWJ1" in ASCII), so concurrent opens migrate once.
const MIGRATION_LOCK: i64 = 0x534A_5731;

pub(crate) struct PostgresBackend {
    url: String,
    client: Mutex<Client>,
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

async fn open_client(url: &str) -> JournalResult<Client> {
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
    Ok(client)
}

impl PostgresBackend {
    pub async fn connect(url: &str) -> JournalResult<PostgresBackend> {
        let backend = PostgresBackend {
            url: url.to_string(),
            client: Mutex::new(open_client(url).await?),
        };
        backend.migrate().await?;
        Ok(backend)
    }

    /// The connection, reopened first if it was lost (a database restart or failover during a
    /// long apply costs one reconnect, not the apply). A call in flight when it broke fails.
    async fn client(&self) -> JournalResult<tokio::sync::MutexGuard<'_, Client>> {
        let mut client = self.client.lock().await;
        if client.is_closed() {
            tracing::warn!("journal connection to postgres was closed; reconnecting");
            *client = open_client(&self.url).await?;
        }
        Ok(client)
    }

    async fn migrate(&self) -> JournalResult<()> {
        let mut client = self.client().await?;
        let sql = |error: tokio_postgres::Error| failed("migrate", &error);
        let transaction = client.transaction().await.map_err(sql)?;
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
        let client = self.client().await?;
        client
            .execute(sql, &bind(&params))
            .await
            .map_err(|error| failed(operation, &error))
    }

    pub async fn query(
        &self,
        operation: &'static str,
        sql: &'static str,
        params: Vec<Param>,
    ) -> JournalResult<Vec<Row>> {
        let client = self.client().await?;
        let rows = client
            .query(sql, &bind(&params))
            .await
            .map_err(|error| failed(operation, &error))?;
        rows.iter().map(|row| read_row(row, operation)).collect()
    }

    pub async fn transaction(
        &self,
        operation: &'static str,
        statements: Vec<Statement>,
    ) -> JournalResult<Vec<u64>> {
        let mut client = self.client().await?;
        let fail = |error: tokio_postgres::Error| failed(operation, &error);
        let transaction = client.transaction().await.map_err(fail)?;
        let mut changed = Vec::with_capacity(statements.len());
        for statement in &statements {
            changed.push(
                transaction
                    .execute(statement.sql, &bind(&statement.params))
                    .await
                    .map_err(fail)?,
            );
        }
        transaction.commit().await.map_err(fail)?;
        Ok(changed)
    }

    pub async fn now_ms(&self) -> JournalResult<i64> {
        let client = self.client().await?;
        let row = client
            .query_one(
                "SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)",
                &[],
            )
            .await
            .map_err(|error| failed("read the clock", &error))?;
        row.try_get(0)
            .map_err(|error| failed("read the clock", &error))
    }
}
