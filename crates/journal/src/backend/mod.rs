//! The two storage engines behind one small surface: run a statement, run a query, run several
//! statements in one transaction, read the journal's clock. Every query above this is written
//! once, with PostgreSQL's `$1` placeholders (SQLite reads them as `?1`).

mod postgres;
mod sqlite;

use crate::error::JournalResult;
use crate::location::Location;
use crate::sql::{Param, Row, Statement};

pub(crate) enum Backend {
    Sqlite(sqlite::SqliteBackend),
    // Boxed: the client is large and the SQLite variant is one pointer.
    Postgres(Box<postgres::PostgresBackend>),
}

impl Backend {
    /// Connects (or creates the file) and applies pending migrations.
    pub async fn open(location: &Location) -> JournalResult<Backend> {
        Ok(match location {
            Location::Sqlite(path) => Backend::Sqlite(sqlite::SqliteBackend::open(path).await?),
            Location::Postgres(url) => {
                Backend::Postgres(Box::new(postgres::PostgresBackend::connect(url).await?))
            }
        })
    }

    pub fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// Rows changed.
    pub async fn execute(
        &self,
        operation: &'static str,
        sql: &'static str,
        params: Vec<Param>,
    ) -> JournalResult<u64> {
        match self {
            Backend::Sqlite(backend) => backend.execute(operation, sql, params).await,
            Backend::Postgres(backend) => backend.execute(operation, sql, params).await,
        }
    }

    pub async fn query(
        &self,
        operation: &'static str,
        sql: &'static str,
        params: Vec<Param>,
    ) -> JournalResult<Vec<Row>> {
        match self {
            Backend::Sqlite(backend) => backend.query(operation, sql, params).await,
            Backend::Postgres(backend) => backend.query(operation, sql, params).await,
        }
    }

    /// All or nothing; rows changed per statement.
    pub async fn transaction(
        &self,
        operation: &'static str,
        statements: Vec<Statement>,
    ) -> JournalResult<Vec<u64>> {
        match self {
            Backend::Sqlite(backend) => backend.transaction(operation, statements).await,
            Backend::Postgres(backend) => backend.transaction(operation, statements).await,
        }
    }

    /// Epoch milliseconds by the journal's clock: the database server's for PostgreSQL, so hosts
    /// sharing a journal agree on when a lease expires even when their own clocks drift.
    pub async fn now_ms(&self) -> JournalResult<i64> {
        match self {
            Backend::Sqlite(_) => Ok(chrono::Utc::now().timestamp_millis()),
            Backend::Postgres(backend) => backend.now_ms().await,
        }
    }

    /// The schema versions recorded in `schema_version`.
    pub async fn schema_versions(&self) -> JournalResult<Vec<u32>> {
        let rows = self
            .query(
                "read schema versions",
                "SELECT version FROM schema_version ORDER BY version",
                Vec::new(),
            )
            .await?;
        rows.iter()
            .map(|row| {
                let version = row.int(0, "schema_version.version")?;
                u32::try_from(version).map_err(|_| crate::error::JournalError::Corrupt {
                    what: "schema_version.version".to_string(),
                    detail: format!("{version} is not a version"),
                })
            })
            .collect()
    }
}

/// Which migrations to apply given those already applied; refuses a journal from a newer build.
pub(crate) fn pending_migrations(
    applied: &[u32],
) -> JournalResult<Vec<&'static crate::migrations::Migration>> {
    let known = crate::migrations::latest_version();
    if let Some(found) = applied
        .iter()
        .copied()
        .filter(|version| *version > known)
        .max()
    {
        return Err(crate::error::JournalError::SchemaTooNew { found, known });
    }
    Ok(crate::migrations::MIGRATIONS
        .iter()
        .filter(|migration| !applied.contains(&migration.version))
        .collect())
}
