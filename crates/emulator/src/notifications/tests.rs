//! Hub unit tests: limits, the topic index, replay and gaps, without sockets.

use super::*;
use super::hub::NotificationError;
use super::topic::{expand as expand_topic, is_known as is_known_topic};
use serde_json::json;
use std::time::Duration;

fn hub(config: NotificationConfig) -> NotificationHub {
    NotificationHub::new(config, crate::clock::Clock::new())
}

fn topics(names: &[&str]) -> Vec<String> {
    names.iter().map(|name| name.to_string()).collect()
}

#[test]
fn topic_names_follow_the_templates() {
    for good in ["v2.users.abc-1.presence", "v2.routing.queues.q_1.conversations.calls", "v2.flows.f1"] {
        assert!(is_known_topic(good), "{good}");
    }
    for bad in ["v2.users.presence", "v2.users.a.b.presence", "v2.flows.", "v2.users.x.presense", "v2.flows.a b"] {
        assert!(!is_known_topic(bad), "{bad}");
    }
    assert_eq!(expand_topic("v2.users.u?presence&routingStatus"), topics(&["v2.users.u.presence", "v2.users.u.routingStatus"]));
}

#[test]
fn unknown_topics_are_all_named_and_nothing_is_subscribed() {
    let hub = hub(NotificationConfig::default());
    let channel = hub.create_channel("org", "client");
    let error = hub
        .subscribe("org", "client", &channel.id, &topics(&["v2.users.a.presence", "v2.nope.x", "v2.users.b.mood"]), true)
        .err();
    assert_eq!(error, Some(NotificationError::UnknownTopics(topics(&["v2.nope.x", "v2.users.b.mood"]))));
    assert_eq!(hub.subscriptions("org", "client", &channel.id), Ok(vec![]));
}

#[test]
fn a_channel_holds_at_most_the_topic_limit() {
    let hub = hub(NotificationConfig { max_topics_per_channel: 3, ..NotificationConfig::default() });
    let channel = hub.create_channel("org", "client");
    let three = topics(&["v2.flows.a", "v2.flows.b", "v2.flows.c"]);
    assert_eq!(hub.subscribe("org", "client", &channel.id, &three, true).map(|t| t.len()), Ok(3));
    let error = hub.subscribe("org", "client", &channel.id, &topics(&["v2.flows.d"]), false);
    assert!(matches!(error, Err(NotificationError::TooManyTopics { requested: 4, limit: 3, .. })), "{error:?}");
    // Replacing with three others is within the limit, and the index follows the replacement.
    let others = topics(&["v2.flows.d", "v2.flows.e", "v2.flows.f"]);
    assert_eq!(hub.subscribe("org", "client", &channel.id, &others, true), Ok(others.clone()));
    assert!(!hub.has_subscribers("org", "v2.flows.a"));
    assert!(hub.has_subscribers("org", "v2.flows.d"));
}

#[test]
fn the_channel_after_the_limit_removes_the_least_recently_used() {
    let hub = hub(NotificationConfig { max_channels_per_client: 3, ..NotificationConfig::default() });
    let ids: Vec<String> = (0..3).map(|_| hub.create_channel("org", "client").id).collect();
    // Touching the first makes the second the least recently used.
    hub.subscribe("org", "client", &ids[0], &topics(&["v2.flows.a"]), true).ok();
    let newest = hub.create_channel("org", "client").id;
    let listed: Vec<String> = hub.list_channels("org", "client").into_iter().map(|info| info.id).collect();
    assert_eq!(listed, vec![ids[0].clone(), ids[2].clone(), newest]);
    assert!(matches!(hub.subscriptions("org", "client", &ids[1]), Err(NotificationError::ChannelNotFound(_))));
    // Another client of the same org has its own quota and cannot see these channels.
    assert!(hub.list_channels("org", "other").is_empty());
    assert!(hub.subscriptions("org", "other", &ids[0]).is_err());
}

#[test]
fn publish_reaches_only_subscribers_of_the_same_org() {
    let hub = hub(NotificationConfig::default());
    let a = hub.create_channel("org-a", "client").id;
    let b = hub.create_channel("org-b", "client").id;
    hub.subscribe("org-a", "client", &a, &topics(&["v2.flows.f"]), true).ok();
    hub.subscribe("org-b", "client", &b, &topics(&["v2.flows.g"]), true).ok();
    assert_eq!(hub.publish("org-a", "v2.flows.f", &json!({"id": "f"})), 1);
    assert_eq!(hub.publish("org-b", "v2.flows.f", &json!({"id": "f"})), 0);
    assert_eq!(hub.publish("org-a", "v2.flows.g", &json!({"id": "g"})), 0);
}

