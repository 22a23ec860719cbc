//! Subscription failures stay with the desktop that asked (issue 17): a malformed topic or one
//! the platform answers 400 to does not fail another desktop's topics in the same batch, and a
//! topic the platform `Rejected` is refused, never acknowledged as `subscribed`.

use crate::support::*;
use serde_json::json;
use std::time::Duration;
use switchboard_emulator::EmulatorOptions;
use switchboard_platform::PlatformExt;

#[tokio::test]
async fn a_bad_topic_in_the_same_batch_fails_only_the_desktop_that_asked() {
    let emulator = emulator(EmulatorOptions::default()).await;
    let mut config = gateway_config();
    config.pool.batch_interval = Duration::from_millis(400);
    let gateway = gateway(config, client(client_config(&emulator))).await;
    let mut warm = connect(&gateway.url(), &token("agent-warm", 60.0)).await;
    let mut good = connect(&gateway.url(), &token("agent-a", 60.0)).await;
    let mut malformed = connect(&gateway.url(), &token("agent-b", 60.0)).await;
    let mut refused_upstream = connect(&gateway.url(), &token("agent-c", 60.0)).await;
    // A first batch, so the next changes wait out the pacing interval and share one batch.
    subscribe(&mut warm, &["v2.users.agent-warm.presence".to_string()]).await;

    let good_topic = "v2.users.agent-a.presence";
    // No such topic in the platform's catalogue.
    let malformed_topic = "v2.users.not-a-user.foo";
    // Fits the catalogue, but the platform answers 400 (its ids are at most 128 characters).
    let long_id_topic = format!("v2.users.{}.presence", "x".repeat(129));
    send(&mut good, json!({"message": "subscribe", "topics": [good_topic]})).await;
    send(&mut malformed, json!({"message": "subscribe", "topics": [malformed_topic]})).await;
    send(&mut refused_upstream, json!({"message": "subscribe", "topics": [long_id_topic]})).await;

    let ack = next_notice(&mut good).await;
    assert_eq!(message_of(&ack), Some("subscribed"), "{ack}");
    assert_eq!(ack["eventBody"]["topics"], json!([good_topic]));
    for (desktop, topic) in [(&mut malformed, malformed_topic.to_string()), (&mut refused_upstream, long_id_topic.clone())] {
        let error = next_notice(desktop).await;
        assert_eq!(message_of(&error), Some("error"), "{error}");
        assert_eq!(error["eventBody"]["topics"], json!([topic]), "{error}");
    }
    publish(&emulator, good_topic, json!({"seq": 1}));
    assert_eq!(next_event(&mut good).await["eventBody"]["seq"], 1);
    assert_eq!(gateway.stats().upstream_topics, 2, "the warm-up's and the good desktop's topics");
}

#[tokio::test]
async fn a_topic_the_platform_rejects_is_refused_and_never_acknowledged() {
    let emulator = emulator(EmulatorOptions::default()).await;
    let upstream = client(client_config(&emulator));
    let Some(other_org) = emulator.credentials().orgs.iter().find(|org| org.name != ORG).map(|org| org.name.clone()) else { panic!("a second org") };
    let foreign_user = first_user(&client(client_config_for(&emulator, &other_org, &emulator.base_url()))).await;
    let own_user = first_user(&upstream).await;
    let gateway = gateway(gateway_config(), upstream.clone()).await;
    let mut desktop = connect(&gateway.url(), &token(&own_user, 60.0)).await;

    let own = format!("v2.users.{own_user}.presence");
    let foreign = format!("v2.users.{foreign_user}.presence");
    send(&mut desktop, json!({"message": "subscribe", "topics": [own, foreign]})).await;
    let mut subscribed = Vec::new();
    let mut refused = Vec::new();
    while subscribed.is_empty() || refused.is_empty() {
        let frame = next_notice(&mut desktop).await;
        match message_of(&frame) {
            Some("subscribed") => subscribed.push(frame["eventBody"]["topics"].clone()),
            Some("error") => {
                let detail = frame["eventBody"]["detail"].as_str().unwrap_or_default().to_string();
                refused.push((frame["eventBody"]["topics"].clone(), detail));
            }
            _ => panic!("unexpected notice {frame}"),
        }
    }
    assert_eq!(subscribed, vec![json!([own])]);
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].0, json!([foreign]));
    assert!(refused[0].1.contains("another organization"), "the platform's reason: {}", refused[0].1);

    let channels = upstream.notifications().channels().await.unwrap_or_default();
    let mut upstream_topics = Vec::new();
    for channel in &channels {
        upstream_topics.extend(upstream.notifications().subscriptions(&channel.id).await.unwrap_or_default().into_iter().map(|topic| topic.id));
    }
    assert_eq!(upstream_topics, vec![own]);
    assert_eq!(gateway.stats().upstream_topics, 1);
}
