//! One upstream notification channel kept alive by its own task: connect, forward every event
//! into the hub, and on loss reconnect with backoff and full jitter.
//!
//! The stream position is kept per platform channel *incarnation* (`cursor.rs`): a reconnect to
//! the same channel resumes with `Last-Event-ID` from its last id, or from 0 when it has carried
//! no event yet, so an early drop loses nothing where the platform replays; a re-created channel
//! (the old one is gone: platform restart, expiry, eviction) starts a new incarnation, since its
//! ids may start again or live in a space of their own. Whenever replay is not known to cover
//! the outage (the real platform has none), every watcher gets a `gap` notice and a REST
//! `snapshot`. On `v2.system.socket_closing` it opens the replacement channel before closing the
//! old one (make before break); copies of the overlap are skipped by content.

use crate::config::PoolConfig;
use crate::hub::Hub;
use crate::upstream::cursor::{Cursor, Replay, ReplaySupport, Verdict};
use crate::upstream::snapshot::{SnapshotBudget, announce_gap};
use futures_util::{SinkExt, StreamExt};
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use switchboard_api::gateway::EnvelopeHead;
use switchboard_api::notifications::{CHANNEL_METADATA_TOPIC, ChannelMetadata, GAP_MESSAGE, SOCKET_CLOSING_TOPIC};
use switchboard_platform::{Platform, PlatformExt, RetryPolicy};
use tokio::net::TcpStream;
use tokio::sync::{Semaphore, oneshot, watch};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How long make-before-break reads the old socket at most: what it still carries was sent
/// before the replacement connected, so it arrives at once; a busy channel never goes quiet.
const DRAIN_LIMIT: Duration = Duration::from_secs(1);
/// A pause this long on the old socket ends the drain early.
const DRAIN_QUIET: Duration = Duration::from_millis(50);

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
    pub fn connect_uri(&self) -> String {
        lock(&self.connect_uri).clone()
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
    client: Arc<dyn Platform>,
    shared: Arc<ChannelShared>,
    hub: Arc<Hub>,
    config: PoolConfig,
    stop: watch::Receiver<bool>,
    replay: Arc<ReplaySupport>,
    snapshots: SnapshotBudget,
    backoff: RetryPolicy,
    rng: StdRng,
    cursor: Cursor,
}

impl ChannelTask {
    pub fn new(client: Arc<dyn Platform>, shared: Arc<ChannelShared>, hub: Arc<Hub>, config: &PoolConfig, stop: watch::Receiver<bool>) -> Self {
        // The platform client's full-jitter formula, with this pool's base and cap.
        let backoff = RetryPolicy { max_attempts: u32::MAX, base_delay: config.backoff_base, max_delay: config.backoff_max };
        let snapshots = SnapshotBudget { permits: Arc::new(Semaphore::new(config.snapshot_concurrency.max(1))), deadline: config.snapshot_deadline };
        ChannelTask {
            client,
            shared,
            hub,
            config: config.clone(),
            stop,
            replay: Arc::default(),
            snapshots,
            backoff,
            rng: StdRng::seed_from_u64(config.jitter_seed),
            cursor: Cursor::default(),
        }
    }

    /// Shares what is known about replay with the pool's other channels.
    pub fn with_replay(mut self, replay: Arc<ReplaySupport>) -> Self {
        self.replay = replay;
        self
    }

    /// Shares the snapshot budget with the pool's other channels.
    pub fn with_snapshots(mut self, snapshots: SnapshotBudget) -> Self {
        self.snapshots = snapshots;
        self
    }

    pub fn with_jitter_seed(mut self, seed: u64) -> Self {
        self.rng = StdRng::seed_from_u64(seed);
        self
    }

