//! Regression tests for the bad-input probe of issue 6: each test replays a measured defect
//! (panic, freeze, unbounded growth, overflow, a rejection without the Genesys body) against a
//! real server and asserts the fixed behaviour.

use super::contact_center::control;
use super::support::*;
use reqwest::Method;
use serde_json::{Value, json};
use switchboard_api::emulator::RequestCounters;

/// The default topology's first routed number (see default_topology.rs).
const DEFAULT_DID: &str = "+13175550000";

#[tokio::test]
async fn speed_ups_that_panicked_a_call_task_are_a_400_naming_speed_up() {
    let emulator = start_default().await;
    for speed_up in [json!(1e-20), json!(1e-300), json!(5e-324), json!(-1.0), json!(0), json!(1e30)] {
        let body = json!({"org": "na-east-1", "did": DEFAULT_DID, "speedUp": speed_up, "noWait": true});
        let response = control(&emulator, Method::POST, "/_emulator/calls", Some(body)).await;
        let error = assert_error(response, 400, "bad.request").await;
        assert!(error["message"].as_str().is_some_and(|message| message.contains("speedUp")), "{error}");
    }
    assert_eq!(emulator.state().contact_center().live_call_count(), 0, "a refused call is never placed");
    let absurd_wait = json!({"org": "na-east-1", "did": DEFAULT_DID, "timeoutMs": u64::MAX});
    let error = assert_error(control(&emulator, Method::POST, "/_emulator/calls", Some(absurd_wait)).await, 400, "invalid.value").await;
    assert!(error["message"].as_str().is_some_and(|message| message.starts_with("timeoutMs")), "{error}");
}

#[tokio::test]
async fn absurd_traffic_rates_are_refused_and_start_no_stream() {
    let emulator = start_default().await;
    for (field, value) in [("callsPerMinute", 1e30), ("callsPerMinute", 1e308), ("callsPerHour", 1e20), ("callsPerMinute", -1.0)] {
        let body = json!({"org": "na-east-1", "did": DEFAULT_DID, field: value});
        let error = assert_error(control(&emulator, Method::POST, "/_emulator/traffic", Some(body)).await, 400, "bad.request").await;
        assert!(error["message"].as_str().is_some_and(|message| message.contains(field)), "{error}");
    }
    // Each part in range, but together 6000 × 100,000 / 60 calls a second.
    let body = json!({"org": "na-east-1", "did": DEFAULT_DID, "callsPerMinute": 6000, "speedUp": 100000});
    assert_error(control(&emulator, Method::POST, "/_emulator/traffic", Some(body)).await, 400, "bad.request").await;
    let body = json!({"org": "na-east-1", "did": DEFAULT_DID, "callsPerMinute": 1e-20, "speedUp": 1e-20});
    assert_error(control(&emulator, Method::POST, "/_emulator/traffic", Some(body)).await, 400, "bad.request").await;
    let listed: Value = control(&emulator, Method::GET, "/_emulator/traffic", None).await.json().await.expect("list");
    assert_eq!(listed["streams"], json!([]));
}

#[tokio::test]
async fn a_huge_glob_is_refused_and_faults_beyond_the_delay_limit_too() {
    let emulator = start_default().await;
    let stars = json!({"path": format!("/{}", "*".repeat(20_000)), "status": 503});
    let error = assert_error(control(&emulator, Method::POST, "/_emulator/faults", Some(stars)).await, 400, "invalid.value").await;
    assert!(error["message"].as_str().is_some_and(|message| message.starts_with("path")), "{error}");
    let wrapping = json!({"path": "/**", "latencyMs": u64::MAX, "jitterMs": 10});
    let error = assert_error(control(&emulator, Method::POST, "/_emulator/faults", Some(wrapping)).await, 400, "invalid.value").await;
    assert!(error["message"].as_str().is_some_and(|message| message.contains("latencyMs")), "{error}");
    let listed: Value = control(&emulator, Method::GET, "/_emulator/faults", None).await.json().await.expect("list");
    assert_eq!(listed["rules"], json!([]));
}

