//! Notification channels end to end: REST to create and subscribe, real WebSocket clients
//! (tokio-tungstenite) on the channel's connectUri, events from REST calls and from the hub.

use super::support::*;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::Duration;
use switchboard_emulator::NotificationConfig;
use switchboard_emulator::{EmulatorOptions, RunningEmulator};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Long enough for a loaded CI machine; every wait ends as soon as the message arrives.
const WAIT: Duration = Duration::from_secs(20);

async fn start_with(config: NotificationConfig) -> RunningEmulator {
    start(EmulatorOptions { notifications: config, rate_limit_per_minute: 100_000, ..EmulatorOptions::default() }).await
}

/// Creates a channel and returns `(id, connectUri)`.
pub async fn create_channel(org: &OrgClient) -> (String, String) {
    let response = org.post("/api/v2/notifications/channels", json!({})).await;
    assert_eq!(response.status(), 200);
    let channel: Value = response.json().await.expect("channel JSON");
    let id = channel["id"].as_str().expect("id").to_string();
    let uri = channel["connectUri"].as_str().expect("connectUri").to_string();
    assert!(channel["expires"].as_str().is_some_and(|expires| expires.ends_with('Z')), "{channel}");
    (id, uri)
}

pub async fn subscribe(org: &OrgClient, channel_id: &str, topics: &[String]) -> reqwest::Response {
    let body: Vec<Value> = topics.iter().map(|topic| json!({ "id": topic })).collect();
    org.put(&format!("/api/v2/notifications/channels/{channel_id}/subscriptions"), Value::from(body)).await
}

pub async fn connect(uri: &str, last_event_id: Option<u64>) -> Socket {
    let mut request = uri.into_client_request().expect("connectUri is a WebSocket URI");
    if let Some(id) = last_event_id {
        request.headers_mut().insert("Last-Event-ID", id.to_string().parse().expect("header value"));
    }
    let (socket, _) = tokio_tungstenite::connect_async(request).await.expect("WebSocket connects");
    socket
}

/// The next text message as JSON, or the close frame's code as `Err`.
async fn next_message(socket: &mut Socket) -> Result<Value, u16> {
    loop {
        let message = tokio::time::timeout(WAIT, socket.next()).await.expect("a message within the wait");
        match message {
            Some(Ok(Message::Text(text))) => return Ok(serde_json::from_str(text.as_str()).expect("JSON message")),
            Some(Ok(Message::Close(frame))) => return Err(frame.map_or(1005, |frame| u16::from(frame.code))),
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => return Err(1006),
        }
    }
}

fn is_heartbeat(message: &Value) -> bool {
    message["topicName"] == "channel.metadata" && message["eventBody"]["message"] == "WebSocket Heartbeat"
}

/// The next message that is not a heartbeat; panics on close.
pub async fn next_event(socket: &mut Socket) -> Value {
    loop {
        match next_message(socket).await {
            Ok(message) if is_heartbeat(&message) => continue,
            Ok(message) => return message,
            Err(code) => panic!("socket closed with {code} while an event was expected"),
        }
    }
}

/// Skips messages until the server closes the socket; returns the close code and the events seen.
async fn read_until_closed(socket: &mut Socket) -> (u16, Vec<Value>) {
    let mut seen = Vec::new();
    loop {
        match next_message(socket).await {
            Ok(message) if is_heartbeat(&message) => {}
            Ok(message) => seen.push(message),
            Err(code) => return (code, seen),
        }
    }
}

async fn first_user(org: &OrgClient) -> String {
    let users = org.get_json("/api/v2/users").await;
    users["entities"][0]["id"].as_str().expect("a seeded user").to_string()
}

fn flow_topics(count: usize) -> Vec<String> {
    (0..count).map(|n| format!("v2.flows.flow-{n}")).collect()
}

fn publish(emulator: &RunningEmulator, org: &OrgClient, topic: &str, n: u64) {
    emulator.state().notifications().publish(&org.org_id, topic, &json!({ "n": n }));
}

fn event_id(event: &Value) -> u64 {
    let id = event["id"].as_u64().expect("event id");
    assert_eq!(event["metadata"]["eventId"], id, "{event}");
    id
}

