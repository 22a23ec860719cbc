//! Every topic the emulator advertises is published: per topic, a real WebSocket subscribed to
//! it receives an event after the action that should trigger it (a presence or routing-status
//! change over REST, a flow action, a placed call, a changed conversation attribute).

use super::notifications::{connect, create_channel, next_event, subscribe};
use super::support::*;
use serde_json::{Value, json};
use switchboard_emulator::RunningEmulator;

/// The templates this file has a test for; `the_advertised_topics_are_the_tested_ones` fails when
/// the emulator advertises a topic that is not here.
const TESTED: &[&str] = &[
    "v2.users.{id}.presence",
    "v2.users.{id}.routingStatus",
    "v2.users.{id}.conversations",
    "v2.users.{id}.conversations.calls",
    "v2.routing.queues.{id}.conversations",
    "v2.routing.queues.{id}.conversations.calls",
    "v2.flows.{id}",
    "v2.conversations.{id}",
];

const ORG: &str = "na-east-1";

async fn ids(org: &OrgClient, path: &str) -> Vec<String> {
    let listing = org.get_json(path).await;
    listing["entities"].as_array().into_iter().flatten().filter_map(|entity| entity["id"].as_str().map(String::from)).collect()
}

/// Subscribes to `topics`, runs `trigger`, and returns the first event on one of them.
async fn first_event_after<F, Fut>(org: &OrgClient, topics: &[String], trigger: F) -> Value
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let (channel, uri) = create_channel(org).await;
    assert_eq!(subscribe(org, &channel, topics).await.status(), 200, "subscribing to {topics:?}");
    let mut socket = connect(&uri, None).await;
    trigger().await;
    loop {
        let event = next_event(&mut socket).await;
        let topic = event["topicName"].as_str().unwrap_or_default();
        if topics.iter().any(|wanted| wanted == topic) {
            return event;
        }
    }
}

/// Places a call on the org's first DID (its flow ends in a queue with agents on queue).
async fn place_call(emulator: &RunningEmulator, org: &OrgClient) -> String {
    let dids = org.get_json("/api/v2/telephony/providers/edges/dids").await;
    let did = dids["entities"][0]["phoneNumber"].as_str().expect("a seeded DID").to_string();
    let placed = super::contact_center::control(
        emulator,
        reqwest::Method::POST,
        "/_emulator/calls",
        Some(json!({"org": ORG, "did": did, "ani": "+15550000042"})),
    )
    .await;
    assert_eq!(placed.status(), 201);
    let placed: Value = placed.json().await.expect("placed call");
    placed["conversationId"].as_str().expect("conversation id").to_string()
}

fn per_id(ids: &[String], template: &str) -> Vec<String> {
    ids.iter().map(|id| template.replace("{id}", id)).collect()
}

#[tokio::test]
async fn the_advertised_topics_are_the_tested_ones() {
    let emulator = start_default().await;
    let org = login(&emulator, ORG).await;
    let mut advertised = ids(&org, "/api/v2/notifications/availabletopics").await;
    advertised.sort();
    let mut tested: Vec<String> = TESTED.iter().map(|topic| (*topic).to_string()).collect();
    tested.sort();
    assert_eq!(advertised, tested, "every advertised topic has a publishing test below, and only those are advertised");
    for unpublished in ["v2.users.u1.activity", "v2.analytics.queues.q1.observations", "v2.conversations.c1.transcription"] {
        let (channel, _) = create_channel(&org).await;
        assert_error(subscribe(&org, &channel, &[unpublished.to_string()]).await, 400, "bad.request").await;
    }
}

#[tokio::test]
async fn presence_changes_arrive_on_the_presence_topic() {
    let emulator = start_default().await;
    let org = login(&emulator, ORG).await;
    let user = ids(&org, "/api/v2/users").await.remove(0);
    let topics = per_id(std::slice::from_ref(&user), "v2.users.{id}.presence");
    let event = first_event_after(&org, &topics, || async {
        let path = format!("/api/v2/users/{user}/presences/PURECLOUD");
        let response = org.call(reqwest::Method::PATCH, &path, Some(json!({"presenceDefinition": {"systemPresence": "Meal"}}))).await;
        assert_eq!(response.status(), 200);
    })
    .await;
    assert_eq!(event["eventBody"]["presenceDefinition"]["systemPresence"], "Meal", "{event}");
}