#[tokio::test]
async fn counters_are_keyed_by_route_template_so_distinct_paths_do_not_grow_them() {
    let emulator = start_default().await;
    let client = login(&emulator, "na-east-1").await;
    let http = reqwest::Client::new();
    for index in 0..200 {
        let response = http.get(format!("{}/nowhere/{index}/{}", emulator.base_url(), "x".repeat(400))).send().await.expect("send");
        assert_eq!(response.status(), 404);
        assert_eq!(client.get(&format!("/api/v2/routing/queues/no-such-queue-{index}")).await.status(), 404);
    }
    let counters: RequestCounters = control(&emulator, Method::GET, "/_emulator/counters", None).await.json().await.expect("counters");
    assert_eq!(counters.count("GET", "unmatched"), 200);
    assert_eq!(counters.count("GET", "/api/v2/routing/queues/{id}"), 200);
    assert!(counters.counters.len() < 10, "{} counter rows", counters.counters.len());
    let invented = http.request(Method::from_bytes(b"BREW").expect("method"), format!("{}/api/v2/x", emulator.base_url())).send().await;
    assert_eq!(invented.expect("send").status(), 404);
    let counters: RequestCounters = control(&emulator, Method::GET, "/_emulator/counters", None).await.json().await.expect("counters");
    assert_eq!(counters.count("OTHER", "unmatched"), 1, "invented methods share one key");
}

#[tokio::test]
async fn overflowing_granularities_are_a_400_naming_granularity() {
    let emulator = start_default().await;
    let client = login(&emulator, "na-east-1").await;
    for granularity in ["PT9223372036854775807S", "P106751991167W"] {
        let query = json!({"interval": "2024-01-15T00:00:00Z/2024-01-16T00:00:00Z", "granularity": granularity, "metrics": ["nOffered"]});
        let response = client.post("/api/v2/analytics/conversations/aggregates/query", query).await;
        let status = response.status().as_u16();
        let body: Value = response.json().await.expect("error body");
        assert_eq!(status, 400, "{body}");
        assert!(body["message"].as_str().is_some_and(|message| message.contains("granularity")), "{body}");
    }
}

#[tokio::test]
async fn every_rejection_has_the_genesys_error_body() {
    let emulator = start_default().await;
    let client = login(&emulator, "na-east-1").await;
    let base = emulator.base_url();
    // Wrong method on an API route, a control route and the token endpoint.
    let body = assert_error(client.call(Method::DELETE, "/api/v2/routing/queues", None).await, 405, "bad.request").await;
    assert!(body["message"].as_str().is_some_and(|message| message.contains("method")), "{body}");
    assert_error(control(&emulator, Method::PUT, "/health", None).await, 405, "bad.request").await;
    assert_error(reqwest::Client::new().get(format!("{base}/oauth/token")).send().await.expect("send"), 405, "bad.request").await;
    // Bad percent-encoding and control characters in a path parameter.
    assert_error(client.get("/api/v2/users/%FF%FE").await, 400, "bad.request").await;
    assert_error(client.get("/api/v2/users/a%00b").await, 400, "invalid.value").await;
    // A path over the limit (hyper refuses over 64 KiB itself, before any of our code).
    let long = format!("/api/v2/users/{}", "a".repeat(20_000));
    assert_error(client.get(&long).await, 414, "bad.request").await;
    // A body over the limit.
    let huge = json!({"name": "Big", "description": "x".repeat(3 * 1024 * 1024)});
    assert_error(client.post("/api/v2/routing/queues", huge).await, 413, "bad.request").await;
    // A body that is not JSON at all.
    let response = client
        .http
        .post(format!("{base}/api/v2/routing/queues"))
        .bearer_auth(&client.token)
        .header("content-type", "text/plain")
        .body("name=x")
        .send()
        .await
        .expect("send");
    assert_error(response, 415, "bad.request").await;
}

#[tokio::test]
async fn a_websocket_route_without_upgrade_headers_is_a_400_with_the_body() {
    let emulator = start_default().await;
    let client = login(&emulator, "na-east-1").await;
    let channel: Value = client.post("/api/v2/notifications/channels", json!({})).await.json().await.expect("channel");
    let uri = channel["connectUri"].as_str().expect("connectUri").replace("ws://", "http://");
    let response = reqwest::Client::new().get(uri).send().await.expect("send");
    assert_error(response, 400, "bad.request").await;
}

