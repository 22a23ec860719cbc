//! The state store: the event cursor, in-flight work and idempotency keys, outside the process so
//! any instance can be killed at any moment. SQLite (embedded, one instance or several on one
//! host) or Redis (several instances anywhere); both behind [`StateStore`].

pub mod migrations;
mod redis_store;
mod sqlite;

pub use redis_store::{KeyStep, RedisStore, redis_migrations};
pub use sqlite::{SqliteStore, sqlite_migrations};

use crate::config::{MigrationPhase, StateUrl};
use futures_util::future::BoxFuture;
use migrations::MigrationReport;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

/// Where event processing stands: the channel being followed, the last event whose work is
/// recorded, and the instant up to which REST reconciliation has looked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub channel_id: Option<String>,
    pub last_event_id: Option<u64>,
    pub reconciled_to_ms: i64,
}

/// An effect to perform, keyed so that recording it twice (a replayed event, a reconciliation
/// that sees the same call) keeps one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkItem {
    /// `pop:{conversationId}` or `activity:{conversationId}`.
    pub key: String,
    pub conversation_id: String,
    pub kind: EffectKind,
    /// What the effect needs (participant, caller number, queue, times), fixed when recorded so a
    /// retry sends exactly the same request.
    pub payload: serde_json::Value,
    /// When the call reached the queue, epoch ms (for the arrival → attributes latency).
    pub arrived_ms: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EffectKind {
    /// Look the caller up in the CRM and write the account into participant attributes.
    ScreenPop,
    /// Write the finished call to the CRM as an activity.
    Activity,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("state store: {0}")]
    Backend(String),
    #[error(transparent)]
    Refused(#[from] migrations::DestructiveRefused),
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        StoreError::Backend(format!("sqlite: {error}"))
    }
}

impl From<redis::RedisError> for StoreError {
    fn from(error: redis::RedisError) -> Self {
        // Redis errors can echo the URL; keep only the kind and detail.
        StoreError::Backend(format!(
            "redis: {:?}: {}",
            error.kind(),
            error.detail().unwrap_or("")
        ))
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

pub trait StateStore: Send + Sync {
    /// `sqlite` or `redis`, for metrics and logs.
    fn kind(&self) -> &'static str;
    fn migrate(&self, phase: MigrationPhase) -> BoxFuture<'_, StoreResult<MigrationReport>>;
    fn ping(&self) -> BoxFuture<'_, StoreResult<()>>;
    fn cursor(&self) -> BoxFuture<'_, StoreResult<Cursor>>;
    /// Atomically records the work items not yet done or pending and, if given, the new cursor.
    /// Returns the items that were newly recorded.
    fn record(
        &self,
        work: Vec<WorkItem>,
        cursor: Option<Cursor>,
    ) -> BoxFuture<'_, StoreResult<Vec<WorkItem>>>;
    /// Work recorded but not completed (what a killed instance left behind).
    fn pending(&self) -> BoxFuture<'_, StoreResult<Vec<WorkItem>>>;
    /// Marks the work done (its key stays as an idempotency key) and removes it from pending.
    fn complete(&self, key: String, outcome: String) -> BoxFuture<'_, StoreResult<()>>;
    /// Forgets up to `limit` idempotency keys of work completed before `done_before_ms` (epoch
    /// ms), oldest first; returns how many. The caller picks a horizon no replay or
    /// reconciliation can reach (the engine's `prune`).
    fn prune_done(&self, done_before_ms: i64, limit: usize) -> BoxFuture<'_, StoreResult<u64>>;
    /// Takes or renews the single-active lease; `true` when `owner` holds it afterwards.
    fn lease(&self, owner: String, ttl: Duration) -> BoxFuture<'_, StoreResult<bool>>;
    /// Gives the lease up if `owner` holds it (a drained instance hands over at once).
    fn release(&self, owner: String) -> BoxFuture<'_, StoreResult<()>>;
}

/// Opens the configured store (no migrations yet). `done_retention` is how long idempotency keys
/// are kept; Redis also gives each one twice that as a TTL, a backstop for when no instance prunes.
pub async fn open(url: &StateUrl, done_retention: Duration) -> StoreResult<Arc<dyn StateStore>> {
    Ok(match url {
        StateUrl::Sqlite(path) => Arc::new(SqliteStore::open(path)?),
        StateUrl::Redis(url) => Arc::new(
            RedisStore::connect(url.expose(), "bridge")
                .await?
                .with_done_ttl(done_retention.saturating_mul(2)),
        ),
    })
}

pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
