//! Starting an emulator and a gateway, minting tokens, and desktop clients that read frames
//! with a deadline (awaiting, never sleeping).

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use switchboard_emulator::{EmulatorOptions, RunningEmulator};
use switchboard_gateway::jwt::{self, Key};
use switchboard_gateway::{GatewayConfig, RunningGateway};
use switchboard_platform::{ClientConfig, OrgClient, Platform};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub const ORG: &str = "na-east-1";
pub const SECRET: &str = "test-signing-secret";
pub const WAIT: Duration = Duration::from_secs(10);

pub type Desktop = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A fresh directory under the system temp dir (removed by the OS, not by the test).
pub fn temp_dir(label: &str) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let unique = format!("switchboard-gateway-{label}-{}-{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed));
    let dir = std::env::temp_dir().join(unique);
    if let Err(error) = std::fs::create_dir_all(&dir) {
        panic!("temp dir {}: {error}", dir.display());
    }
    dir
}

pub fn key() -> Key {
    Key::new("k1", SECRET.as_bytes())
}

pub fn token(agent: &str, lifetime_seconds: f64) -> String {
    jwt::mint_for(agent, lifetime_seconds, &key())
}

pub async fn emulator(options: EmulatorOptions) -> RunningEmulator {
    match switchboard_emulator::spawn(options).await {
        Ok(emulator) => emulator,
        Err(error) => panic!("emulator did not start: {error}"),
    }
}

pub fn client_config(emulator: &RunningEmulator) -> ClientConfig {
    client_config_for(emulator, ORG, &emulator.base_url())
}

/// A client of `org` reaching the emulator at `base_url` (the emulator's own, or a proxy's).
pub fn client_config_for(emulator: &RunningEmulator, org: &str, base_url: &str) -> ClientConfig {
    let Some(credentials) = emulator.credentials().org(org) else { panic!("no org {org}") };
    let mut config = ClientConfig::new(base_url.to_string(), credentials.client_id.clone(), credentials.client_secret.clone());
    config.org_label = org.to_string();
    config.retry.base_delay = Duration::from_millis(20);
    config.retry.max_delay = Duration::from_millis(200);
    config
}

pub fn client(config: ClientConfig) -> Arc<OrgClient> {
    match OrgClient::new(config) {
        Ok(client) => Arc::new(client),
        Err(error) => panic!("client: {error}"),
    }
}

pub fn org_id(emulator: &RunningEmulator) -> String {
    emulator.credentials().org(ORG).map(|org| org.id.clone()).unwrap_or_default()
}

/// A gateway config whose key directory holds the test key; tests adjust the rest.
pub fn gateway_config() -> GatewayConfig {
    let dir = temp_dir("keys");
    if let Err(error) = std::fs::write(dir.join("k1"), SECRET) {
        panic!("key file: {error}");
    }
    let mut config = GatewayConfig { jwt_keys: vec![dir], reload_interval: Duration::from_millis(50), ..GatewayConfig::default() };
    config.pool.backoff_base = Duration::from_millis(20);
    config.pool.backoff_max = Duration::from_millis(200);
    // Tests subscribe desktops one after another, each waiting for its notice.
    config.pool.batch_interval = Duration::from_millis(5);
    config
}

pub async fn gateway(config: GatewayConfig, upstream: Arc<OrgClient>) -> RunningGateway {
    let clients: Vec<Arc<dyn Platform>> = vec![upstream];
    match switchboard_gateway::start(config, clients).await {
        Ok(gateway) => gateway,
        Err(error) => panic!("gateway did not start: {error}"),
    }
}

pub async fn connect(url: &str, token: &str) -> Desktop {
    match tokio_tungstenite::connect_async(format!("{url}/?access_token={token}")).await {
        Ok((socket, _)) => socket,
        Err(error) => panic!("connect: {error}"),
    }
}

/// The next text frame as JSON, or what ended the socket.
#[derive(Debug)]
pub enum Next {
    Json(Value),
    Closed(Option<CloseCode>, String),
}

pub async fn next(desktop: &mut Desktop) -> Next {
    loop {
        match tokio::time::timeout(WAIT, desktop.next()).await {
            Err(_) => panic!("no frame within {WAIT:?}"),
            Ok(Some(Ok(Message::Text(text)))) => match serde_json::from_str(text.as_str()) {
                Ok(value) => return Next::Json(value),
                Err(error) => panic!("not JSON: {error}: {text}"),
            },
            Ok(Some(Ok(Message::Close(frame)))) => {
                return Next::Closed(frame.as_ref().map(|frame| frame.code), frame.map(|frame| frame.reason.to_string()).unwrap_or_default());
            }
            Ok(Some(Ok(_))) => continue,
            Ok(Some(Err(error))) => return Next::Closed(None, error.to_string()),
            Ok(None) => return Next::Closed(None, "ended".to_string()),
        }
    }
}

pub async fn next_json(desktop: &mut Desktop) -> Value {
    match next(desktop).await {
        Next::Json(value) => value,
        Next::Closed(code, reason) => panic!("closed ({code:?} {reason}) while a frame was expected"),
    }
}

