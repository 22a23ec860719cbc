//! The Redis store: the same contract as SQLite, the key-schema migrations' expand/contract rule,
//! and blue and green instances on one Redis processing every call exactly once.

use crate::redis_server;
use crate::support::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use switchboard_bridge::store::migrations::Migration;
use switchboard_bridge::store::{Cursor, EffectKind, RedisStore, StateStore, StoreError, WorkItem};
use switchboard_bridge::MigrationPhase;

fn item(key: &str) -> WorkItem {
    WorkItem { key: key.to_string(), conversation_id: "c".into(), kind: EffectKind::ScreenPop, payload: serde_json::json!({"ani": "+1"}), arrived_ms: 5 }
}

#[tokio::test]
async fn redis_store_keeps_work_cursor_keys_and_one_lease() {
    let Some(server) = redis_server::start() else { return };
    let store = RedisStore::connect(&server.url, "t").await.expect("connect");
    let report = store.migrate(MigrationPhase::Expand).await.expect("migrate");
    assert_eq!(report.current, vec![1, 2]);
    let cursor = Cursor { channel_id: Some("ch".into()), last_event_id: Some(9), reconciled_to_ms: 3 };
    assert_eq!(store.record(vec![item("a"), item("b")], Some(cursor.clone())).await.expect("record").len(), 2);
    store.complete("a".into(), "written".into()).await.expect("complete");
    let again: Vec<String> = store.record(vec![item("a"), item("b"), item("c")], None).await.expect("record").into_iter().map(|item| item.key).collect();
    assert_eq!(again, vec!["c"]);
    let pending: Vec<String> = store.pending().await.expect("pending").into_iter().map(|item| item.key).collect();
    assert_eq!(pending, vec!["b", "c"]);
    assert_eq!(store.cursor().await.expect("cursor"), cursor);
    assert!(store.lease("blue".into(), Duration::from_secs(5)).await.expect("lease"));
    assert!(!store.lease("green".into(), Duration::from_secs(5)).await.expect("lease"));
    store.release("blue".into()).await.expect("release");
    assert!(store.lease("green".into(), Duration::from_secs(5)).await.expect("lease"));

    let destructive = vec![Migration {
        version: 3,
        name: "rename work",
        phase: MigrationPhase::Expand,
        steps: vec![switchboard_bridge::store::KeyStep::Rename("work", "jobs")],
    }];
    let refused = RedisStore::connect(&server.url, "t").await.expect("connect").with_migrations(destructive).migrate(MigrationPhase::Contract).await;
    assert!(matches!(refused, Err(StoreError::Refused(_))), "{refused:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blue_and_green_on_one_redis_process_every_call_exactly_once() {
    let Some(server) = redis_server::start() else { return };
    let emulator = emulator().await;
    let mut env = bridge_env(&emulator, &server.url);
    env.insert("BRIDGE_LEASE_TTL_MS".into(), "600".into());
    env.insert("BRIDGE_INSTANCE_ID".into(), "blue".into());
    let blue = start_bridge(config(&env)).await.expect("blue");
    env.insert("BRIDGE_INSTANCE_ID".into(), "green".into());
    let green = start_bridge(config(&env)).await.expect("green");
    // Watch that the two are never active together.
    let overlap = Arc::new(AtomicBool::new(false));
    let watcher = {
        let (blue_status, green_status, overlap) = (blue.status.clone(), green.status.clone(), overlap.clone());
        tokio::spawn(async move {
            loop {
                if blue_status.active.load(Ordering::Relaxed) && green_status.active.load(Ordering::Relaxed) {
                    overlap.store(true, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
    };
    assert!(eventually(Duration::from_secs(10), || blue.status.active.load(Ordering::Relaxed) || green.status.active.load(Ordering::Relaxed)).await);
    let stream = start_traffic(&emulator, 3.0);
    tokio::time::sleep(Duration::from_secs(2)).await;
    // The active one crashes; the standby takes over when the lease expires.
    let (crashed, survivor) = if blue.status.active.load(Ordering::Relaxed) { (blue, green) } else { (green, blue) };
    // A killed instance's status keeps its last value, so the overlap watch ends with it.
    watcher.abort();
    crashed.kill();
    assert!(eventually(Duration::from_secs(5), || survivor.status.active.load(Ordering::Relaxed)).await, "the standby never took over");
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop_traffic(&emulator, &stream);
    let tally = settle(&emulator, Duration::from_secs(30)).await;
    assert!(tally.queued.len() >= 3, "only {} calls queued", tally.queued.len());
    assert_eq!(tally.problems(), Vec::<String>::new());
    assert!(!overlap.load(Ordering::Relaxed), "blue and green were active at the same time");
    survivor.drain().await.expect("drain");
}
