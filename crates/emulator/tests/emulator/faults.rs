//! Fault injection: status with count, probability 0 and 1, connection reset, list/delete,
//! and the request counters that prove what reached the server.

use super::support::*;
use serde_json::{Value, json};

async fn add_rule(emulator: &switchboard_emulator::RunningEmulator, rule: Value) -> Value {
    let base = emulator.base_url();
    let response = emulator.control_client().post(format!("{base}/_emulator/faults")).json(&rule).send().await.expect("send");
    assert_eq!(response.status(), 201);
    response.json().await.expect("json")
}

#[tokio::test]
async fn a_status_rule_with_a_count_faults_exactly_that_many_matching_requests() {
    let emulator = start_default().await;
    let base = emulator.base_url();
    let east = login(&emulator, "na-east-1").await;
    let europe = login(&emulator, "eu-central-1").await;
    let rule = add_rule(&emulator, json!({"org": "na-east-1", "method": "GET", "path": "/api/v2/routing/queues", "status": 503, "retryAfterSeconds": 2, "count": 2})).await;
    assert_eq!(rule["id"], "fault-1");

    // Another org and another path are not matched.
    assert_eq!(europe.get("/api/v2/routing/queues").await.status(), 200);
    assert_eq!(east.get("/api/v2/organizations/me").await.status(), 200);
    for _ in 0..2 {
        let faulted = east.get("/api/v2/routing/queues").await;
        assert_eq!(faulted.headers()["retry-after"], "2");
        assert_error(faulted, 503, "service.unavailable").await;
    }
    assert_eq!(east.get("/api/v2/routing/queues").await.status(), 200);

    let listed: Value = emulator.control_client().get(format!("{base}/_emulator/faults")).send().await.expect("send").json().await.expect("json");
    assert_eq!(listed["rules"][0]["applied"], 2);
    assert_eq!(listed["rules"][0]["remaining"], 0);

    let counters: switchboard_api::emulator::RequestCounters =
        emulator.control_client().get(format!("{base}/_emulator/counters")).send().await.expect("send").json().await.expect("json");
    assert_eq!(counters.count("GET", "/api/v2/routing/queues"), 4);
    let east_count: u64 = counters.counters.iter().filter(|counter| counter.org == east.org_id && counter.path == "/api/v2/routing/queues").map(|counter| counter.count).sum();
    assert_eq!(east_count, 3);
}

#[tokio::test]
async fn probability_zero_never_fires_and_one_always_fires_and_rules_can_be_deleted() {
    let emulator = start_default().await;
    let base = emulator.base_url();
    let client = login(&emulator, "na-east-2").await;
    add_rule(&emulator, json!({"id": "never", "path": "/api/v2/users", "status": 500, "probability": 0.0})).await;
    add_rule(&emulator, json!({"id": "always", "path": "/api/v2/routing/**", "status": 502, "probability": 1.0})).await;
    for _ in 0..20 {
        assert_eq!(client.get("/api/v2/users").await.status(), 200);
        assert_eq!(client.get("/api/v2/routing/queues").await.status(), 502);
    }
    let http = emulator.control_client();
    assert_eq!(http.delete(format!("{base}/_emulator/faults/always")).send().await.expect("send").status(), 204);
    assert_eq!(client.get("/api/v2/routing/queues").await.status(), 200);
    assert_eq!(http.delete(format!("{base}/_emulator/faults/always")).send().await.expect("send").status(), 404);
    assert_eq!(http.delete(format!("{base}/_emulator/faults")).send().await.expect("send").status(), 204);
    let listed: Value = emulator.control_client().get(format!("{base}/_emulator/faults")).send().await.expect("send").json().await.expect("json");
    assert_eq!(listed["rules"], json!([]));
}

#[tokio::test]
async fn a_reset_rule_closes_the_connection_without_an_answer() {
    let emulator = start_default().await;
    let base = emulator.base_url();
    let client = login(&emulator, "na-east-1").await;
    add_rule(&emulator, json!({"path": "/api/v2/organizations/me", "reset": true, "count": 1})).await;
    let outcome = client.http.get(format!("{base}/api/v2/organizations/me")).bearer_auth(&client.token).send().await;
    let error = outcome.expect_err("the connection is reset, no response");
    assert!(!error.is_timeout(), "{error}");
    // The rule's count is used up: the next request is answered.
    assert_eq!(client.get("/api/v2/organizations/me").await.status(), 200);

    // `/_emulator/reset` clears rules and counters.
    add_rule(&emulator, json!({"path": "/**", "status": 500})).await;
    assert_eq!(emulator.control_client().post(format!("{base}/_emulator/reset")).send().await.expect("send").status(), 204);
    assert_eq!(client.get("/api/v2/organizations/me").await.status(), 200);
    let counters: switchboard_api::emulator::RequestCounters =
        emulator.control_client().get(format!("{base}/_emulator/counters")).send().await.expect("send").json().await.expect("json");
    assert_eq!(counters.count("GET", "/api/v2/organizations/me"), 1);
}

#[tokio::test]
async fn a_hang_rule_holds_the_request_until_the_client_gives_up_and_latency_still_answers() {
    let emulator = start_default().await;
    let base = emulator.base_url();
    let client = login(&emulator, "na-east-1").await;
    add_rule(&emulator, json!({"path": "/api/v2/users", "hang": true, "count": 1})).await;
    let hung = client
        .http
        .get(format!("{base}/api/v2/users"))
        .bearer_auth(&client.token)
        .timeout(std::time::Duration::from_millis(300))
        .send()
        .await;
    assert!(hung.expect_err("no answer").is_timeout());

    add_rule(&emulator, json!({"path": "/api/v2/routing/queues", "latencyMs": 20, "jitterMs": 10, "seed": 7})).await;
    assert_eq!(client.get("/api/v2/routing/queues").await.status(), 200);
    let metrics = reqwest::get(format!("{base}/metrics")).await.expect("send").text().await.expect("text");
    assert!(metrics.contains("switchboard_emulator_faults_applied_total{kind=\"hang\"} 1"), "{metrics}");
    assert!(metrics.contains("switchboard_emulator_faults_applied_total{kind=\"latency\"} 1"), "{metrics}");
}

/// The control API answers loopback peers only. A second host is simulated by giving the
/// in-process router the peer address a remote connection would carry.
#[tokio::test]
async fn the_control_api_refuses_non_loopback_peers() {
    use axum::extract::ConnectInfo;
    use tower::ServiceExt;
    let emulator = start_default().await;
    let ask = |peer: &str| {
        let mut request = axum::http::Request::builder()
            .uri("/_emulator/faults")
            .header(switchboard_api::emulator::CONTROL_TOKEN_HEADER, emulator.control_token())
            .body(axum::body::Body::empty())
            .expect("request");
        request.extensions_mut().insert(ConnectInfo(peer.parse::<std::net::SocketAddr>().expect("address")));
        switchboard_emulator::app(emulator.state()).oneshot(request)
    };
    let remote = ask("10.1.2.3:40000").await.expect("answer");
    assert_eq!(remote.status(), 403);
    let local = ask("127.0.0.1:40000").await.expect("answer");
    assert_eq!(local.status(), 200);
    let local_v6 = ask("[::1]:40000").await.expect("answer");
    assert_eq!(local_v6.status(), 200);
    emulator.shutdown().await;
}
