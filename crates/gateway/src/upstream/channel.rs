//! One upstream notification channel kept alive by its own task: connect, forward every event
//! into the hub, and on loss reconnect with backoff and full jitter. It resumes from the last
//! event id where the platform offers replay (the emulator's `Last-Event-ID` extension); when it
//! cannot (no ids, or the channel is gone), it re-creates and re-subscribes the channel and
//! announces the gap with REST snapshots. On `v2.system.socket_closing` it opens the
//! replacement channel before closing the old one (make before break).

use crate::backoff::full_jitter;
use crate::config::PoolConfig;
use crate::hub::Hub;
use crate::upstream::snapshot::announce_gap;
use futures_util::{SinkExt, StreamExt};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use switchboard_api::gateway::EnvelopeHead;
use switchboard_api::notifications::{CHANNEL_METADATA_TOPIC, ChannelMetadata, GAP_MESSAGE, SOCKET_CLOSING_TOPIC};
use switchboard_platform::{Platform, PlatformExt};
use tokio::net::TcpStream;
use tokio::sync::{oneshot, watch};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// What the pool and the channel's task share: the platform channel behind this pool slot
/// (replaced on make-before-break or re-creation) and the topics it should carry.
#[derive(Debug, Default)]
pub struct ChannelShared {
    platform_id: Mutex<String>,
    connect_uri: Mutex<String>,
    topics: Mutex<BTreeSet<String>>,
}

impl ChannelShared {
    pub fn new(platform_id: String, connect_uri: String) -> Self {
        ChannelShared { platform_id: Mutex::new(platform_id), connect_uri: Mutex::new(connect_uri), topics: Mutex::default() }
    }
    pub fn platform_id(&self) -> String {
        lock(&self.platform_id).clone()
    }
    pub fn topics(&self) -> Vec<String> {
        lock(&self.topics).iter().cloned().collect()
    }
    pub fn add_topics(&self, topics: &[String]) {
        lock(&self.topics).extend(topics.iter().cloned());
    }
    pub fn remove_topics(&self, topics: &[String]) {
        let mut set = lock(&self.topics);
        for topic in topics {
            set.remove(topic);
        }
    }
    fn replace_platform_channel(&self, id: String, connect_uri: String) {
        *lock(&self.platform_id) = id;
        *lock(&self.connect_uri) = connect_uri;
    }
}

/// Why a socket's read loop ended.
enum Ended {
    /// Lost: reconnect (and resume if possible).
    Lost,
    /// The platform warned it will close the socket: replace the channel first.
    Closing,
    /// The pool closed the channel.
    Stopped,
}

#[derive(Debug, thiserror::Error)]
enum ConnectError {
    #[error("channel no longer exists")]
    Gone,
    #[error("{0}")]
    Other(String),
}

async fn connect(uri: &str, resume_after: Option<u64>) -> Result<Socket, ConnectError> {
    let mut request = uri.into_client_request().map_err(|error| ConnectError::Other(error.to_string()))?;
    if let Some(last) = resume_after
        && let Ok(value) = HeaderValue::from_str(&last.to_string())
    {
        request.headers_mut().insert("Last-Event-ID", value);
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((socket, _)) => Ok(socket),
        Err(WsError::Http(response)) if response.status().as_u16() == 404 => Err(ConnectError::Gone),
        Err(error) => Err(ConnectError::Other(error.to_string())),
    }
}

/// The task driving one pool slot.
pub struct ChannelTask {
    pub client: Arc<dyn Platform>,
    pub shared: Arc<ChannelShared>,
    pub hub: Arc<Hub>,
    pub config: PoolConfig,
    pub stop: watch::Receiver<bool>,
}

impl ChannelTask {
    /// Runs until stopped; `connected` fires after the first successful connect.
    pub async fn run(mut self, connected: oneshot::Sender<()>) {
        let uri = lock(&self.shared.connect_uri).clone();
        let mut socket = match connect(&uri, None).await {
            Ok(socket) => socket,
            Err(error) => {
                tracing::warn!(%error, "upstream channel did not connect; retrying");
                match self.reconnect(None).await {
                    Some(socket) => socket,
                    None => return,
                }
            }
        };
        let _ = connected.send(());
        let mut last_id: Option<u64> = None;
        loop {
            match self.read(&mut socket, &mut last_id).await {
                Ended::Stopped => {
                    let _ = socket.close(None).await;
                    return;
                }
                Ended::Closing => match self.replace(&mut socket, &mut last_id).await {
                    Some(replacement) => socket = replacement,
                    None => return,
                },
                Ended::Lost => {
                    self.hub.metrics.upstream_reconnects.inc();
                    match self.reconnect(last_id).await {
                        Some(replacement) => socket = replacement,
                        None => return,
                    }
                }
            }
        }
    }

    fn stopped(&self) -> bool {
        *self.stop.borrow()
    }