fn replay_texts(hub: &NotificationHub, channel_id: &str, last: u64) -> (Option<(u64, u64)>, Vec<u64>) {
    let attached = hub.attach(channel_id, Some(last)).ok();
    let replay = attached.and_then(|attached| attached.replay);
    let Some(replay) = replay else { return (None, vec![]) };
    let ids = replay
        .events
        .iter()
        .filter_map(|text| serde_json::from_str::<serde_json::Value>(text.as_str()).ok())
        .filter_map(|event| event["id"].as_u64())
        .collect();
    (replay.gap, ids)
}

#[test]
fn replay_returns_what_followed_the_last_event_id_and_a_gap_beyond_retention() {
    let hub = hub(NotificationConfig { retention_events: 5, ..NotificationConfig::default() });
    let channel = hub.create_channel("org", "client").id;
    hub.subscribe("org", "client", &channel, &topics(&["v2.flows.f"]), true).ok();
    for n in 0..8 {
        hub.publish("org", "v2.flows.f", &json!({ "n": n }));
    }
    // Ids 1..=8 were published; the window holds 4..=8.
    assert_eq!(replay_texts(&hub, &channel, 5), (None, vec![6, 7, 8]));
    assert_eq!(replay_texts(&hub, &channel, 3), (None, vec![4, 5, 6, 7, 8]));
    assert_eq!(replay_texts(&hub, &channel, 1), (Some((2, 3)), vec![4, 5, 6, 7, 8]));
    assert_eq!(replay_texts(&hub, &channel, 8), (None, vec![]));
}

#[test]
fn replay_window_also_ends_by_age() {
    use super::channel::EventLog;
    use tokio::time::Instant;
    let mut log = EventLog::new(100, Duration::from_secs(60));
    let start = Instant::now();
    for id in 1..=3 {
        log.push(id, start + Duration::from_secs(id * 20), format!("{id}").into());
    }
    // At +90 s the event logged at +20 s is past the 60 s window; those at +40 s and +60 s are not.
    let replay = log.since(0, start + Duration::from_secs(90));
    assert_eq!(replay.gap, Some((1, 1)));
    let texts: Vec<&str> = replay.events.iter().map(|text| text.as_str()).collect();
    assert_eq!(texts, vec!["2", "3"]);
    assert_eq!(log.since(1, start + Duration::from_secs(90)).gap, None);
}

#[test]
fn expired_channels_disappear_and_stop_receiving() {
    let hub = hub(NotificationConfig { channel_lifetime: Duration::ZERO, ..NotificationConfig::default() });
    let channel = hub.create_channel("org", "client").id;
    assert!(hub.list_channels("org", "client").is_empty());
    assert!(matches!(hub.subscribe("org", "client", &channel, &topics(&["v2.flows.f"]), true), Err(NotificationError::ChannelNotFound(_))));
    assert_eq!(hub.publish("org", "v2.flows.f", &json!({})), 0);
}

#[test]
fn strict_mode_sends_no_event_ids() {
    let hub = hub(NotificationConfig { strict: true, ..NotificationConfig::default() });
    let channel = hub.create_channel("org", "client").id;
    hub.subscribe("org", "client", &channel, &topics(&["v2.flows.f"]), true).ok();
    let attached = hub.attach(&channel, None);
    assert_eq!(hub.publish("org", "v2.flows.f", &json!({"x": 1})), 1);
    let mut receiver = match attached {
        Ok(attached) => attached.receiver,
        Err(error) => panic!("attach failed: {error}"),
    };
    let text = receiver.try_recv().map(|text| text.as_str().to_string()).unwrap_or_default();
    let event: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    assert_eq!(event["topicName"], "v2.flows.f");
    assert_eq!(event["version"], "2");
    assert_eq!(event["eventBody"], json!({"x": 1}));
    assert!(event.get("id").is_none() && event["metadata"].get("eventId").is_none(), "{event}");
    assert!(event["metadata"]["CorrelationId"].is_string());
}
