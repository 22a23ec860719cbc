//! Faults: bursts of 503s are ridden out, a permanent 503 ends at the deadline with a clear
//! error, and non-idempotent POSTs are not repeated after an ambiguous failure.

use std::time::Duration;

use futures_util::TryStreamExt;
use serde_json::json;
use switchboard_platform::api::queue::Queue;
use switchboard_platform::{PlatformError, PlatformExt};

use crate::support::{CHILD, add_fault, client, client_for, config_for, counters, ok, start_default};

const QUEUES: &str = "/api/v2/routing/queues";

#[tokio::test]
async fn a_burst_of_503s_is_ridden_out() {
    let emulator = start_default().await;
    let client = client_for(&emulator, CHILD);
    add_fault(&emulator, json!({"path": QUEUES, "method": "GET", "status": 503, "count": 3})).await;
    let queues = ok("list through 503 burst", client.queues().list_all().await);
    assert!(!queues.is_empty());
    assert_eq!(client.stats().retries, 3);
    assert_eq!(counters(&emulator).await.count("GET", QUEUES), 4, "three faulted attempts and one success");
    emulator.shutdown().await;
}

#[tokio::test]
async fn a_permanent_503_gives_up_at_the_deadline_with_a_clear_error() {
    let emulator = start_default().await;
    let mut config = config_for(&emulator, CHILD);
    config.retry.max_attempts = 1_000;
    config.timeouts.total = Duration::from_millis(1_500);
    let client = client(config);
    add_fault(&emulator, json!({"path": QUEUES, "method": "GET", "status": 503})).await;
    let error = match client.queues().list_all().await {
        Ok(queues) => panic!("permanent 503 produced {} queues", queues.len()),
        Err(error) => error,
    };
    let PlatformError::Deadline { attempts, ref last, .. } = error else { panic!("expected Deadline, got {error:?}") };
    assert!(attempts >= 2, "retried before giving up: {attempts}");
    assert!(last.contains("503"), "names the last failure: {error}");
    emulator.shutdown().await;
}

#[tokio::test]
async fn retry_after_on_429_is_absorbed() {
    let emulator = start_default().await;
    let client = client_for(&emulator, CHILD);
    add_fault(&emulator, json!({"path": QUEUES, "method": "GET", "status": 429, "retryAfterSeconds": 1, "count": 2})).await;
    ok("list through 429s", client.queues().list_all().await);
    assert_eq!(client.stats().throttled, 2);
    emulator.shutdown().await;
}

#[tokio::test]
async fn a_post_is_not_repeated_after_an_ambiguous_502() {
    let emulator = start_default().await;
    let client = client_for(&emulator, CHILD);
    add_fault(&emulator, json!({"path": QUEUES, "method": "POST", "status": 502, "count": 1})).await;
    let queue = Queue { name: "created-once".into(), ..Queue::default() };
    let outcome = client.queues().create(&queue).await;
    assert!(matches!(outcome, Err(PlatformError::Server { status: 502, .. })), "{outcome:?}");
    assert_eq!(counters(&emulator).await.count("POST", QUEUES), 1, "the POST was sent exactly once");
    // A GET behind the same kind of fault is retried.
    add_fault(&emulator, json!({"path": QUEUES, "method": "GET", "status": 502, "count": 1})).await;
    ok("get through 502", client.queues().list_all().await);
    emulator.shutdown().await;
}

#[tokio::test]
async fn resets_and_hangs_are_retried_for_reads_only() {
    let emulator = start_default().await;
    let mut config = config_for(&emulator, CHILD);
    config.timeouts.request = Duration::from_millis(400);
    let client = client(config);
    ok("warm up", client.orgs().me().await);
    add_fault(&emulator, json!({"path": QUEUES, "method": "GET", "reset": true, "count": 1})).await;
    ok("get through reset", client.queues().list_all().await);
    add_fault(&emulator, json!({"path": QUEUES, "method": "GET", "hang": true, "count": 1})).await;
    ok("get through hang", client.queues().list_all().await);

    add_fault(&emulator, json!({"path": QUEUES, "method": "POST", "reset": true, "count": 1})).await;
    let queue = Queue { name: "maybe-created".into(), ..Queue::default() };
    let outcome = client.queues().create(&queue).await;
    assert!(matches!(outcome, Err(PlatformError::Transport { .. })), "{outcome:?}");
    // The reset came before the handler, so only a (wrong) retry could have created the queue.
    let created: Vec<Queue> = ok("by name", client.queues().list(Some("maybe-created")).try_collect().await);
    assert!(created.is_empty(), "a reset POST was repeated: {created:?}");
    emulator.shutdown().await;
}
