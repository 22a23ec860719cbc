//! Backpressure: a desktop that stops reading has its state topics conflated from 70 % of its
//! queue and is then closed with 1013, while a healthy desktop on the same topics receives
//! every event, in order.

use crate::support::*;
use serde_json::json;
use std::time::Duration;
use switchboard_emulator::EmulatorOptions;

// Two workers, so the gateway's session tasks and the healthy reader run beside the publisher.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_desktop_is_conflated_then_closed_while_the_others_keep_up() {
    let emulator = emulator(EmulatorOptions::default()).await;
    let mut config = gateway_config();
    config.queues.max_frames = 256;
    config.limits.send_timeout = Duration::from_secs(5);
    let gateway = gateway(config, client(client_config(&emulator))).await;
    let topics = vec!["v2.users.stalled.presence".to_string(), "v2.routing.queues.q.conversations".to_string()];

    let mut stalled = connect(&gateway.url(), &token("stalled", 60.0)).await;
    subscribe(&mut stalled, &topics).await;
    let mut healthy = connect(&gateway.url(), &token("healthy", 60.0)).await;
    subscribe(&mut healthy, &topics).await;

    // 8 KiB events fill the stalled socket's kernel buffers within a few megabytes; the
    // healthy desktop reads concurrently.
    let padding = "x".repeat(8 * 1024);
    let total = 1_200u64;
    // The healthy desktop's progress paces the publisher (at most 50 events behind), so its own
    // queue never nears its bound however loaded the machine is; the stalled one has no say.
    let (progress, mut progress_seen) = tokio::sync::watch::channel(0usize);
    let reader = async {
        let mut seen = Vec::new();
        while seen.len() < total as usize {
            let event = next_event(&mut healthy).await;
            if event["topicName"] == "v2.routing.queues.q.conversations" {
                seen.push(event["eventBody"]["seq"].as_u64().unwrap_or(u64::MAX));
                let _ = progress.send(seen.len());
            }
        }
        seen
    };
    let publisher = async {
        for seq in 0..total {
            let lag_limit = (seq as usize).saturating_sub(50);
            if progress_seen.wait_for(|received| *received >= lag_limit).await.is_err() {
                panic!("the healthy reader stopped");
            }
            publish(&emulator, "v2.users.stalled.presence", json!({"seq": seq, "padding": padding}));
            publish(&emulator, "v2.routing.queues.q.conversations", json!({"seq": seq, "padding": padding}));
            if seq % 4 == 0 {
                tokio::task::yield_now().await;
            }
        }
    };
    let (seen, ()) = tokio::join!(reader, publisher);
    assert_eq!(seen, (0..total).collect::<Vec<u64>>(), "the healthy desktop got everything in order");

    // The stalled desktop finds its session ended once it reads again (after megabytes).
    while !matches!(next(&mut stalled).await, Next::Closed(..)) {}
    let stats = gateway.stats();
    assert!(stats.conflated > 0, "presence was conflated for the stalled desktop: {stats:?}");
    assert!(stats.dropped > 0, "its queue filled: {stats:?}");
    let metrics = gateway.metrics_text();
    assert!(metrics.contains("gateway_sessions_closed_total{reason=\"try_again_later\"} 1"), "{metrics}");
    assert_eq!(stats.sessions, 1, "only the healthy one is left");
}
