//! Token lifecycle: single-flight fetch, background refresh across expiry, refresh-once on 401.

use std::time::Duration;

use futures_util::future::join_all;
use serde_json::json;
use switchboard_emulator::EmulatorOptions;
use switchboard_platform::PlatformExt;
use tokio::time::Instant;

use crate::support::{CHILD, add_fault, client_for, counters, ok, start, start_default};

#[tokio::test]
async fn fifty_concurrent_callers_cause_one_token_request() {
    let emulator = start_default().await;
    let client = client_for(&emulator, CHILD);
    let calls = (0..50).map(|_| {
        let client = client.clone();
        async move { client.orgs().me().await }
    });
    for outcome in join_all(calls).await {
        ok("concurrent me", outcome);
    }
    assert_eq!(counters(&emulator).await.count("POST", "/oauth/token"), 1);
    assert_eq!(client.stats().token_requests, 1);
    emulator.shutdown().await;
}

#[tokio::test]
async fn calls_across_token_expiry_never_see_a_401() {
    let options = EmulatorOptions { token_lifetime: Duration::from_secs(2), ..EmulatorOptions::default() };
    let emulator = start(options).await;
    let client = client_for(&emulator, CHILD);
    // Keep calling for more than two lifetimes; every call must succeed.
    let until = Instant::now() + Duration::from_millis(5_500);
    let mut calls = 0;
    while Instant::now() < until {
        ok("call across expiry", client.queues().list_all().await);
        calls += 1;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let token_requests = counters(&emulator).await.count("POST", "/oauth/token");
    assert!(token_requests >= 3, "expected refreshes across 5.5 s of 2 s tokens, saw {token_requests} token requests in {calls} calls");
    emulator.shutdown().await;
}

#[tokio::test]
async fn a_401_refreshes_the_token_once_and_retries() {
    let emulator = start_default().await;
    let client = client_for(&emulator, CHILD);
    ok("warm up", client.orgs().me().await);
    add_fault(&emulator, json!({"path": "/api/v2/organizations/me", "method": "GET", "status": 401, "count": 1})).await;
    ok("me after 401", client.orgs().me().await);
    assert_eq!(counters(&emulator).await.count("POST", "/oauth/token"), 2, "one fetch, one refresh for the 401");
    // A persistent 401 is surfaced after that single refresh, not looped on.
    add_fault(&emulator, json!({"path": "/api/v2/organizations/me", "method": "GET", "status": 401})).await;
    let error = client.orgs().me().await;
    assert!(matches!(error, Err(switchboard_platform::PlatformError::Unauthorized { .. })), "{error:?}");
    assert_eq!(counters(&emulator).await.count("POST", "/oauth/token"), 3);
    emulator.shutdown().await;
}

/// A target nothing listens on fails within the connect timeout, naming the connection, for the
/// first call and at once for every later one; it used to retry each call for most of a minute.
#[tokio::test]
async fn an_unreachable_target_fails_fast_naming_the_connection() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|listener| listener.local_addr()).map(|address| address.port()).unwrap_or(9);
    let base_url = format!("http://127.0.0.1:{port}");
    let mut config = switchboard_platform::ClientConfig::new(&base_url, "id", "secret");
    config.timeouts.connect = Duration::from_millis(300);
    let client = switchboard_platform::OrgClient::new(config).expect("client");
    for _ in 0..2 {
        let error = client.queues().list_all().await.expect_err("nothing listens there");
        assert!(error.to_string().contains(&format!("cannot connect to {base_url}")), "{error}");
    }
}
