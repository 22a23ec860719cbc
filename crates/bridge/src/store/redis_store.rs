//! The Redis store, for several instances (blue and green) on one server. Keys under a prefix:
//! `{p}:cursor` (hash), `{p}:work` (hash key → JSON), `{p}:done:{key}` (string, with a backstop
//! TTL), `{p}:done_by_time` (sorted set of done keys by completion time, for pruning),
//! `{p}:lease` (owner, with a TTL), `{p}:schema` (set of applied key-schema versions). Multi-key
//! updates are Lua scripts, so each is atomic on the server.

use super::migrations::{Decision, Migration, MigrationReport, Step, plan};
use super::{Cursor, StateStore, StoreError, StoreResult, WorkItem};
use crate::config::MigrationPhase;
use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use redis::aio::ConnectionManager;
use std::time::Duration;

/// The backstop TTL of a done key when none is configured: idempotency keys outlive any replay
/// window by far. The engine prunes them earlier, by completion time.
const DEFAULT_DONE_TTL: Duration = Duration::from_secs(14 * 24 * 3600);

/// A key-schema step: the same expand/contract discipline as SQL.
#[derive(Debug, Clone)]
pub enum KeyStep {
    /// Documents a key layout; nothing to move.
    Declare(&'static str),
    /// Removes keys matching a pattern (destructive).
    DeletePattern(&'static str),
    /// Renames a key (destructive: the old release reads the old name).
    Rename(&'static str, &'static str),
}

impl Step for KeyStep {
    fn is_destructive(&self) -> bool {
        !matches!(self, KeyStep::Declare(_))
    }
    fn describe(&self) -> String {
        format!("{self:?}")
    }
}

pub fn redis_migrations() -> Vec<Migration<KeyStep>> {
    vec![
        Migration {
            version: 1,
            name: "cursor hash, work hash, done keys, lease",
            phase: MigrationPhase::Expand,
            steps: vec![
                KeyStep::Declare("cursor"),
                KeyStep::Declare("work"),
                KeyStep::Declare("done:*"),
                KeyStep::Declare("lease"),
            ],
        },
        Migration {
            // Keys done before this release have no entry: their TTL (7 days then) removes them.
            version: 2,
            name: "done keys indexed by completion time, for pruning",
            phase: MigrationPhase::Expand,
            steps: vec![KeyStep::Declare("done_by_time")],
        },
    ]
}

pub struct RedisStore {
    connection: ConnectionManager,
    prefix: String,
    migrations: Vec<Migration<KeyStep>>,
    done_ttl: Duration,
}

const RECORD_SCRIPT: &str = r#"
local added = {}
for i = 1, #ARGV - 1, 2 do
  local key = ARGV[i]
  if redis.call('EXISTS', KEYS[3] .. key) == 0 and redis.call('HSETNX', KEYS[1], key, ARGV[i + 1]) == 1 then
    table.insert(added, key)
  end
end
local cursor = ARGV[#ARGV]
if cursor ~= '' then
  redis.call('SET', KEYS[2], cursor)
end
return added
"#;

const COMPLETE_SCRIPT: &str = r#"
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1])
redis.call('HDEL', KEYS[1], ARGV[1])
return 1
"#;

// KEYS[1] the time index, ARGV: done prefix, cutoff (exclusive), limit. Oldest first.
const PRUNE_SCRIPT: &str = r#"
local keys = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
for _, key in ipairs(keys) do
  redis.call('DEL', ARGV[1] .. key)
  redis.call('ZREM', KEYS[1], key)
end
return #keys
"#;

const LEASE_SCRIPT: &str = r#"
local holder = redis.call('GET', KEYS[1])
if holder == false or holder == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
"#;

const RELEASE_SCRIPT: &str = r#"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"#;

impl RedisStore {
    pub async fn connect(url: &str, prefix: &str) -> StoreResult<RedisStore> {
        let client = redis::Client::open(url)?;
        let connection = ConnectionManager::new(client).await?;
        Ok(RedisStore {
            connection,
            prefix: prefix.to_string(),
            migrations: redis_migrations(),
            done_ttl: DEFAULT_DONE_TTL,
        })
    }

    /// The backstop TTL of done keys (what expires them if no instance prunes).
    pub fn with_done_ttl(mut self, ttl: Duration) -> RedisStore {
        self.done_ttl = ttl.max(Duration::from_millis(1));
        self
    }

    /// With another key-schema migration list (tests of the expand/contract rule).
    pub fn with_migrations(mut self, migrations: Vec<Migration<KeyStep>>) -> RedisStore {
        self.migrations = migrations;
        self
    }

    fn key(&self, name: &str) -> String {
        format!("{}:{name}", self.prefix)
    }
}

impl StateStore for RedisStore {
    fn kind(&self) -> &'static str {
        "redis"
    }

