//! The expand/contract rule on a real SQLite file: the bridge's own migrations run before
//! readiness, an additive migration runs, a destructive one is refused unless it is a contract
//! migration run in the contract phase.

use crate::support::TempDir;
use switchboard_bridge::MigrationPhase;
use switchboard_bridge::store::migrations::Migration;
use switchboard_bridge::store::{SqliteStore, StateStore, StoreError, sqlite_migrations};

fn with_extra(extra: Migration<&'static str>) -> Vec<Migration<&'static str>> {
    let mut migrations = sqlite_migrations();
    migrations.push(extra);
    migrations
}

fn table_has_column(path: &std::path::Path, table: &str, column: &str) -> bool {
    let connection = rusqlite::Connection::open(path).expect("open");
    let mut statement = connection.prepare(&format!("SELECT name FROM pragma_table_info('{table}')")).expect("pragma");
    let columns: Vec<String> = statement.query_map([], |row| row.get(0)).expect("query").filter_map(Result::ok).collect();
    columns.iter().any(|name| name == column)
}

#[tokio::test]
async fn additive_runs_destructive_is_refused_contract_waits_for_its_phase() {
    let dir = TempDir::new("migrations");
    let path = dir.path("state.db");
    let report = SqliteStore::open(&path).expect("open").migrate(MigrationPhase::Expand).await.expect("own migrations");
    assert_eq!(report.current, vec![1, 2]);

    let additive = Migration { version: 3, name: "note on done keys", phase: MigrationPhase::Expand, steps: vec!["ALTER TABLE done ADD COLUMN note TEXT"] };
    let report = SqliteStore::open_with(&path, with_extra(additive)).expect("open").migrate(MigrationPhase::Expand).await.expect("additive");
    assert_eq!(report.applied, vec![3]);
    assert!(table_has_column(&path, "done", "note"));

    let mislabelled = Migration { version: 4, name: "drop the note", phase: MigrationPhase::Expand, steps: vec!["ALTER TABLE done DROP COLUMN note"] };
    let refused = SqliteStore::open_with(&path, with_extra(mislabelled)).expect("open").migrate(MigrationPhase::Contract).await;
    assert!(matches!(refused, Err(StoreError::Refused(_))), "{refused:?}");
    assert!(table_has_column(&path, "done", "note"), "a refused migration changes nothing");

    let contract = Migration { version: 4, name: "drop the note", phase: MigrationPhase::Contract, steps: vec!["ALTER TABLE done DROP COLUMN note"] };
    let expand_run = SqliteStore::open_with(&path, with_extra(contract.clone())).expect("open").migrate(MigrationPhase::Expand).await.expect("deferred");
    assert_eq!(expand_run.deferred, vec![4]);
    assert!(table_has_column(&path, "done", "note"), "the expand phase leaves contract steps alone");
    let contract_run = SqliteStore::open_with(&path, with_extra(contract)).expect("open").migrate(MigrationPhase::Contract).await.expect("contract");
    assert_eq!(contract_run.applied, vec![4]);
    assert!(!table_has_column(&path, "done", "note"));
}

#[tokio::test]
async fn the_store_keeps_work_cursor_and_keys_across_reopening() {
    use switchboard_bridge::store::{Cursor, EffectKind, WorkItem};
    let dir = TempDir::new("store");
    let path = dir.path("state.db");
    let item = |key: &str| WorkItem { key: key.to_string(), conversation_id: "c".into(), kind: EffectKind::Activity, payload: serde_json::json!({"ani": "+1"}), arrived_ms: 1 };
    {
        let store = SqliteStore::open(&path).expect("open");
        store.migrate(MigrationPhase::Expand).await.expect("migrate");
        let cursor = Cursor { channel_id: Some("ch".into()), last_event_id: Some(41), reconciled_to_ms: 7 };
        let recorded = store.record(vec![item("a"), item("b")], Some(cursor)).await.expect("record");
        assert_eq!(recorded.len(), 2);
        store.complete("a".into(), "written".into()).await.expect("complete");
    }
    let store = SqliteStore::open(&path).expect("reopen");
    store.migrate(MigrationPhase::Expand).await.expect("migrate again is a no-op");
    assert_eq!(store.cursor().await.expect("cursor").last_event_id, Some(41));
    let pending: Vec<String> = store.pending().await.expect("pending").into_iter().map(|item| item.key).collect();
    assert_eq!(pending, vec!["b"]);
    let again = store.record(vec![item("a"), item("b"), item("c")], None).await.expect("record");
    let keys: Vec<String> = again.into_iter().map(|item| item.key).collect();
    assert_eq!(keys, vec!["c"], "done and pending keys are not recorded twice");
    assert!(store.lease("blue".into(), std::time::Duration::from_secs(5)).await.expect("lease"));
    assert!(!store.lease("green".into(), std::time::Duration::from_secs(5)).await.expect("lease"));
    store.release("blue".into()).await.expect("release");
    assert!(store.lease("green".into(), std::time::Duration::from_secs(5)).await.expect("lease"));
}
