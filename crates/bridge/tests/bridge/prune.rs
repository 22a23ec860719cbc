//! Pruning done idempotency keys after the retention window, on a real SQLite file and a real
//! Redis server: old keys go in bounded batches, young ones stay and still refuse a replay, and
//! the active bridge prunes on its own.

use crate::redis_server;
use crate::support::*;
use std::time::Duration;
use switchboard_bridge::store::{EffectKind, RedisStore, SqliteStore, StateStore, WorkItem};
use switchboard_bridge::MigrationPhase;

const DAY_MS: i64 = 24 * 3_600_000;

fn item(key: &str) -> WorkItem {
    WorkItem {
        key: key.to_string(),
        conversation_id: "c".into(),
        kind: EffectKind::Activity,
        payload: serde_json::json!({"ani": "+1"}),
        arrived_ms: 1,
    }
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Done keys as an older run would have left them, written straight into the file.
fn seed_done(path: &std::path::Path, keys: &[(&str, i64)]) {
    let connection = rusqlite::Connection::open(path).expect("open");
    for (key, done_ms) in keys {
        connection
            .execute(
                "INSERT INTO done (key, outcome, done_ms) VALUES (?1, 'written', ?2)",
                rusqlite::params![key, done_ms],
            )
            .expect("seed");
    }
}

fn done_keys(path: &std::path::Path) -> Vec<String> {
    let connection = rusqlite::Connection::open(path).expect("open");
    let mut statement = connection
        .prepare("SELECT key FROM done ORDER BY key")
        .expect("query");
    statement
        .query_map([], |row| row.get(0))
        .expect("rows")
        .filter_map(Result::ok)
        .collect()
}

async fn recorded_keys(store: &dyn StateStore, keys: &[&str]) -> Vec<String> {
    store
        .record(keys.iter().map(|key| item(key)).collect(), None)
        .await
        .expect("record")
        .into_iter()
        .map(|item| item.key)
        .collect()
}

#[tokio::test]
async fn sqlite_prunes_keys_older_than_the_cutoff_in_bounded_batches() {
    let dir = TempDir::new("prune");
    let path = dir.path("state.db");
    let store = SqliteStore::open(&path).expect("open");
    store
        .migrate(MigrationPhase::Expand)
        .await
        .expect("migrate");
    store
        .record(vec![item("young")], None)
        .await
        .expect("record");
    store
        .complete("young".into(), "written".into())
        .await
        .expect("complete");
    let now = now_ms();
    seed_done(
        &path,
        &[
            ("old-1", now - 9 * DAY_MS),
            ("old-2", now - 9 * DAY_MS + 1),
            ("old-3", now - 8 * DAY_MS),
            ("old-4", now - 8 * DAY_MS + 5),
            ("old-5", now - 7 * DAY_MS - 60_000),
        ],
    );

    let cutoff = now - 7 * DAY_MS;
    let batches = [
        store.prune_done(cutoff, 2).await,
        store.prune_done(cutoff, 2).await,
        store.prune_done(cutoff, 2).await,
        store.prune_done(cutoff, 2).await,
    ];
    let batches: Vec<u64> = batches
        .into_iter()
        .map(|removed| removed.expect("prune"))
        .collect();
    assert_eq!(batches, vec![2, 2, 1, 0]);
    assert_eq!(done_keys(&path), vec!["young"]);
    // A pruned key is forgotten (a replay that old would run again); a young one still refuses it.
    assert_eq!(
        recorded_keys(&store, &["old-1", "young"]).await,
        vec!["old-1"]
    );
}

#[tokio::test]
async fn redis_prunes_keys_by_completion_time_and_keeps_a_backstop_ttl() {
    let Some(server) = redis_server::start() else {
        return;
    };
    let store = RedisStore::connect(&server.url, "p")
        .await
        .expect("connect")
        .with_done_ttl(Duration::from_secs(3_600));
    let report = store
        .migrate(MigrationPhase::Expand)
        .await
        .expect("migrate");
    assert_eq!(report.current, vec![1, 2]);
    store
        .record(vec![item("young")], None)
        .await
        .expect("record");
    store
        .complete("young".into(), "written".into())
        .await
        .expect("complete");
    let client = redis::Client::open(server.url.as_str()).expect("client");
    let mut connection = client
        .get_multiplexed_async_connection()
        .await
        .expect("connect");
    let ttl_ms: i64 = redis::cmd("PTTL")
        .arg("p:done:young")
        .query_async(&mut connection)
        .await
        .expect("pttl");
    assert!(
        ttl_ms > 3_000_000 && ttl_ms <= 3_600_000,
        "backstop TTL {ttl_ms} ms"
    );
    // Keys completed nine and eight days ago, as the store writes them.
    let now = now_ms();
    for (key, done_ms) in [("old-1", now - 9 * DAY_MS), ("old-2", now - 8 * DAY_MS)] {
        let _: () = redis::cmd("SET")
            .arg(format!("p:done:{key}"))
            .arg("written")
            .query_async(&mut connection)
            .await
            .expect("set");
        let _: () = redis::cmd("ZADD")
            .arg("p:done_by_time")
            .arg(done_ms)
            .arg(key)
            .query_async(&mut connection)
            .await
            .expect("zadd");
    }

    let cutoff = now - 7 * DAY_MS;
    assert_eq!(store.prune_done(cutoff, 1).await.expect("prune"), 1);
    assert_eq!(store.prune_done(cutoff, 10).await.expect("prune"), 1);
    assert_eq!(store.prune_done(cutoff, 10).await.expect("prune"), 0);
    let left: Vec<String> = redis::cmd("KEYS")
        .arg("p:done:*")
        .query_async(&mut connection)
        .await
        .expect("keys");
    assert_eq!(left, vec!["p:done:young"]);
    let indexed: Vec<String> = redis::cmd("ZRANGE")
        .arg("p:done_by_time")
        .arg(0)
        .arg(-1)
        .query_async(&mut connection)
        .await
        .expect("zrange");
    assert_eq!(indexed, vec!["young"]);
    assert_eq!(
        recorded_keys(&store, &["old-2", "young"]).await,
        vec!["old-2"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_active_bridge_prunes_old_keys_and_keeps_young_ones() {
    let dir = TempDir::new("prune-engine");
    let path = dir.path("state.db");
    SqliteStore::open(&path)
        .expect("open")
        .migrate(MigrationPhase::Expand)
        .await
        .expect("migrate");
    let now = now_ms();
    seed_done(
        &path,
        &[
            ("ancient-1", now - 30 * DAY_MS),
            ("ancient-2", now - 3 * DAY_MS),
            ("recent", now - 2 * 3_600_000),
        ],
    );
    let emulator = emulator().await;
    let mut env = bridge_env(&emulator, &format!("sqlite://{}", path.display()));
    env.insert("BRIDGE_DONE_RETENTION_SECONDS".into(), "86400".into());
    env.insert("BRIDGE_PRUNE_INTERVAL_SECONDS".into(), "1".into());
    let bridge = start_bridge(config(&env)).await.expect("bridge");
    assert!(
        eventually(Duration::from_secs(15), || bridge.metrics.done_pruned.get()
            >= 2)
        .await,
        "nothing was pruned"
    );
    assert_eq!(bridge.metrics.done_pruned.get(), 2);
    assert_eq!(done_keys(&path), vec!["recent"]);
    assert!(
        bridge
            .metrics
            .encode()
            .contains("switchboard_bridge_done_keys_pruned_total 2")
    );
    bridge.drain().await.expect("drains");
}