    /// Forwards events until the socket ends.
    async fn read(&mut self, socket: &mut Socket, last_id: &mut Option<u64>) -> Ended {
        loop {
            let message = tokio::select! {
                _ = self.stop.changed() => return Ended::Stopped,
                message = socket.next() => message,
            };
            match message {
                Some(Ok(Message::Text(text))) => {
                    if let Some(ended) = self.handle(text, last_id).await {
                        return ended;
                    }
                }
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return if self.stopped() { Ended::Stopped } else { Ended::Lost },
                Some(Ok(_)) => {}
            }
        }
    }

    async fn handle(&mut self, text: tokio_tungstenite::tungstenite::Utf8Bytes, last_id: &mut Option<u64>) -> Option<Ended> {
        let received_at = Instant::now();
        let Ok(head) = serde_json::from_str::<EnvelopeHead<'_>>(text.as_str()) else {
            tracing::debug!("upstream frame without a topic ignored");
            return None;
        };
        if head.topic_name == SOCKET_CLOSING_TOPIC {
            return Some(Ended::Closing);
        }
        if head.topic_name == CHANNEL_METADATA_TOPIC {
            let is_gap = serde_json::from_str::<ChannelMetadata>(text.as_str()).is_ok_and(|metadata| metadata.event_body.message == GAP_MESSAGE);
            if is_gap {
                // Replay could not cover everything: say so to every watcher of this channel.
                announce_gap(&self.hub, &self.client, &self.shared.topics(), "upstream replay window exceeded; events were lost").await;
            }
            return None;
        }
        if let Some(id) = head.id {
            // After make-before-break both channels saw the same events; ids make it exact.
            if last_id.is_some_and(|last| id <= last) {
                return None;
            }
            *last_id = Some(id);
        }
        let topic = head.topic_name.into_owned();
        self.hub.dispatch(&topic, text, received_at);
        None
    }

    /// Backoff loop: resume with `Last-Event-ID` when ids were seen, else (or when the channel
    /// is gone) re-create it and announce the gap.
    async fn reconnect(&mut self, last_id: Option<u64>) -> Option<Socket> {
        let mut attempt = 0u32;
        loop {
            if self.stopped() {
                return None;
            }
            // The thread-local generator is not Send, so it is not held across an await.
            let delay = full_jitter(attempt, self.config.backoff_base, self.config.backoff_max, &mut rand::rng());
            attempt = attempt.saturating_add(1);
            tokio::select! {
                _ = self.stop.changed() => return None,
                _ = tokio::time::sleep(delay) => {}
            }
            let resume = last_id.filter(|_| self.config.use_replay);
            let uri = lock(&self.shared.connect_uri).clone();
            match connect(&uri, resume).await {
                Ok(socket) => {
                    if resume.is_none() {
                        announce_gap(&self.hub, &self.client, &self.shared.topics(), "upstream channel reconnected without replay").await;
                    }
                    return Some(socket);
                }
                Err(ConnectError::Gone) => match self.recreate().await {
                    Ok(socket) => {
                        announce_gap(&self.hub, &self.client, &self.shared.topics(), "upstream channel was re-created").await;
                        return Some(socket);
                    }
                    Err(error) => tracing::warn!(%error, attempt, "re-creating the upstream channel failed"),
                },
                Err(error) => tracing::warn!(%error, attempt, "upstream reconnect failed"),
            }
        }
    }

    /// A new platform channel with this slot's topics, connected.
    async fn recreate(&self) -> Result<Socket, String> {
        let channel = self.client.notifications().create_channel().await.map_err(|error| error.to_string())?;
        let topics = self.shared.topics();
        if !topics.is_empty() {
            let names: Vec<&str> = topics.iter().map(String::as_str).collect();
            self.client.notifications().subscribe(&channel.id, &names).await.map_err(|error| error.to_string())?;
        }
        let socket = connect(&channel.connect_uri, None).await.map_err(|error| error.to_string())?;
        self.shared.replace_platform_channel(channel.id, channel.connect_uri);
        Ok(socket)
    }

    /// Make before break: the replacement is subscribed and connected before the old socket
    /// closes; what the old one still delivers meanwhile is forwarded, duplicates skipped by id.
    async fn replace(&mut self, old: &mut Socket, last_id: &mut Option<u64>) -> Option<Socket> {
        let mut replacement = match self.recreate().await {
            Ok(socket) => socket,
            Err(error) => {
                tracing::warn!(%error, "make-before-break failed; reconnecting after the old socket closes");
                return self.reconnect(*last_id).await;
            }
        };
        // Drain what the old socket already carried, briefly, then let it go.
        while let Ok(Some(Ok(message))) = tokio::time::timeout(Duration::from_millis(50), old.next()).await {
            if let Message::Text(text) = message
                && let Some(Ended::Stopped) = self.handle(text, last_id).await
            {
                return None;
            }
        }
        let _ = old.close(None).await;
        let _ = replacement.flush().await;
        Some(replacement)
    }
}