#[tokio::test]
async fn routing_status_changes_arrive_on_the_routing_status_topic() {
    let emulator = start_default().await;
    let org = login(&emulator, ORG).await;
    let user = ids(&org, "/api/v2/users").await.remove(0);
    let topics = per_id(std::slice::from_ref(&user), "v2.users.{id}.routingStatus");
    let event = first_event_after(&org, &topics, || async {
        let response = org.put(&format!("/api/v2/users/{user}/routingstatus"), json!({"status": "OFF_QUEUE"})).await;
        assert_eq!(response.status(), 200);
    })
    .await;
    assert_eq!(event["eventBody"]["id"], user.as_str(), "{event}");
    assert_eq!(event["eventBody"]["routingStatus"]["status"], "OFF_QUEUE", "{event}");
}

#[tokio::test]
async fn flow_actions_arrive_on_the_flow_topic() {
    let emulator = start_default().await;
    let org = login(&emulator, ORG).await;
    let flow = ids(&org, "/api/v2/flows").await.remove(0);
    let topics = per_id(std::slice::from_ref(&flow), "v2.flows.{id}");
    let event = first_event_after(&org, &topics, || async {
        let response = org.post(&format!("/api/v2/flows/actions/checkout?flow={flow}"), json!({})).await;
        assert!(response.status().is_success(), "checkout: {}", response.status());
    })
    .await;
    assert_eq!(event["eventBody"]["id"], flow.as_str(), "{event}");
    assert!(event["eventBody"]["name"].as_str().is_some_and(|name| !name.is_empty()), "{event}");
    assert!(event["eventBody"]["checkedInVersion"]["id"].is_string(), "{event}");
}

/// A call answered by an agent: its conversation on the agent's (or queue's) topic of `template`.
async fn call_event(template: &str, ids_path: &str) -> Value {
    let emulator = start_default().await;
    let org = login(&emulator, ORG).await;
    let topics = per_id(&ids(&org, ids_path).await, template);
    let event = first_event_after(&org, &topics, || async {
        place_call(&emulator, &org).await;
    })
    .await;
    assert!(event["eventBody"]["participants"].as_array().is_some_and(|participants| !participants.is_empty()), "{event}");
    event
}

#[tokio::test]
async fn an_answered_call_arrives_on_the_agents_conversations_topic() {
    let event = call_event("v2.users.{id}.conversations", "/api/v2/users").await;
    let participants = event["eventBody"]["participants"].as_array().cloned().unwrap_or_default();
    assert!(participants.iter().any(|participant| participant["purpose"] == "agent"), "{event}");
}

#[tokio::test]
async fn an_answered_call_arrives_on_the_agents_calls_topic() {
    let event = call_event("v2.users.{id}.conversations.calls", "/api/v2/users").await;
    let participants = event["eventBody"]["participants"].as_array().cloned().unwrap_or_default();
    assert!(participants.iter().any(|participant| participant["purpose"] == "agent"), "{event}");
}

#[tokio::test]
async fn a_queued_call_arrives_on_the_queues_conversations_topic() {
    call_event("v2.routing.queues.{id}.conversations", "/api/v2/routing/queues").await;
}

#[tokio::test]
async fn a_queued_call_arrives_on_the_queues_calls_topic() {
    call_event("v2.routing.queues.{id}.conversations.calls", "/api/v2/routing/queues").await;
}

#[tokio::test]
async fn a_changed_attribute_arrives_on_the_conversation_topic() {
    let emulator = start_default().await;
    let org = login(&emulator, ORG).await;
    let conversation = place_call(&emulator, &org).await;
    let topics = vec![format!("v2.conversations.{conversation}")];
    let event = first_event_after(&org, &topics, || async {
        let call = org.get_json(&format!("/api/v2/conversations/calls/{conversation}")).await;
        let participants = call["participants"].as_array().cloned().unwrap_or_default();
        let customer = participants.iter().find(|participant| participant["purpose"] == "customer").expect("a customer");
        let participant = customer["id"].as_str().expect("participant id");
        let path = format!("/api/v2/conversations/calls/{conversation}/participants/{participant}/attributes");
        let response = org.call(reqwest::Method::PATCH, &path, Some(json!({"attributes": {"Escalate": "yes"}}))).await;
        assert!(response.status().is_success(), "attributes: {}", response.status());
    })
    .await;
    assert_eq!(event["eventBody"]["id"], conversation.as_str(), "{event}");
}