#[tokio::test]
async fn long_names_and_control_characters_are_refused_and_store_nothing() {
    let emulator = start_default().await;
    let client = login(&emulator, "na-east-1").await;
    let before = client.get_json("/api/v2/routing/queues?pageSize=100").await["total"].clone();
    let cases = [
        json!({"name": "x".repeat(100_000)}),
        json!({"name": "nul\u{0}name"}),
        json!({"name": "ok", "description": "bell\u{7}"}),
    ];
    for body in cases {
        let error = assert_error(client.post("/api/v2/routing/queues", body).await, 400, "invalid.value").await;
        assert!(error["message"].as_str().is_some_and(|message| message.contains("name") || message.contains("description")), "{error}");
    }
    assert_eq!(client.get_json("/api/v2/routing/queues?pageSize=100").await["total"], before);
}

#[tokio::test]
async fn a_flow_version_with_a_wrongly_typed_block_field_is_a_400_naming_block_and_field() {
    let emulator = start_default().await;
    let client = login(&emulator, "na-east-1").await;
    let created: Value = client.post("/api/v2/flows", json!({"name": "Typed IVR", "type": "inboundcall"})).await.json().await.expect("flow");
    let flow_id = created["id"].as_str().expect("id");
    let definition = json!({
        "name": "Typed IVR",
        "start": "greet",
        "blocks": {
            "greet": {"type": "play", "prompt": "Hello", "next": "to_queue"},
            "to_queue": {"type": "transfer_to_queue", "queue": 12345}
        }
    });
    let response = client.post(&format!("/api/v2/flows/{flow_id}/versions"), definition).await;
    let error = assert_error(response, 400, "invalid.value").await;
    let message = error["message"].as_str().unwrap_or_default();
    assert!(message.starts_with("blocks.to_queue.queue:"), "{message}");
    // A field of the wrong JSON type for its serde type is named by its path too.
    let wrong = json!({"name": "Typed IVR", "start": "greet", "blocks": {"greet": {"type": "play", "prompt": "Hi", "duration_ms": "long", "next": "greet"}}});
    let error = assert_error(client.post(&format!("/api/v2/flows/{flow_id}/versions"), wrong).await, 400, "bad.request").await;
    assert!(error["message"].as_str().is_some_and(|message| message.contains("blocks.greet")), "{error}");
    let versions = client.get_json(&format!("/api/v2/flows/{flow_id}/versions")).await;
    assert_eq!(versions["total"], 0, "{versions}");
}

#[tokio::test]
async fn a_channel_cannot_subscribe_to_another_orgs_user_or_queue() {
    let emulator = start_default().await;
    let home = login(&emulator, "na-east-1").await;
    let other = login(&emulator, "eu-central-1").await;
    let foreign_user = other.get_json("/api/v2/users").await["entities"][0]["id"].as_str().expect("a user").to_string();
    let foreign_queue = other.get_json("/api/v2/routing/queues").await["entities"][0]["id"].as_str().expect("a queue").to_string();
    let own_user = home.get_json("/api/v2/users").await["entities"][0]["id"].as_str().expect("a user").to_string();
    let channel: Value = home.post("/api/v2/notifications/channels", json!({})).await.json().await.expect("channel");
    let channel_id = channel["id"].as_str().expect("id");
    let path = format!("/api/v2/notifications/channels/{channel_id}/subscriptions");
    let topics = json!([
        {"id": format!("v2.users.{own_user}.presence")},
        {"id": format!("v2.users.{foreign_user}.presence")},
        {"id": format!("v2.routing.queues.{foreign_queue}.conversations")},
    ]);
    let answer: Value = home.put(&path, topics).await.json().await.expect("listing");
    let state_of = |topic: String| answer["entities"].as_array().and_then(|entities| entities.iter().find(|entity| entity["id"] == topic.as_str()).cloned());
    assert_eq!(state_of(format!("v2.users.{own_user}.presence")).map(|entity| entity["state"].clone()), Some(json!("Permitted")));
    let refused = state_of(format!("v2.users.{foreign_user}.presence")).expect("answered");
    assert_eq!(refused["state"], "Rejected", "{answer}");
    assert!(refused["rejectionReason"].is_string(), "{answer}");
    assert_eq!(state_of(format!("v2.routing.queues.{foreign_queue}.conversations")).map(|entity| entity["state"].clone()), Some(json!("Rejected")));
    let listed = home.get_json(&path).await;
    assert_eq!(listed["entities"].as_array().map(Vec::len), Some(1), "only the own topic is subscribed: {listed}");
}