/// The close code the gateway ends the session with (skipping any frames before it).
pub async fn close_code(desktop: &mut Desktop) -> (u16, String) {
    loop {
        if let Next::Closed(code, reason) = next(desktop).await {
            return (code.map(u16::from).unwrap_or(0), reason);
        }
    }
}

pub fn message_of(frame: &Value) -> Option<&str> {
    (frame["topicName"] == "channel.metadata").then(|| frame["eventBody"]["message"].as_str()).flatten()
}

pub async fn send(desktop: &mut Desktop, value: Value) {
    if let Err(error) = desktop.send(Message::Text(value.to_string().into())).await {
        panic!("send: {error}");
    }
}

/// Subscribes and waits for the gateway's `subscribed` notice.
pub async fn subscribe(desktop: &mut Desktop, topics: &[String]) {
    send(desktop, json!({"message": "subscribe", "topics": topics})).await;
    loop {
        let frame = next_json(desktop).await;
        match message_of(&frame) {
            Some("subscribed") => return,
            Some("error") => panic!("subscription refused: {frame}"),
            _ => {}
        }
    }
}

/// The next platform event (skipping gateway notices).
pub async fn next_event(desktop: &mut Desktop) -> Value {
    loop {
        let frame = next_json(desktop).await;
        if frame["topicName"] != "channel.metadata" {
            return frame;
        }
    }
}

pub fn publish(emulator: &RunningEmulator, topic: &str, body: Value) -> usize {
    emulator.state().notifications().publish(&org_id(emulator), topic, &body)
}

/// The id of some user of the client's org.
pub async fn first_user(upstream: &OrgClient) -> String {
    use switchboard_platform::PlatformExt as _;
    let users = upstream.users().list();
    futures_util::pin_mut!(users);
    match users.next().await {
        Some(Ok(user)) => user.id,
        other => panic!("no user: {other:?}"),
    }
}

/// Reads frames until a gateway notice with `message` arrives; returns it (events and other
/// notices before it are skipped).
pub async fn notice(desktop: &mut Desktop, message: &str) -> Value {
    loop {
        let frame = next_json(desktop).await;
        if message_of(&frame) == Some(message) {
            return frame;
        }
    }
}

/// The next gateway notice, whatever its message (events before it are skipped).
pub async fn next_notice(desktop: &mut Desktop) -> Value {
    loop {
        let frame = next_json(desktop).await;
        if message_of(&frame).is_some() {
            return frame;
        }
    }
}

/// `count` events' `eventBody.seq` values, and the notices seen among them.
pub async fn seqs(desktop: &mut Desktop, count: usize) -> (Vec<u64>, Vec<String>) {
    let mut seen = Vec::new();
    let mut notices = Vec::new();
    while seen.len() < count {
        let frame = next_json(desktop).await;
        match message_of(&frame) {
            Some(message) => notices.push(message.to_string()),
            None => seen.push(frame["eventBody"]["seq"].as_u64().unwrap_or(u64::MAX)),
        }
    }
    (seen, notices)
}

/// A loopback TCP proxy standing in for the network between the gateway and the platform:
/// `cut` drops every connection through it at once (as a platform restart or a network fault
/// does, without close frames), `retarget` sends new connections to another server.
pub struct Proxy {
    addr: std::net::SocketAddr,
    target: Arc<std::sync::Mutex<std::net::SocketAddr>>,
    connections: Arc<std::sync::Mutex<Vec<tokio::task::AbortHandle>>>,
    accept: tokio::task::JoinHandle<()>,
}

impl Proxy {
    pub async fn start(target: std::net::SocketAddr) -> Proxy {
        let listener = match tokio::net::TcpListener::bind("127.0.0.1:0").await {
            Ok(listener) => listener,
            Err(error) => panic!("proxy bind: {error}"),
        };
        let addr = listener.local_addr().unwrap_or_else(|error| panic!("proxy address: {error}"));
        let target = Arc::new(std::sync::Mutex::new(target));
        let connections: Arc<std::sync::Mutex<Vec<tokio::task::AbortHandle>>> = Arc::default();
        let (shared_target, shared_connections) = (target.clone(), connections.clone());
        let accept = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let to = *shared_target.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                let task = tokio::spawn(async move {
                    // A target that is down refuses: the inbound connection is dropped likewise.
                    if let Ok(mut outbound) = TcpStream::connect(to).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                shared_connections.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(task.abort_handle());
            }
        });
        Proxy { addr, target, connections, accept }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn retarget(&self, target: std::net::SocketAddr) {
        *self.target.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = target;
    }

    /// Drops every connection through the proxy now (synchronously: nothing else runs between
    /// this call and the caller's next statement on a single-threaded test runtime).
    pub fn cut(&self) {
        for connection in self.connections.lock().unwrap_or_else(std::sync::PoisonError::into_inner).drain(..) {
            connection.abort();
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.accept.abort();
        self.cut();
    }
}
