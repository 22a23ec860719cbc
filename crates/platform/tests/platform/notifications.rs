//! Notification channels through the client: create, list, subscribe (shorthand, union,
//! replace), the 1,000-topic limit, unknown topics, and unsubscribing.

use switchboard_platform::api::notifications::MAX_TOPICS_PER_CHANNEL;
use switchboard_platform::{PlatformError, PlatformExt};

use crate::support::{CHILD, client_for, ok, start_default};

fn ids(topics: &[switchboard_platform::api::notifications::ChannelTopic]) -> Vec<&str> {
    topics.iter().map(|topic| topic.id.as_str()).collect()
}

#[tokio::test]
async fn channels_are_created_listed_and_subscribed() {
    let emulator = start_default().await;
    let client = client_for(&emulator, CHILD);
    let channel = ok("create", client.notifications().create_channel().await);
    assert!(channel.connect_uri.starts_with("ws://") && channel.connect_uri.ends_with(&channel.id), "{channel:?}");
    let channels = ok("channels", client.notifications().channels().await);
    assert!(channels.iter().any(|listed| listed.id == channel.id), "{channels:?}");

    let available = ok("topics", client.notifications().available_topics().await);
    assert!(available.iter().any(|topic| topic.id == "v2.users.{id}.presence"), "{available:?}");

    let added = ok("subscribe", client.notifications().subscribe(&channel.id, &["v2.users.u1?presence&routingStatus"]).await);
    assert_eq!(ids(&added), ["v2.users.u1.presence", "v2.users.u1.routingStatus"]);
    let again = ok("subscribe again", client.notifications().subscribe(&channel.id, &["v2.users.u1.presence", "v2.flows.f1"]).await);
    assert_eq!(ids(&again), ["v2.flows.f1", "v2.users.u1.presence", "v2.users.u1.routingStatus"], "a union");
    let listed = ok("subscriptions", client.notifications().subscriptions(&channel.id).await);
    assert_eq!(ids(&listed), ids(&again));

    let replaced = ok("replace", client.notifications().replace_subscriptions(&channel.id, &["v2.flows.f2"]).await);
    assert_eq!(ids(&replaced), ["v2.flows.f2"]);
    let typo = client.notifications().subscribe(&channel.id, &["v2.users.u1.presense"]).await;
    assert!(matches!(typo, Err(PlatformError::BadRequest { .. })), "{typo:?}");

    ok("unsubscribe", client.notifications().unsubscribe_all(&channel.id).await);
    assert!(ok("subscriptions after", client.notifications().subscriptions(&channel.id).await).is_empty());
    let unknown = client.notifications().subscriptions("no-such-channel").await;
    assert!(matches!(unknown, Err(PlatformError::NotFound { .. })), "{unknown:?}");
    emulator.shutdown().await;
}

#[tokio::test]
async fn the_1001st_topic_is_a_bad_request() {
    let emulator = start_default().await;
    let client = client_for(&emulator, CHILD);
    let channel = ok("create", client.notifications().create_channel().await);
    let names: Vec<String> = (0..=MAX_TOPICS_PER_CHANNEL).map(|index| format!("v2.users.user-{index}.presence")).collect();
    let (first_thousand, last) = names.split_at(MAX_TOPICS_PER_CHANNEL);
    let all: Vec<&str> = names.iter().map(String::as_str).collect();

    let too_many = client.notifications().replace_subscriptions(&channel.id, &all).await;
    assert!(matches!(too_many, Err(PlatformError::BadRequest { .. })), "1,001 at once: {too_many:?}");

    let thousand: Vec<&str> = first_thousand.iter().map(String::as_str).collect();
    let full = ok("1,000 topics", client.notifications().replace_subscriptions(&channel.id, &thousand).await);
    assert_eq!(full.len(), MAX_TOPICS_PER_CHANNEL);
    let one_more: Vec<&str> = last.iter().map(String::as_str).collect();
    let overflow = client.notifications().subscribe(&channel.id, &one_more).await;
    assert!(matches!(overflow, Err(PlatformError::BadRequest { .. })), "the 1,001st: {overflow:?}");
    assert_eq!(ok("after", client.notifications().subscriptions(&channel.id).await).len(), MAX_TOPICS_PER_CHANNEL, "nothing changed");
    emulator.shutdown().await;
}
