//! The plumbing against real sockets on 127.0.0.1:0: a slow client is timed out, shutdown drains
//! an in-flight request and then refuses new connections, readiness says which check failed.

use axum::Router;
use axum::routing::get;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::registry::Registry;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use switchboard_service::{ReadyReport, ServeConfig, Server, health_app};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{Notify, mpsc};

/// Generous bound so a broken server fails the test instead of hanging it.
const BOUND: Duration = Duration::from_secs(20);

fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

/// Reads until the server closes the connection; the bytes it sent.
async fn read_to_close(stream: &mut TcpStream) -> Vec<u8> {
    let mut received = Vec::new();
    let read = tokio::time::timeout(BOUND, stream.read_to_end(&mut received)).await;
    assert!(read.is_ok(), "the server kept a slow client's connection open");
    received
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_disconnected() {
    let config = ServeConfig { header_read: Duration::from_millis(200), ..ServeConfig::default() };
    let router = Router::new().route("/", get(|| async { "hello" }));
    let server = Server::bind(loopback(), router, config).await.expect("bind");
    let mut stream = TcpStream::connect(server.addr()).await.expect("connect");
    stream.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").await.expect("write");
    let received = read_to_close(&mut stream).await;
    assert!(!String::from_utf8_lossy(&received).contains("hello"), "no request was completed");

    // Idle: a connection that sends nothing at all is closed the same way.
    let mut idle = TcpStream::connect(server.addr()).await.expect("connect");
    read_to_close(&mut idle).await;
}

#[tokio::test]
async fn a_client_that_never_finishes_its_body_is_answered_and_disconnected() {
    let config = ServeConfig { body_read: Duration::from_millis(200), ..ServeConfig::default() };
    let router = Router::new().route("/", axum::routing::post(|body: String| async move { format!("got {}", body.len()) }));
    let server = Server::bind(loopback(), router, config).await.expect("bind");
    let mut stream = TcpStream::connect(server.addr()).await.expect("connect");
    stream.write_all(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc").await.expect("write");
    let received = String::from_utf8_lossy(&read_to_close(&mut stream).await).to_string();
    assert!(!received.contains("got"), "the handler never saw a complete body: {received}");
}

#[tokio::test]
async fn shutdown_drains_the_request_in_flight_then_refuses_new_connections() {
    let (entered_sender, mut entered) = mpsc::channel::<()>(1);
    let release = Arc::new(Notify::new());
    let handler_release = release.clone();
    let router = Router::new().route(
        "/slow",
        get(move || {
            let entered = entered_sender.clone();
            let release = handler_release.clone();
            async move {
                let _ = entered.send(()).await;
                release.notified().await;
                "finished"
            }
        }),
    );
    let server = Server::bind(loopback(), router, ServeConfig::default()).await.expect("bind");
    let addr = server.addr();
    let in_flight = tokio::spawn(async move { reqwest::get(format!("http://{addr}/slow")).await?.text().await });
    tokio::time::timeout(BOUND, entered.recv()).await.expect("the request reached its handler");

    server.begin_shutdown();
    tokio::time::timeout(BOUND, server.stopped_accepting()).await.expect("the listener closed");
    assert!(TcpStream::connect(addr).await.is_err(), "a new connection is refused while draining");

    release.notify_one();
    let body = tokio::time::timeout(BOUND, in_flight).await.expect("answered").expect("task").expect("the in-flight request completed");
    assert_eq!(body, "finished");
    tokio::time::timeout(BOUND, server.shutdown()).await.expect("the drain ended");
    assert!(TcpStream::connect(addr).await.is_err(), "a new connection is refused after shutdown");
}

#[tokio::test]
async fn the_drain_deadline_closes_a_request_that_does_not_finish() {
    let config = ServeConfig { drain: Duration::from_millis(100), ..ServeConfig::default() };
    let (entered_sender, mut entered) = mpsc::channel::<()>(1);
    let router = Router::new().route(
        "/forever",
        get(move || {
            let entered = entered_sender.clone();
            async move {
                let _ = entered.send(()).await;
                std::future::pending::<&str>().await
            }
        }),
    );
    let server = Server::bind(loopback(), router, config).await.expect("bind");
    let addr = server.addr();
    let in_flight = tokio::spawn(async move { reqwest::get(format!("http://{addr}/forever")).await });
    tokio::time::timeout(BOUND, entered.recv()).await.expect("the request reached its handler");
    tokio::time::timeout(BOUND, server.shutdown()).await.expect("shutdown ends at the drain deadline");
    let outcome = tokio::time::timeout(BOUND, in_flight).await.expect("the client saw the close").expect("task");
    assert!(outcome.is_err(), "the stuck request's connection was closed");
}

fn registry() -> Arc<Registry> {
    let mut registry = Registry::with_prefix("probe");
    let counter = Counter::<u64>::default();
    counter.inc();
    registry.register("requests", "Requests", counter);
    Arc::new(registry)
}

#[tokio::test]
async fn readiness_is_503_naming_the_failing_check_and_200_when_all_pass() {
    let store_up = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let probe_store = store_up.clone();
    let app = health_app(
        move || {
            let store = probe_store.load(std::sync::atomic::Ordering::SeqCst);
            async move { ReadyReport::default().check("token", true).check("store", store).detail("role", "standby") }
        },
        registry(),
    );
    let server = Server::bind(loopback(), app, ServeConfig::default()).await.expect("bind");
    let base = format!("http://{}", server.addr());

    let live = reqwest::get(format!("{base}/health/live")).await.expect("live");
    assert_eq!(live.status(), 200);

    let response = reqwest::get(format!("{base}/health/ready")).await.expect("ready");
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["ready"], false, "{body}");
    assert_eq!(body["failing"], serde_json::json!(["store"]), "{body}");
    assert_eq!(body["store"], false, "{body}");
    assert_eq!(body["token"], true, "{body}");
    assert_eq!(body["role"], "standby", "{body}");

    store_up.store(true, std::sync::atomic::Ordering::SeqCst);
    let response = reqwest::get(format!("{base}/health/ready")).await.expect("ready");
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["failing"], serde_json::json!([]), "{body}");

    let metrics = reqwest::get(format!("{base}/metrics")).await.expect("metrics");
    assert!(metrics.headers()["content-type"].to_str().is_ok_and(|value| value.starts_with("application/openmetrics-text")));
    let text = metrics.text().await.expect("text");
    assert!(text.contains("probe_requests_total 1"), "{text}");
}
