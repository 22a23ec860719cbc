//! Upstream loss: a channel killed mid-stream resumes through replay with every event in order;
//! against a strict (real-platform) emulator without replay, agents get an explicit gap and a
//! REST snapshot; the upstream token rotates under a stream without loss or reordering; and
//! `v2.system.socket_closing` is handled make-before-break.

use crate::support::*;
use futures_util::StreamExt;
use serde_json::json;
use std::time::Duration;
use switchboard_emulator::EmulatorOptions;
use switchboard_emulator::NotificationConfig;
use switchboard_platform::{Platform, PlatformExt, TokenPolicy};

/// Takes over the gateway's upstream socket: the emulator allows one socket per channel and
/// closes the older one, exactly what a dropped connection looks like to the gateway.
async fn steal_upstream_socket(upstream: &dyn Platform) {
    let channels = upstream.notifications().channels().await.unwrap_or_default();
    let Some(channel) = channels.first() else { panic!("no upstream channel") };
    match tokio_tungstenite::connect_async(channel.connect_uri.as_str()).await {
        // Dropped at once; the gateway's reconnect replaces it anyway.
        Ok((socket, _)) => drop(socket),
        Err(error) => panic!("stealing the channel socket: {error}"),
    }
}

#[tokio::test]
async fn a_killed_channel_resumes_by_replay_and_agents_miss_nothing() {
    let emulator = emulator(EmulatorOptions::default()).await;
    let upstream = client(client_config(&emulator));
    let gateway = gateway(gateway_config(), upstream.clone()).await;
    let mut desktop = connect(&gateway.url(), &token("agent-k", 60.0)).await;
    subscribe(&mut desktop, &["v2.users.agent-k.conversations".to_string()]).await;

    let total = 300;
    for seq in 0..total {
        if seq == 100 {
            steal_upstream_socket(upstream.as_ref()).await;
        }
        publish(&emulator, "v2.users.agent-k.conversations", json!({"seq": seq}));
        if seq % 10 == 0 {
            tokio::task::yield_now().await;
        }
    }
    let (seen, notices) = seqs(&mut desktop, total as usize).await;
    assert_eq!(seen, (0..total).collect::<Vec<u64>>(), "every event, in order");
    assert!(!notices.iter().any(|notice| notice == "gap"), "replay covered it: {notices:?}");
    assert!(gateway.stats().upstream_reconnects >= 1);
}

#[tokio::test]
async fn without_replay_agents_get_an_explicit_gap_and_a_snapshot() {
    let emulator = emulator(EmulatorOptions { strict: true, ..EmulatorOptions::default() }).await;
    let upstream = client(client_config(&emulator));
    let users = upstream.users().list();
    futures_util::pin_mut!(users);
    let user = match users.next().await {
        Some(Ok(user)) => user.id,
        other => panic!("no user: {other:?}"),
    };
    let gateway = gateway(gateway_config(), upstream.clone()).await;
    let mut desktop = connect(&gateway.url(), &token(&user, 60.0)).await;
    let topic = format!("v2.users.{user}.presence");
    subscribe(&mut desktop, std::slice::from_ref(&topic)).await;
    publish(&emulator, &topic, json!({"seq": 1}));
    assert_eq!(next_event(&mut desktop).await["eventBody"]["seq"], 1);

    steal_upstream_socket(upstream.as_ref()).await;
    let gap = next_json(&mut desktop).await;
    assert_eq!(message_of(&gap), Some("gap"), "{gap}");
    assert_eq!(gap["eventBody"]["topics"], json!([topic]));
    let snapshot = next_json(&mut desktop).await;
    assert_eq!(message_of(&snapshot), Some("snapshot"), "{snapshot}");
    assert!(snapshot["eventBody"]["state"].is_object(), "the REST presence: {snapshot}");
    publish(&emulator, &topic, json!({"seq": 2}));
    assert_eq!(next_event(&mut desktop).await["eventBody"]["seq"], 2);
}

#[tokio::test]
async fn the_upstream_token_rotates_under_a_stream_without_loss_or_reordering() {
    let emulator = emulator(EmulatorOptions { token_lifetime: Duration::from_millis(1_000), ..EmulatorOptions::default() }).await;
    let mut config = client_config(&emulator);
    config.token = TokenPolicy { refresh_fraction: 0.85 };
    let upstream = client(config);
    let gateway = gateway(gateway_config(), upstream.clone()).await;
    let mut first = connect(&gateway.url(), &token("agent-0", 60.0)).await;
    subscribe(&mut first, &["v2.routing.queues.q.conversations".to_string()]).await;

    // Over three token lifetimes: a steady stream, and new agents subscribing (REST calls that
    // need a valid token) all along.
    let total = 150u64;
    let mut late_joiners = Vec::new();
    for seq in 0..total {
        publish(&emulator, "v2.routing.queues.q.conversations", json!({"seq": seq}));
        if seq % 25 == 24 {
            let mut desktop = connect(&gateway.url(), &token(&format!("agent-{seq}"), 60.0)).await;
            subscribe(&mut desktop, &[format!("v2.users.agent-{seq}.presence")]).await;
            late_joiners.push(desktop);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (seen, _) = seqs(&mut first, total as usize).await;
    assert_eq!(seen, (0..total).collect::<Vec<u64>>());
    assert_eq!(late_joiners.len(), 6);
    assert!(upstream.stats().token_requests >= 3, "tokens fetched: {}", upstream.stats().token_requests);
    assert_eq!(gateway.stats().upstream_reconnects, 0, "no channel was torn down");
}

#[tokio::test]
async fn socket_closing_opens_the_replacement_before_the_old_channel_closes() {
    let notifications = NotificationConfig { channel_lifetime: Duration::from_millis(1_500), closing_warning: Duration::from_millis(1_000), ..NotificationConfig::default() };
    let emulator = emulator(EmulatorOptions { notifications, ..EmulatorOptions::default() }).await;
    let upstream = client(client_config(&emulator));
    let gateway = gateway(gateway_config(), upstream.clone()).await;
    let mut desktop = connect(&gateway.url(), &token("agent-m", 60.0)).await;
    subscribe(&mut desktop, &["v2.users.agent-m.conversations".to_string()]).await;
    let before = upstream.notifications().channels().await.unwrap_or_default();

    // Publish through the warning (at ~0.5 s) and past the old channel's expiry (1.5 s).
    let total = 100u64;
    for seq in 0..total {
        publish(&emulator, "v2.users.agent-m.conversations", json!({"seq": seq}));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (seen, notices) = seqs(&mut desktop, total as usize).await;
    assert_eq!(seen, (0..total).collect::<Vec<u64>>(), "nothing lost, nothing twice");
    assert!(!notices.iter().any(|notice| notice == "gap"), "{notices:?}");
    let after = upstream.notifications().channels().await.unwrap_or_default();
    assert!(after.iter().all(|channel| !before.iter().any(|old| old.id == channel.id)), "the channel was replaced");
    assert_eq!(gateway.stats().upstream_channels, 1);
}
