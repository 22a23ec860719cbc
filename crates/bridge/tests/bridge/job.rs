//! The job end to end on SQLite: a steady stream of calls gets exactly one screen pop and one
//! activity each, and an in-process kill and restart mid-stream loses nothing.

use crate::support::*;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_queued_call_gets_one_screen_pop_and_one_activity() {
    let emulator = emulator().await;
    let dir = TempDir::new("job");
    let env = bridge_env(
        &emulator,
        &format!("sqlite://{}", dir.path("state.db").display()),
    );
    let bridge = start_bridge(config(&env)).await.expect("bridge starts");
    let ready = eventually(Duration::from_secs(10), || {
        bridge
            .status
            .active
            .load(std::sync::atomic::Ordering::Relaxed)
    })
    .await;
    assert!(ready, "the bridge never became active");
    let stream = start_traffic(&emulator, 3.0);
    tokio::time::sleep(Duration::from_secs(4)).await;
    let placed = stop_traffic(&emulator, &stream);
    let tally = settle(&emulator, Duration::from_secs(30)).await;
    assert!(placed > 0);
    assert!(!tally.queued.is_empty(), "no call reached a queue");
    assert!(
        tally.queued.len() >= 3,
        "only {} calls queued",
        tally.queued.len()
    );
    assert_eq!(tally.problems(), Vec::<String>::new());
    // One rule for the subject on every path: the served queue's name, never its id.
    for activity in emulator.state().contact_center().crm.activities() {
        let subject = activity.activity.subject;
        assert!(
            ["Sales", "Support", "Billing"]
                .iter()
                .any(|queue| subject.ends_with(&format!(" in {queue}"))),
            "{subject}"
        );
    }
    assert_eq!(
        bridge.metrics.effect_count("screen_pop", "failed")
            + bridge.metrics.effect_count("activity", "failed"),
        0
    );
    bridge.drain().await.expect("drains");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bridge_killed_and_restarted_mid_stream_loses_and_repeats_nothing() {
    let emulator = emulator().await;
    let dir = TempDir::new("restart");
    let env = bridge_env(
        &emulator,
        &format!("sqlite://{}", dir.path("state.db").display()),
    );
    let stream = start_traffic(&emulator, 3.0);
    let mut bridge = start_bridge(config(&env)).await.expect("bridge starts");
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(900)).await;
        bridge.kill();
        tokio::time::sleep(Duration::from_millis(200)).await;
        bridge = start_bridge(config(&env)).await.expect("bridge restarts");
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    stop_traffic(&emulator, &stream);
    let tally = settle(&emulator, Duration::from_secs(30)).await;
    assert!(!tally.queued.is_empty(), "no call reached a queue");
    assert!(
        tally.queued.len() >= 3,
        "only {} calls queued",
        tally.queued.len()
    );
    assert_eq!(tally.problems(), Vec::<String>::new());
    bridge.drain().await.expect("drains");
}

/// The real platform has no replay: in strict mode events carry no id and `Last-Event-ID` is
/// ignored, so every reconnect reconciles through the conversation detail query instead.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_replay_restarts_reconcile_through_rest_and_lose_nothing() {
    let mut options = emulator_options();
    options.strict = true;
    options.notifications.strict = true;
    let emulator = switchboard_emulator::spawn(options).await.expect("strict emulator");
    let dir = TempDir::new("strict");
    let env = bridge_env(&emulator, &format!("sqlite://{}", dir.path("state.db").display()));
    let stream = start_traffic(&emulator, 3.0);
    let mut bridge = start_bridge(config(&env)).await.expect("bridge starts");
    let mut reconciliations = 0;
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(900)).await;
        reconciliations += bridge.metrics.reconciliations.get();
        bridge.kill();
        tokio::time::sleep(Duration::from_millis(300)).await;
        bridge = start_bridge(config(&env)).await.expect("bridge restarts");
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    stop_traffic(&emulator, &stream);
    let tally = settle(&emulator, Duration::from_secs(30)).await;
    assert!(tally.queued.len() >= 3, "only {} calls queued", tally.queued.len());
    assert_eq!(tally.problems(), Vec::<String>::new());
    assert!(reconciliations >= 3, "each start without replay reconciles, got {reconciliations}");
    bridge.drain().await.expect("drains");
}