    /// Runs until stopped; `connected` fires after the first successful connect.
    pub async fn run(mut self, connected: oneshot::Sender<()>) {
        let mut socket = match connect(&self.shared.connect_uri(), self.resume_point()).await {
            Ok(socket) => socket,
            Err(error) => {
                tracing::warn!(%error, "upstream channel did not connect; retrying");
                match self.reconnect().await {
                    Some(socket) => socket,
                    None => return,
                }
            }
        };
        let _ = connected.send(());
        loop {
            match self.read(&mut socket).await {
                Ended::Stopped => {
                    let _ = socket.close(None).await;
                    return;
                }
                Ended::Closing => match self.replace(&mut socket).await {
                    Some(replacement) => socket = replacement,
                    None => return,
                },
                Ended::Lost => {
                    self.hub.metrics.upstream_reconnects.inc();
                    match self.reconnect().await {
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

    /// `Last-Event-ID` for a connect to the current channel: where its stream stands (0 when it
    /// carried nothing yet), if replay is to be tried at all.
    fn resume_point(&self) -> Option<u64> {
        self.config.use_replay.then(|| self.cursor.resume_after())
    }

    /// Whether a resumed connect is known to have lost nothing.
    fn replay_covers_outage(&self) -> bool {
        self.config.use_replay && self.replay.get() == Replay::Offered
    }

    async fn announce_gap(&self, detail: &str) {
        announce_gap(&self.hub, &self.client, &self.shared.topics(), detail, &self.snapshots).await;
    }

    /// Forwards events until the socket ends.
    async fn read(&mut self, socket: &mut Socket) -> Ended {
        loop {
            let message = tokio::select! {
                _ = self.stop.changed() => return Ended::Stopped,
                message = socket.next() => message,
            };
            match message {
                Some(Ok(Message::Text(text))) => {
                    if let Some(ended) = self.handle(text).await {
                        return ended;
                    }
                }
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return if self.stopped() { Ended::Stopped } else { Ended::Lost },
                Some(Ok(_)) => {}
            }
        }
    }

    async fn handle(&mut self, text: tokio_tungstenite::tungstenite::Utf8Bytes) -> Option<Ended> {
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
                self.announce_gap("upstream replay window exceeded; events were lost").await;
            }
            return None;
        }
        self.replay.saw_event(head.id.is_some());
        let verdict = self.cursor.observe(head.id, text.as_str());
        if verdict == Verdict::Duplicate {
            return None;
        }
        let topic = head.topic_name.into_owned();
        self.hub.dispatch(&topic, text, received_at);
        if verdict == Verdict::IdsRestarted {
            // The channel numbered its events from the start again: what came between is unknown.
            tracing::warn!(incarnation = self.cursor.incarnation(), "upstream event ids went back on one channel");
            self.announce_gap("upstream event ids restarted; events may have been lost").await;
        }
        None
    }

    /// Backoff loop: reconnect to the same channel, resuming from its cursor, or re-create the
    /// channel when it is gone; report a gap whenever replay is not known to cover the outage.
    async fn reconnect(&mut self) -> Option<Socket> {
        let mut attempt = 0u32;
        loop {
            if self.stopped() {
                return None;
            }
            let delay = self.backoff.full_jitter(attempt, &mut self.rng);
            attempt = attempt.saturating_add(1);
            tokio::select! {
                _ = self.stop.changed() => return None,
                _ = tokio::time::sleep(delay) => {}
            }
            match connect(&self.shared.connect_uri(), self.resume_point()).await {
                Ok(socket) => {
                    if !self.replay_covers_outage() {
                        self.announce_gap("upstream channel reconnected without replay").await;
                    }
                    return Some(socket);
                }
                Err(ConnectError::Gone) => match self.recreate().await {
                    Ok(socket) => {
                        self.cursor.new_incarnation();
                        self.announce_gap("upstream channel was re-created").await;
                        return Some(socket);
                    }
                    Err(error) => tracing::warn!(%error, attempt, "re-creating the upstream channel failed"),
                },
                Err(error) => tracing::warn!(%error, attempt, "upstream reconnect failed"),
            }
        }
    }

    /// A new platform channel with this slot's topics, connected from its start (what it
    /// carried between subscription and connect is replayed where the platform can). The
    /// caller starts the new incarnation once the old channel's events are done with.
    async fn recreate(&self) -> Result<Socket, String> {
        let channel = self.client.notifications().create_channel().await.map_err(|error| error.to_string())?;
        let topics = self.shared.topics();
        if !topics.is_empty() {
            let names: Vec<&str> = topics.iter().map(String::as_str).collect();
            let listing = self.client.notifications().subscribe(&channel.id, &names).await.map_err(|error| error.to_string())?;
            let refused = crate::upstream::subscribe::unconfirmed(&topics, &listing);
            if !refused.is_empty() {
                tracing::warn!(topics = refused.len(), "the re-created channel was refused topics it carried before");
            }
        }
        let socket = connect(&channel.connect_uri, self.config.use_replay.then_some(0)).await.map_err(|error| error.to_string())?;
        self.shared.replace_platform_channel(channel.id, channel.connect_uri);
        Ok(socket)
    }

    /// Make before break: the replacement is subscribed and connected before the old socket
    /// closes; what the old one still delivers meanwhile is forwarded, copies skipped.
    async fn replace(&mut self, old: &mut Socket) -> Option<Socket> {
        let mut replacement = match self.recreate().await {
            Ok(socket) => socket,
            Err(error) => {
                tracing::warn!(%error, "make-before-break failed; reconnecting after the old socket closes");
                return self.reconnect().await;
            }
        };
        // Drain what the old socket already carried, briefly, then let it go.
        let limit = tokio::time::Instant::now() + DRAIN_LIMIT;
        while let Ok(Ok(Some(Ok(message)))) = tokio::time::timeout_at(limit, tokio::time::timeout(DRAIN_QUIET, old.next())).await {
            if let Message::Text(text) = message
                && let Some(Ended::Stopped) = self.handle(text).await
            {
                return None;
            }
        }
        let _ = old.close(None).await;
        // From here on events come from the replacement, numbered in its own id space; its
        // first ones may be copies of what the old socket just delivered.
        self.cursor.replaced();
        let _ = replacement.flush().await;
        Some(replacement)
    }
}
