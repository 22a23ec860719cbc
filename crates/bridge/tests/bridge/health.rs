//! `/health/live`, `/health/ready` and `/metrics`: ready only with a token, a store and
//! migrations; live regardless; no secret anywhere in the metrics.

use crate::support::*;
use std::time::Duration;

async fn get(url: String) -> (u16, String) {
    let response = reqwest::get(url).await.expect("request");
    (response.status().as_u16(), response.text().await.expect("body"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ready_with_token_store_and_migrations_and_metrics_hold_no_secret() {
    let emulator = emulator().await;
    let dir = TempDir::new("health");
    let env = bridge_env(&emulator, &format!("sqlite://{}", dir.path("state.db").display()));
    let secret = env["BRIDGE_CLIENT_SECRET"].clone();
    let bridge = start_bridge(config(&env)).await.expect("bridge");
    let base = format!("http://{}", bridge.addr());
    assert_eq!(get(format!("{base}/health/live")).await.0, 200);
    let started = std::time::Instant::now();
    let body = loop {
        let (status, body) = get(format!("{base}/health/ready")).await;
        if status == 200 {
            break body;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "never ready: {body}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let ready: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(ready["migrations"], true);
    assert_eq!(ready["store"], true);
    let (status, metrics) = get(format!("{base}/metrics")).await;
    assert_eq!(status, 200);
    assert!(metrics.contains("switchboard_bridge_events_total"), "{metrics}");
    assert!(!metrics.contains(&secret));
    bridge.drain().await.expect("drain");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_token_the_bridge_is_live_but_not_ready() {
    let emulator = emulator().await;
    let dir = TempDir::new("health-unready");
    let mut env = bridge_env(&emulator, &format!("sqlite://{}", dir.path("state.db").display()));
    env.insert("BRIDGE_CLIENT_SECRET".into(), "wrong-secret".into());
    let bridge = start_bridge(config(&env)).await.expect("bridge");
    let base = format!("http://{}", bridge.addr());
    assert_eq!(get(format!("{base}/health/live")).await.0, 200);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (status, body) = get(format!("{base}/health/ready")).await;
    assert_eq!(status, 503, "{body}");
    let ready: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(ready["token"], false);
    assert!(!body.contains("wrong-secret"));
    bridge.drain().await.expect("drain");
}
