//! The pool: deduplicated subscriptions (the emulator's own channel and subscription counts
//! prove it) and per-agent ordering across several channels.

use crate::support::*;
use serde_json::json;
use switchboard_emulator::EmulatorOptions;
use switchboard_platform::PlatformExt;

#[tokio::test]
async fn shared_topics_cost_one_upstream_subscription_and_each_agent_s_events_stay_in_order() {
    let emulator = emulator(EmulatorOptions::default()).await;
    let upstream = client(client_config(&emulator));
    let mut config = gateway_config();
    config.pool.min_channels = 3;
    config.pool.fill_target = 20;
    config.pool.topics_per_channel = 30;
    let gateway = gateway(config, upstream.clone()).await;

    let agents = 24;
    let mut desktops = Vec::new();
    for index in 0..agents {
        let agent = format!("agent-{index}");
        let mut desktop = connect(&gateway.url(), &token(&agent, 60.0)).await;
        let topics = vec![
            format!("v2.users.{agent}?presence&routingStatus"),
            format!("v2.users.{agent}.conversations"),
            "v2.routing.queues.support.conversations".to_string(),
        ];
        subscribe(&mut desktop, &topics).await;
        desktops.push((agent, desktop));
    }

    // The emulator's view: every channel the gateway holds, and their topics.
    let channels = upstream.notifications().channels().await.unwrap_or_default();
    let mut upstream_topics = Vec::new();
    for channel in &channels {
        upstream_topics.extend(upstream.notifications().subscriptions(&channel.id).await.unwrap_or_default());
    }
    let distinct = 3 * agents + 1;
    assert_eq!(upstream_topics.len(), distinct, "the queue topic is subscribed once for {agents} agents");
    assert!(channels.len() >= 3 && channels.len() <= 5, "{} channels for {agents} agents", channels.len());
    let stats = gateway.stats();
    assert_eq!(stats.upstream_topics as usize, distinct);
    assert_eq!(stats.session_subscriptions as usize, 4 * agents);
    assert_eq!(stats.upstream_channels as usize, channels.len());

    // Interleave each agent's three topics; every agent must see its sequence in order.
    let rounds = 20;
    for round in 0..rounds {
        for (agent, _) in &desktops {
            for suffix in ["presence", "routingStatus", "conversations"] {
                publish(&emulator, &format!("v2.users.{agent}.{suffix}"), json!({"agent": agent, "seq": round, "kind": suffix}));
            }
        }
    }
    publish(&emulator, "v2.routing.queues.support.conversations", json!({"seq": "queue"}));
    for (agent, desktop) in &mut desktops {
        let mut expected = Vec::new();
        for round in 0..rounds {
            for suffix in ["presence", "routingStatus", "conversations"] {
                expected.push(format!("{suffix}:{round}"));
            }
        }
        // The queue topic may sit on another channel: its place among the agent's own events
        // is not ordered (nor is it on the platform across channels); the agent's own are.
        let mut received = Vec::new();
        let mut queue_events = 0;
        while received.len() < expected.len() || queue_events == 0 {
            let event = next_event(desktop).await;
            if event["topicName"] == "v2.routing.queues.support.conversations" {
                queue_events += 1;
                continue;
            }
            assert_eq!(event["eventBody"]["agent"], json!(agent), "only its own topics: {event}");
            received.push(format!("{}:{}", event["eventBody"]["kind"].as_str().unwrap_or("?"), event["eventBody"]["seq"]));
        }
        assert_eq!(received, expected, "{agent} in order");
        assert_eq!(queue_events, 1);
    }
}

/// POSTs to a channel's subscriptions the emulator answered, any status.
fn subscription_posts(emulator: &switchboard_emulator::RunningEmulator) -> u64 {
    emulator
        .state()
        .metrics()
        .encode()
        .lines()
        .filter(|line| line.contains("/subscriptions") && line.contains("method=\"POST\"") && !line.starts_with('#'))
        .filter_map(|line| line.rsplit(' ').next().and_then(|value| value.parse::<f64>().ok()))
        .sum::<f64>() as u64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trickle_of_logins_is_paced_into_batches_within_the_platform_rate_limit() {
    // A platform allowing 20 requests a minute: one REST call per login would be refused (429)
    // after the 20th, and the rest would wait out the minute.
    let emulator = emulator(EmulatorOptions { rate_limit_per_minute: 20, ..EmulatorOptions::default() }).await;
    let mut config = gateway_config();
    config.pool.batch_interval = std::time::Duration::from_millis(250);
    let gateway = gateway(config, client(client_config(&emulator))).await;
    let agents = 60;
    let mut desktops = Vec::new();
    for index in 0..agents {
        desktops.push(connect(&gateway.url(), &token(&format!("trickle-{index}"), 60.0)).await);
    }
    // Independent desktops logging in one after another, 5 ms apart (the arrival pattern is the
    // workload; each desktop waits only for its own notice).
    let started = tokio::time::Instant::now();
    let logins = desktops.into_iter().enumerate().map(|(index, mut desktop)| {
        tokio::spawn(async move {
            tokio::time::sleep_until(started + std::time::Duration::from_millis(5 * index as u64)).await;
            subscribe(&mut desktop, &[format!("v2.users.trickle-{index}.presence")]).await;
            desktop
        })
    });
    let mut subscribed = Vec::new();
    for login in futures_util::future::join_all(logins).await {
        match login {
            Ok(desktop) => subscribed.push(desktop),
            Err(error) => panic!("a login failed: {error}"),
        }
    }
    assert_eq!(emulator.state().metrics().rate_limited.get(), 0, "no request was refused");
    let posts = subscription_posts(&emulator);
    // 300 ms of arrivals at one batch per 250 ms: a handful of calls, not sixty.
    assert!(posts <= 4, "{posts} subscription calls for {agents} logins");
    assert_eq!(gateway.stats().session_subscriptions as usize, agents);
    assert_eq!(subscribed.len(), agents);
}
