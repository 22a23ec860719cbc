//! Readiness means the bridge can do its job now (seed 000: a zombie that looks healthy is the
//! failure to catch): an unknown queue, a token the platform refuses, or a dead engine each turn
//! `/health/ready` to 503 and say why; a panicking effect task is counted and its work retried.
//! The platform handle is the org's client wrapped in a test double (`Tampered`), which is what
//! starting from `(config, Arc<dyn Platform>)` makes possible.

use crate::support::*;
use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use switchboard_platform::{ApiRequest, ApiResponse, Platform, PlatformError, Result};

async fn ready(base: &str) -> (u16, serde_json::Value) {
    let response = reqwest::get(format!("{base}/health/ready"))
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.expect("json body"))
}

async fn metrics(base: &str) -> String {
    reqwest::get(format!("{base}/metrics"))
        .await
        .expect("request")
        .text()
        .await
        .expect("body")
}

/// Polls readiness until `probe` holds for its body (or 15 s pass), returning the last answer.
async fn ready_until(base: &str, probe: impl Fn(u16, &serde_json::Value) -> bool) -> (u16, serde_json::Value) {
    let started = std::time::Instant::now();
    loop {
        let (status, body) = ready(base).await;
        if probe(status, &body) || started.elapsed() > Duration::from_secs(15) {
            return (status, body);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The org's client, with switches: refuse every call as the platform does a revoked token,
/// panic on creating a channel, panic once on writing participant attributes.
struct Tampered {
    inner: Arc<dyn Platform>,
    refuse: AtomicBool,
    panic_on_channel: AtomicBool,
    panic_once_on_attributes: AtomicBool,
}

impl Tampered {
    fn new(inner: Arc<dyn Platform>) -> Arc<Tampered> {
        Arc::new(Tampered {
            inner,
            refuse: AtomicBool::new(false),
            panic_on_channel: AtomicBool::new(false),
            panic_once_on_attributes: AtomicBool::new(false),
        })
    }
}

impl Platform for Tampered {
    fn label(&self) -> &str {
        self.inner.label()
    }

    fn execute(&self, request: ApiRequest) -> BoxFuture<'_, Result<ApiResponse>> {
        if self.refuse.load(Ordering::Relaxed) {
            return async { Err(PlatformError::Unauthorized { message: "invalid token".into() }) }.boxed();
        }
        let creates_channel = request.method == reqwest::Method::POST && request.path.ends_with("/notifications/channels");
        if creates_channel && self.panic_on_channel.load(Ordering::Relaxed) {
            panic!("a bug in the engine");
        }
        if request.path.ends_with("/attributes") && self.panic_once_on_attributes.swap(false, Ordering::Relaxed) {
            panic!("a bug in an effect");
        }
        self.inner.execute(request)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_queue_keeps_the_bridge_unready_and_names_it() {
    let emulator = emulator().await;
    let dir = TempDir::new("unknown-queue");
    let mut env = bridge_env(&emulator, &format!("sqlite://{}", dir.path("state.db").display()));
    env.insert("BRIDGE_QUEUES".into(), "Support,Nope".into());
    let bridge = start_bridge(config(&env)).await.expect("bridge");
    let base = format!("http://{}", bridge.addr());
    // The queue listing succeeded (the token is good): only the unknown queue is wrong.
    let (status, body) = ready_until(&base, |_, body| body["token"] == true).await;
    assert_eq!(body["token"], true, "{body}");
    assert_eq!(status, 503, "ready while BRIDGE_QUEUES names no queue: {body}");
    assert_eq!(body["queues"], false, "{body}");
    assert!(body["problem"].as_str().is_some_and(|problem| problem.contains("`Nope`")), "{body}");
    bridge.drain().await.expect("drain");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_token_turns_readiness_off_until_the_platform_accepts_it_again() {
    let emulator = emulator().await;
    let dir = TempDir::new("refused-token");
    let env = bridge_env(&emulator, &format!("sqlite://{}", dir.path("state.db").display()));
    let config = config(&env);
    let platform = Tampered::new(platform_for(&config));
    let bridge = switchboard_bridge::start(config, platform.clone()).await.expect("bridge");
    let base = format!("http://{}", bridge.addr());
    let (status, body) = ready_until(&base, |status, body| status == 200 && body["role"] == "active").await;
    assert_eq!(status, 200, "{body}");
    // Every call now 401s (after the client's one refresh), as with a revoked client: the
    // calls' effects fail, and readiness must say so rather than stay green.
    platform.refuse.store(true, Ordering::Relaxed);
    let stream = start_traffic(&emulator, 3.0);
    let (status, body) = ready_until(&base, |status, _| status == 503).await;
    assert_eq!(status, 503, "ready while every platform call is refused: {body}");
    assert_eq!(body["token"], false, "{body}");
    platform.refuse.store(false, Ordering::Relaxed);
    let (status, body) = ready_until(&base, |status, _| status == 200).await;
    assert_eq!(status, 200, "the next accepted call restores readiness: {body}");
    stop_traffic(&emulator, &stream);
    bridge.drain().await.expect("drain");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_engine_turns_readiness_off_is_counted_and_reported() {
    let emulator = emulator().await;
    let dir = TempDir::new("dead-engine");
    let env = bridge_env(&emulator, &format!("sqlite://{}", dir.path("state.db").display()));
    let config = config(&env);
    let platform = Tampered::new(platform_for(&config));
    platform.panic_on_channel.store(true, Ordering::Relaxed);
    let bridge = switchboard_bridge::start(config, platform.clone()).await.expect("bridge");
    let base = format!("http://{}", bridge.addr());
    let reason = tokio::time::timeout(Duration::from_secs(15), bridge.failure()).await.expect("the failure is reported");
    assert!(reason.contains("a bug in the engine"), "{reason}");
    let (status, body) = ready(&base).await;
    assert_eq!(status, 503, "ready with a dead engine: {body}");
    assert_eq!(body["workers"], false, "{body}");
    assert_eq!(body["token"], true, "only the engine is wrong: {body}");
    assert!(body["problem"].as_str().is_some_and(|problem| problem.contains("a bug in the engine")), "{body}");
    let text = metrics(&base).await;
    assert!(text.contains("switchboard_bridge_task_failures_total{task=\"engine\"} 1"), "{text}");
    assert!(text.contains("switchboard_bridge_engine_up 0"), "{text}");
    assert!(bridge.drain().await.is_err(), "draining a dead bridge reports the failure");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_effect_is_counted_and_its_work_retried() {
    let emulator = emulator().await;
    let dir = TempDir::new("effect-panic");
    let env = bridge_env(&emulator, &format!("sqlite://{}", dir.path("state.db").display()));
    let config = config(&env);
    let platform = Tampered::new(platform_for(&config));
    platform.panic_once_on_attributes.store(true, Ordering::Relaxed);
    let bridge = switchboard_bridge::start(config, platform.clone()).await.expect("bridge");
    assert!(eventually(Duration::from_secs(10), || bridge.status.active.load(Ordering::Relaxed)).await, "never active");
    let stream = start_traffic(&emulator, 3.0);
    assert!(eventually(Duration::from_secs(15), || bridge.metrics.task_failure_count("effect") == 1).await, "the panic was not counted");
    stop_traffic(&emulator, &stream);
    let tally = settle(&emulator, Duration::from_secs(30)).await;
    assert!(!tally.queued.is_empty(), "no call reached a queue");
    // The panicked pop's key left the in-flight set, so the sweep performed it after all.
    assert_eq!(tally.problems(), Vec::<String>::new());
    let (status, _) = ready(&format!("http://{}", bridge.addr())).await;
    assert_eq!(status, 200, "one effect's panic does not make the bridge unready");
    bridge.drain().await.expect("drain");
}