    fn migrate(&self, phase: MigrationPhase) -> BoxFuture<'_, StoreResult<MigrationReport>> {
        async move {
            let mut connection = self.connection.clone();
            let schema = self.key("schema");
            let applied: Vec<u32> = redis::cmd("SMEMBERS")
                .arg(&schema)
                .query_async(&mut connection)
                .await?;
            let mut report = MigrationReport::default();
            for (migration, decision) in plan(&self.migrations, &applied, phase)? {
                if decision == Decision::Deferred {
                    report.deferred.push(migration.version);
                    continue;
                }
                for step in &migration.steps {
                    match step {
                        KeyStep::Declare(_) => {}
                        KeyStep::Rename(from, to) => {
                            let exists: bool = redis::cmd("EXISTS")
                                .arg(self.key(from))
                                .query_async(&mut connection)
                                .await?;
                            if exists {
                                let _: () = redis::cmd("RENAME")
                                    .arg(self.key(from))
                                    .arg(self.key(to))
                                    .query_async(&mut connection)
                                    .await?;
                            }
                        }
                        KeyStep::DeletePattern(pattern) => {
                            let keys: Vec<String> = redis::cmd("KEYS")
                                .arg(self.key(pattern))
                                .query_async(&mut connection)
                                .await?;
                            if !keys.is_empty() {
                                let _: () = redis::cmd("DEL")
                                    .arg(keys)
                                    .query_async(&mut connection)
                                    .await?;
                            }
                        }
                    }
                }
                let _: () = redis::cmd("SADD")
                    .arg(&schema)
                    .arg(migration.version)
                    .query_async(&mut connection)
                    .await?;
                report.applied.push(migration.version);
            }
            let mut current: Vec<u32> = redis::cmd("SMEMBERS")
                .arg(&schema)
                .query_async(&mut connection)
                .await?;
            current.sort_unstable();
            report.current = current;
            Ok(report)
        }
        .boxed()
    }

    fn ping(&self) -> BoxFuture<'_, StoreResult<()>> {
        async move {
            let mut connection = self.connection.clone();
            let _: String = redis::cmd("PING").query_async(&mut connection).await?;
            Ok(())
        }
        .boxed()
    }

    fn cursor(&self) -> BoxFuture<'_, StoreResult<Cursor>> {
        async move {
            let mut connection = self.connection.clone();
            let text: Option<String> = redis::cmd("GET")
                .arg(self.key("cursor"))
                .query_async(&mut connection)
                .await?;
            match text {
                None => Ok(Cursor::default()),
                Some(text) => serde_json::from_str(&text)
                    .map_err(|error| StoreError::Backend(format!("redis: cursor: {error}"))),
            }
        }
        .boxed()
    }

    fn record(
        &self,
        work: Vec<WorkItem>,
        cursor: Option<Cursor>,
    ) -> BoxFuture<'_, StoreResult<Vec<WorkItem>>> {
        async move {
            let mut connection = self.connection.clone();
            let script = redis::Script::new(RECORD_SCRIPT);
            let mut invocation = script.prepare_invoke();
            invocation
                .key(self.key("work"))
                .key(self.key("cursor"))
                .key(self.key("done:"));
            for item in &work {
                let json = serde_json::to_string(item)
                    .map_err(|error| StoreError::Backend(error.to_string()))?;
                invocation.arg(&item.key).arg(json);
            }
            let cursor_json = match &cursor {
                Some(cursor) => serde_json::to_string(cursor)
                    .map_err(|error| StoreError::Backend(error.to_string()))?,
                None => String::new(),
            };
            invocation.arg(cursor_json);
            let added: Vec<String> = invocation.invoke_async(&mut connection).await?;
            Ok(work
                .into_iter()
                .filter(|item| added.contains(&item.key))
                .collect())
        }
        .boxed()
    }

    fn pending(&self) -> BoxFuture<'_, StoreResult<Vec<WorkItem>>> {
        async move {
            let mut connection = self.connection.clone();
            let values: Vec<String> = redis::cmd("HVALS")
                .arg(self.key("work"))
                .query_async(&mut connection)
                .await?;
            let mut items: Vec<WorkItem> = values
                .iter()
                .map(|text| {
                    serde_json::from_str(text)
                        .map_err(|error| StoreError::Backend(format!("redis: work item: {error}")))
                })
                .collect::<StoreResult<_>>()?;
            items.sort_by(|a, b| {
                a.arrived_ms
                    .cmp(&b.arrived_ms)
                    .then_with(|| a.key.cmp(&b.key))
            });
            Ok(items)
        }
        .boxed()
    }

    fn complete(&self, key: String, outcome: String) -> BoxFuture<'_, StoreResult<()>> {
        async move {
            let mut connection = self.connection.clone();
            let done_key = format!("{}{key}", self.key("done:"));
            let _: i64 = redis::Script::new(COMPLETE_SCRIPT)
                .key(self.key("work"))
                .key(done_key)
                .key(self.key("done_by_time"))
                .arg(&key)
                .arg(outcome)
                .arg(u64::try_from(self.done_ttl.as_millis()).unwrap_or(u64::MAX))
                .arg(super::now_ms())
                .invoke_async(&mut connection)
                .await?;
            Ok(())
        }
        .boxed()
    }

    fn prune_done(&self, done_before_ms: i64, limit: usize) -> BoxFuture<'_, StoreResult<u64>> {
        async move {
            let mut connection = self.connection.clone();
            let removed: u64 = redis::Script::new(PRUNE_SCRIPT)
                .key(self.key("done_by_time"))
                .arg(self.key("done:"))
                .arg(done_before_ms)
                .arg(limit)
                .invoke_async(&mut connection)
                .await?;
            Ok(removed)
        }
        .boxed()
    }

    fn lease(&self, owner: String, ttl: Duration) -> BoxFuture<'_, StoreResult<bool>> {
        async move {
            let mut connection = self.connection.clone();
            let held: i64 = redis::Script::new(LEASE_SCRIPT)
                .key(self.key("lease"))
                .arg(owner)
                .arg(ttl.as_millis().max(1) as u64)
                .invoke_async(&mut connection)
                .await?;
            Ok(held == 1)
        }
        .boxed()
    }

    fn release(&self, owner: String) -> BoxFuture<'_, StoreResult<()>> {
        async move {
            let mut connection = self.connection.clone();
            let _: i64 = redis::Script::new(RELEASE_SCRIPT)
                .key(self.key("lease"))
                .arg(owner)
                .invoke_async(&mut connection)
                .await?;
            Ok(())
        }
        .boxed()
    }
}
