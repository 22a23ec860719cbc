//! Recovery from upstream loss, fault by fault (issue 17): after a platform restart the
//! re-created channel's events are delivered although its ids start again; a drop before the
//! channel carried any event resumes from the channel's start; and the snapshot after a gap is
//! read in bulk, not one request per topic.

use crate::support::*;
use serde_json::json;
use switchboard_emulator::{EmulatorOptions, ScaleSpec, scaled};
use switchboard_platform::PlatformExt;

#[tokio::test]
async fn after_a_platform_restart_the_re_created_channel_s_events_are_delivered() {
    let options = EmulatorOptions { state_dir: Some(temp_dir("restart").join("state")), ..EmulatorOptions::default() };
    let first = emulator(options.clone()).await;
    let proxy = Proxy::start(first.addr()).await;
    let upstream = client(client_config_for(&first, ORG, &proxy.base_url()));
    let user = first_user(&upstream).await;
    let gateway = gateway(gateway_config(), upstream.clone()).await;
    let mut desktop = connect(&gateway.url(), &token(&user, 60.0)).await;
    let topic = format!("v2.users.{user}.presence");
    subscribe(&mut desktop, std::slice::from_ref(&topic)).await;
    for seq in 0..20 {
        publish(&first, &topic, json!({"seq": seq}));
    }
    assert_eq!(seqs(&mut desktop, 20).await.0, (0..20).collect::<Vec<u64>>());

    // The platform restarts: same orgs and credentials, no channels, event ids from 1 again.
    first.shutdown().await;
    let second = emulator(options).await;
    proxy.retarget(second.addr());
    proxy.cut();

    let gap = notice(&mut desktop, "gap").await;
    assert_eq!(gap["eventBody"]["topics"], json!([topic]), "{gap}");
    let snapshot = next_notice(&mut desktop).await;
    assert_eq!(message_of(&snapshot), Some("snapshot"), "{snapshot}");
    // Ten presence changes on the restarted platform, numbered 1..=10 there: all delivered.
    for seq in 100..110 {
        publish(&second, &topic, json!({"seq": seq}));
    }
    assert_eq!(seqs(&mut desktop, 10).await.0, (100..110).collect::<Vec<u64>>());
}

#[tokio::test]
async fn a_drop_before_the_channel_carried_any_event_resumes_from_the_channel_s_start() {
    let emulator = emulator(EmulatorOptions::default()).await;
    let proxy = Proxy::start(emulator.addr()).await;
    let upstream = client(client_config_for(&emulator, ORG, &proxy.base_url()));
    let gateway = gateway(gateway_config(), upstream).await;
    let mut desktop = connect(&gateway.url(), &token("agent-early", 60.0)).await;
    let topic = "v2.users.agent-early.conversations".to_string();
    subscribe(&mut desktop, std::slice::from_ref(&topic)).await;

    // The socket drops before any event; five changes happen before the gateway can reconnect
    // (nothing else runs between these statements on this single-threaded runtime).
    proxy.cut();
    for seq in 0..5 {
        publish(&emulator, &topic, json!({"seq": seq}));
    }
    // Three more, whenever the gateway is back.
    tokio::task::yield_now().await;
    for seq in 5..8 {
        publish(&emulator, &topic, json!({"seq": seq}));
    }
    let (seen, _) = seqs(&mut desktop, 8).await;
    assert_eq!(seen, (0..8).collect::<Vec<u64>>(), "the outage's changes were replayed from the channel's start");
}

#[tokio::test]
async fn without_replay_a_drop_before_any_event_is_still_reported_as_a_gap() {
    let emulator = emulator(EmulatorOptions { strict: true, ..EmulatorOptions::default() }).await;
    let proxy = Proxy::start(emulator.addr()).await;
    let upstream = client(client_config_for(&emulator, ORG, &proxy.base_url()));
    let user = first_user(&upstream).await;
    let gateway = gateway(gateway_config(), upstream).await;
    let mut desktop = connect(&gateway.url(), &token(&user, 60.0)).await;
    let topic = format!("v2.users.{user}.routingStatus");
    subscribe(&mut desktop, std::slice::from_ref(&topic)).await;
    proxy.cut();
    publish(&emulator, &topic, json!({"seq": 0}));
    let gap = notice(&mut desktop, "gap").await;
    assert_eq!(gap["eventBody"]["topics"], json!([topic]));
    let snapshot = next_notice(&mut desktop).await;
    assert_eq!(message_of(&snapshot), Some("snapshot"), "{snapshot}");
    assert!(snapshot["eventBody"]["state"]["status"].is_string(), "the REST routing status: {snapshot}");
}

#[tokio::test]
async fn the_snapshot_after_a_gap_reads_user_state_in_bulk() {
    const ORG_OF_MANY: &str = "global";
    let topology = scaled(ScaleSpec { orgs: 1, resources: 400, seed: 7 });
    let emulator = emulator(EmulatorOptions { strict: true, topology: Some(topology), ..EmulatorOptions::default() }).await;
    let proxy = Proxy::start(emulator.addr()).await;
    let upstream = client(client_config_for(&emulator, ORG_OF_MANY, &proxy.base_url()));
    let listed: Vec<_> = futures_util::StreamExt::collect(upstream.users().list()).await;
    let users: Vec<String> = match listed.into_iter().collect::<Result<Vec<_>, _>>() {
        Ok(users) => users.into_iter().map(|user| user.id).collect(),
        Err(error) => panic!("users: {error}"),
    };
    assert!(users.len() > 200, "{} users", users.len());
    let topics: Vec<String> = users.iter().flat_map(|user| [format!("v2.users.{user}.presence"), format!("v2.users.{user}.routingStatus")]).collect();
    let gateway = gateway(gateway_config(), upstream.clone()).await;
    let mut desktop = connect(&gateway.url(), &token("supervisor", 60.0)).await;
    subscribe(&mut desktop, &topics).await;

    let before = upstream.stats().attempts;
    proxy.cut();
    let gap = notice(&mut desktop, "gap").await;
    assert_eq!(gap["eventBody"]["topics"].as_array().map(Vec::len), Some(topics.len()));
    let mut snapshots = std::collections::BTreeSet::new();
    while snapshots.len() < topics.len() {
        let frame = notice(&mut desktop, "snapshot").await;
        assert!(frame["eventBody"]["state"].is_object(), "{frame}");
        snapshots.insert(frame["eventBody"]["topics"][0].as_str().unwrap_or_default().to_string());
    }
    let requests = upstream.stats().attempts - before;
    // 100 users (200 topics) per request: one per topic would be one request per snapshot.
    let bulk = users.len().div_ceil(100) as u64;
    assert_eq!(requests, bulk, "{requests} requests for {} topics", topics.len());
}