#[tokio::test]
async fn a_routing_status_change_over_rest_arrives_on_the_socket() {
    let emulator = start_with(NotificationConfig::default()).await;
    let org = login(&emulator, "na-east-1").await;
    let user = first_user(&org).await;
    let (channel, uri) = create_channel(&org).await;
    assert!(uri.starts_with(&emulator.base_url().replace("http://", "ws://")), "{uri}");
    let topics = vec![format!("v2.users.{user}.routingStatus"), format!("v2.users.{user}.presence")];
    assert_eq!(subscribe(&org, &channel, &topics).await.status(), 200);
    let listed = org.get_json(&format!("/api/v2/notifications/channels/{channel}/subscriptions")).await;
    let mut listed: Vec<&str> = listed["entities"].as_array().expect("entities").iter().filter_map(|t| t["id"].as_str()).collect();
    listed.sort();
    assert_eq!(listed, vec![topics[1].as_str(), topics[0].as_str()], "listed sorted by name");

    let mut socket = connect(&uri, None).await;
    let response = org.put(&format!("/api/v2/users/{user}/routingstatus"), json!({ "status": "IDLE" })).await;
    assert_eq!(response.status(), 200);
    let mut seen = Vec::new();
    while !seen.iter().any(|event: &Value| event["topicName"] == topics[0]) {
        seen.push(next_event(&mut socket).await);
    }
    let status = seen.iter().find(|event| event["topicName"] == topics[0]).expect("routing status event");
    assert_eq!(status["version"], "2");
    assert_eq!(status["eventBody"]["routingStatus"]["status"], "IDLE");
    assert!(status["metadata"]["CorrelationId"].is_string(), "{status}");
    event_id(status);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_topic_order_holds_over_a_thousand_events_from_concurrent_publishers() {
    let emulator = start_with(NotificationConfig::default()).await;
    let org = login(&emulator, "na-east-1").await;
    let (channel, uri) = create_channel(&org).await;
    let topics = flow_topics(4);
    assert_eq!(subscribe(&org, &channel, &topics).await.status(), 200);
    let mut socket = connect(&uri, None).await;
    let hub = emulator.state().notifications().clone();
    let publishers: Vec<_> = topics
        .iter()
        .map(|topic| {
            let (hub, topic, org_id) = (hub.clone(), topic.clone(), org.org_id.clone());
            tokio::spawn(async move {
                for n in 0..250u64 {
                    hub.publish(&org_id, &topic, &json!({ "n": n }));
                    if n % 25 == 0 {
                        tokio::task::yield_now().await;
                    }
                }
            })
        })
        .collect();
    for publisher in publishers {
        publisher.await.expect("publisher finished");
    }
    let mut next_n = vec![0u64; topics.len()];
    let mut last_id = 0;
    for _ in 0..1000 {
        let event = next_event(&mut socket).await;
        let index = topics.iter().position(|topic| event["topicName"] == *topic).expect("a subscribed topic");
        assert_eq!(event["eventBody"]["n"], next_n[index], "order of {}", topics[index]);
        next_n[index] += 1;
        let id = event_id(&event);
        assert!(id > last_id, "ids increase on a channel: {id} after {last_id}");
        last_id = id;
    }
    assert_eq!(next_n, vec![250; 4]);
}

#[tokio::test]
async fn resuming_with_last_event_id_misses_nothing_and_repeats_nothing() {
    let emulator = start_with(NotificationConfig::default()).await;
    let org = login(&emulator, "na-east-1").await;
    let (channel, uri) = create_channel(&org).await;
    let topic = &flow_topics(1)[0];
    assert_eq!(subscribe(&org, &channel, std::slice::from_ref(topic)).await.status(), 200);

    let mut socket = connect(&uri, None).await;
    for n in 0..10 {
        publish(&emulator, &org, topic, n);
    }
    let mut last_seen = 0;
    for n in 0..5 {
        let event = next_event(&mut socket).await;
        assert_eq!(event["eventBody"]["n"], n);
        last_seen = event_id(&event);
    }
    socket.close(None).await.expect("client close");
    for n in 10..20 {
        publish(&emulator, &org, topic, n);
    }
    // Header form: everything after the 5th event, in order, then live events.
    let mut socket = connect(&uri, Some(last_seen)).await;
    for n in 5..20 {
        let event = next_event(&mut socket).await;
        assert_eq!(event["eventBody"]["n"], n);
        last_seen = event_id(&event);
    }
    publish(&emulator, &org, topic, 20);
    assert_eq!(next_event(&mut socket).await["eventBody"]["n"], 20, "the live event follows the replay, no duplicates");
    drop(socket);

    // Query form, resuming from the replayed id 19.
    publish(&emulator, &org, topic, 21);
    let mut socket = connect(&format!("{uri}?lastEventId={last_seen}"), None).await;
    assert_eq!(next_event(&mut socket).await["eventBody"]["n"], 20);
    assert_eq!(next_event(&mut socket).await["eventBody"]["n"], 21);
}

#[tokio::test]
async fn beyond_the_retention_window_a_gap_message_comes_first() {
    let emulator = start_with(NotificationConfig { retention_events: 5, ..NotificationConfig::default() }).await;
    let org = login(&emulator, "na-east-1").await;
    let (channel, uri) = create_channel(&org).await;
    let topic = &flow_topics(1)[0];
    assert_eq!(subscribe(&org, &channel, std::slice::from_ref(topic)).await.status(), 200);
    let mut socket = connect(&uri, None).await;
    publish(&emulator, &org, topic, 0);
    let first = event_id(&next_event(&mut socket).await);
    socket.close(None).await.expect("client close");
    for n in 1..12 {
        publish(&emulator, &org, topic, n);
    }
    let mut socket = connect(&uri, Some(first)).await;
    let gap = next_event(&mut socket).await;
    assert_eq!(gap["topicName"], "channel.metadata", "{gap}");
    assert_eq!(gap["eventBody"]["message"], "gap");
    assert_eq!(gap["eventBody"]["fromEventId"], first + 1);
    let gap_end = gap["eventBody"]["toEventId"].as_u64().expect("toEventId");
    for n in 7..12 {
        let event = next_event(&mut socket).await;
        assert_eq!(event["eventBody"]["n"], n);
        assert!(event_id(&event) > gap_end);
    }
}

#[tokio::test]
async fn a_thousand_topics_fit_and_the_next_one_is_a_400() {
    let emulator = start_with(NotificationConfig::default()).await;
    let org = login(&emulator, "na-east-1").await;
    let (channel, _) = create_channel(&org).await;
    assert_eq!(subscribe(&org, &channel, &flow_topics(1000)).await.status(), 200);
    let path = format!("/api/v2/notifications/channels/{channel}/subscriptions");
    let one_more = org.post(&path, json!([{ "id": "v2.flows.flow-1000" }])).await;
    assert_error(one_more, 400, "bad.request").await;
    assert_error(subscribe(&org, &channel, &flow_topics(1001)).await, 400, "bad.request").await;
    let listed = org.get_json(&path).await;
    assert_eq!(listed["entities"].as_array().map(Vec::len), Some(1000));
    // A topic that matches no template is refused rather than silently never firing.
    let unknown = org.post(&path, json!([{ "id": "v2.users.someone.mood" }])).await;
    let body = assert_error(unknown, 400, "bad.request").await;
    assert!(body["message"].as_str().is_some_and(|message| message.contains("v2.users.someone.mood")), "{body}");
}

#[tokio::test]
async fn the_twenty_first_channel_removes_the_oldest_unconnected_one() {
    let emulator = start_with(NotificationConfig::default()).await;
    let org = login(&emulator, "na-east-1").await;
    let mut channels = Vec::new();
    for _ in 0..20 {
        channels.push(create_channel(&org).await);
    }
    // The oldest has a socket, so the second oldest (no socket) goes first, as on the real platform.
    let _connected = connect(&channels[0].1, None).await;
    let newest = create_channel(&org).await;
    let listed = org.get_json("/api/v2/notifications/channels").await;
    let ids: Vec<&str> = listed["entities"].as_array().expect("entities").iter().filter_map(|c| c["id"].as_str()).collect();
    assert_eq!(ids.len(), 20);
    assert!(ids.contains(&channels[0].0.as_str()) && ids.contains(&newest.0.as_str()));
    assert!(!ids.contains(&channels[1].0.as_str()));
    let gone = org.get(&format!("/api/v2/notifications/channels/{}/subscriptions", channels[1].0)).await;
    assert_error(gone, 404, "not.found").await;
    assert!(tokio_tungstenite::connect_async(channels[1].1.as_str()).await.is_err(), "a removed channel takes no socket");
    // Another org has its own quota and cannot see these channels.
    let other = login(&emulator, "na-east-2").await;
    let theirs = other.get_json("/api/v2/notifications/channels").await;
    assert_eq!(theirs["entities"].as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn ping_is_answered_with_pong_and_a_second_socket_replaces_the_first() {
    let emulator = start_with(NotificationConfig::default()).await;
    let org = login(&emulator, "na-east-1").await;
    let (channel, uri) = create_channel(&org).await;
    let topic = &flow_topics(1)[0];
    assert_eq!(subscribe(&org, &channel, std::slice::from_ref(topic)).await.status(), 200);
    let mut first = connect(&uri, None).await;
    first.send(Message::text(r#"{"message":"ping"}"#)).await.expect("ping sent");
    let pong = next_event(&mut first).await;
    assert_eq!(pong, json!({ "topicName": "channel.metadata", "eventBody": { "message": "pong" } }));

    let mut second = connect(&uri, None).await;
    let (code, _) = read_until_closed(&mut first).await;
    assert_eq!(code, 4000, "the first socket is closed when a second connects");
    publish(&emulator, &org, topic, 1);
    assert_eq!(next_event(&mut second).await["eventBody"]["n"], 1);
}

#[tokio::test]
async fn heartbeats_arrive_on_the_configured_interval() {
    let config = NotificationConfig { heartbeat_interval: Duration::from_millis(50), ..NotificationConfig::default() };
    let emulator = start_with(config).await;
    let org = login(&emulator, "na-east-1").await;
    let (_, uri) = create_channel(&org).await;
    let mut socket = connect(&uri, None).await;
    for _ in 0..2 {
        let message = next_message(&mut socket).await.expect("a heartbeat, not a close");
        assert_eq!(message, json!({ "topicName": "channel.metadata", "eventBody": { "message": "WebSocket Heartbeat" } }));
    }
}

#[tokio::test]
async fn socket_closing_warns_before_the_channel_expires_and_closes_the_socket() {
    let config = NotificationConfig {
        channel_lifetime: Duration::from_millis(800),
        closing_warning: Duration::from_millis(400),
        ..NotificationConfig::default()
    };
    let emulator = start_with(config).await;
    let org = login(&emulator, "na-east-1").await;
    let (channel, uri) = create_channel(&org).await;
    let mut socket = connect(&uri, None).await;
    let warning = next_event(&mut socket).await;
    assert_eq!(warning["topicName"], "v2.system.socket_closing", "{warning}");
    assert_eq!(warning["eventBody"]["channelId"], channel.as_str());
    let (code, after) = read_until_closed(&mut socket).await;
    assert_eq!((code, after.len()), (1000, 0), "closed at expiry with nothing after the warning: {after:?}");
    let gone = org.get(&format!("/api/v2/notifications/channels/{channel}/subscriptions")).await;
    assert_error(gone, 404, "not.found").await;
}

/// Current-thread runtime: the socket task cannot drain while the test publishes, so a
/// 4-message buffer overflows deterministically.
#[tokio::test(flavor = "current_thread")]
async fn a_slow_consumer_is_dropped_and_resumes_without_loss() {
    let emulator = start_with(NotificationConfig { socket_buffer: 4, ..NotificationConfig::default() }).await;
    let org = login(&emulator, "na-east-1").await;
    let (channel, uri) = create_channel(&org).await;
    let topic = &flow_topics(1)[0];
    assert_eq!(subscribe(&org, &channel, std::slice::from_ref(topic)).await.status(), 200);
    let mut socket = connect(&uri, None).await;
    for n in 0..100 {
        publish(&emulator, &org, topic, n);
    }
    let (code, before) = read_until_closed(&mut socket).await;
    assert_eq!(code, 1013, "closed as a slow consumer");
    assert!(before.len() < 100, "the overflow happened before everything was delivered");
    let mut received: Vec<u64> = before.iter().filter_map(|event| event["eventBody"]["n"].as_u64()).collect();
    let resume_after = before.last().map(event_id).unwrap_or(0);
    let mut socket = connect(&uri, Some(resume_after)).await;
    while received.len() < 100 {
        received.push(next_event(&mut socket).await["eventBody"]["n"].as_u64().expect("n"));
    }
    assert_eq!(received, (0..100).collect::<Vec<u64>>());
}

/// A live call publishes its conversation on the queue's topic: what agent desktops and the
/// bridge consume.
#[tokio::test]
async fn a_live_call_arrives_on_its_queue_conversations_topic() {
    let emulator = start_with(NotificationConfig::default()).await;
    let org = login(&emulator, "na-east-1").await;
    let queues = org.get_json("/api/v2/routing/queues").await;
    let topics: Vec<String> = queues["entities"]
        .as_array()
        .expect("queues")
        .iter()
        .filter_map(|queue| queue["id"].as_str())
        .map(|id| format!("v2.routing.queues.{id}.conversations"))
        .collect();
    let (channel, uri) = create_channel(&org).await;
    assert_eq!(subscribe(&org, &channel, &topics).await.status(), 200);
    let mut socket = connect(&uri, None).await;
    let placed = super::contact_center::control(
        &emulator,
        reqwest::Method::POST,
        "/_emulator/calls",
        Some(json!({"org": "na-east-1", "did": "+13175550000", "ani": "+15550000042"})),
    )
    .await;
    assert_eq!(placed.status(), 201);
    let placed: Value = placed.json().await.expect("placed call");
    let conversation_id = placed["conversationId"].as_str().expect("conversation id").to_string();
    let event = loop {
        let event = next_event(&mut socket).await;
        if event["eventBody"]["id"] == conversation_id.as_str() {
            break event;
        }
    };
    let topic = event["topicName"].as_str().unwrap_or_default().to_string();
    assert!(topics.contains(&topic), "the event came on a queue topic: {topic}");
    let participants = event["eventBody"]["participants"].as_array().expect("participants");
    assert!(participants.iter().any(|participant| participant["purpose"] == "customer"), "{event}");
    emulator.shutdown().await;
}
