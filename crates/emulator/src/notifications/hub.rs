//! `NotificationHub`: the channel registry and the event fan-out. One lock guards channels,
//! the per-org topic index and the event counter, so event ids are assigned in the order
//! events reach every channel: per-topic (indeed per-channel) order holds by construction.
//! Publishing looks up the topic's subscribers only: O(subscribers), not O(channels).

use super::channel::{ChannelState, CloseReason, EventLog, Replay, SocketHandle};
use super::config::NotificationConfig;
use super::registry::Registry;
use super::topic;
use axum::extract::ws::Utf8Bytes;
use serde::Serialize;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, MutexGuard};
use switchboard_api::notifications::{EVENT_VERSION, EventMetadata, NotificationEvent};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

/// Cheap to clone; every clone shares the same channels.
#[derive(Clone)]
pub struct NotificationHub {
    inner: Arc<Inner>,
}

struct Inner {
    config: NotificationConfig,
    registry: Mutex<Registry>,
    clock: crate::clock::Clock,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotificationError {
    #[error("channel {0} not found")]
    ChannelNotFound(String),
    #[error("{}", unknown_topics(.0))]
    UnknownTopics(Vec<String>),
    #[error("channel {channel_id} would have {requested} topics; a channel holds at most {limit}")]
    TooManyTopics { channel_id: String, requested: usize, limit: usize },
}

/// Names the first few bad topics and counts the rest: the answer stays small however many a
/// request expanded to (`limits::TOPICS_NAMED_MAX`).
fn unknown_topics(topics: &[String]) -> String {
    let named: Vec<&str> = topics.iter().take(crate::limits::TOPICS_NAMED_MAX).map(String::as_str).collect();
    let more = match topics.len().saturating_sub(named.len()) {
        0 => String::new(),
        rest => format!(" and {rest} more ({} in all)", topics.len()),
    };
    format!("invalid topic(s): {}{more}; see /api/v2/notifications/availabletopics", named.join(", "))
}

/// A channel as the REST layer reports it (the route adds `connectUri`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelInfo {
    pub id: String,
    pub expires: String,
}

/// A socket's end of an attachment, returned by `attach`.
pub(super) struct Attached {
    pub generation: u64,
    pub receiver: mpsc::Receiver<Utf8Bytes>,
    pub close: oneshot::Receiver<CloseReason>,
    pub replay: Option<Replay>,
}

impl NotificationHub {
    /// Channels expire and heartbeat on `clock`.
    pub fn new(config: NotificationConfig, clock: crate::clock::Clock) -> Self {
        NotificationHub { inner: Arc::new(Inner { config, registry: Mutex::default(), clock }) }
    }

    pub fn clock(&self) -> crate::clock::Clock {
        self.inner.clock
    }

    pub fn config(&self) -> &NotificationConfig {
        &self.inner.config
    }

    pub(super) fn registry(&self) -> MutexGuard<'_, Registry> {
        // A panic while holding the lock leaves consistent-enough data; keep serving.
        self.inner.registry.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// `POST /api/v2/notifications/channels`. The 21st channel of a client removes the one
    /// least recently used, preferring channels without a connected socket (as the real one).
    pub fn create_channel(&self, org_id: &str, client_id: &str) -> ChannelInfo {
        let config = &self.inner.config;
        let mut registry = self.registry();
        let now = self.inner.clock.now();
        let owner = (org_id.to_string(), client_id.to_string());
        let owned = registry.owners.get(&owner).cloned().unwrap_or_default();
        for id in &owned {
            if registry.channels.get(id).is_some_and(|channel| channel.is_expired(now)) {
                registry.remove_channel(id, CloseReason::ChannelRemoved);
            }
        }
        while registry.owners.get(&owner).map_or(0, Vec::len) >= config.max_channels_per_client.max(1) {
            let Some(victim) = registry.eviction_victim(&owner) else { break };
            registry.remove_channel(&victim, CloseReason::ChannelRemoved);
        }
        let id = format!("streaming-0-{}", uuid::Uuid::new_v4().simple());
        registry.sequence += 1;
        let mut channel = ChannelState {
            org_id: org_id.to_string(),
            client_id: client_id.to_string(),
            expires_at: now,
            expires_utc: self.inner.clock.utc(),
            last_used: registry.sequence,
            topics: BTreeSet::new(),
            log: EventLog::new(config.retention_events, config.retention_age),
            socket: None,
        };
        channel.renew(config.channel_lifetime, &self.inner.clock);
        let info = ChannelInfo { id: id.clone(), expires: format_expiry(&channel) };
        registry.channels.insert(id.clone(), channel);
        registry.owners.entry(owner).or_default().push(id);
        info
    }

    /// `GET /api/v2/notifications/channels`: the caller's live channels, oldest first.
    pub fn list_channels(&self, org_id: &str, client_id: &str) -> Vec<ChannelInfo> {
        let registry = self.registry();
        let now = self.inner.clock.now();
        let owner = (org_id.to_string(), client_id.to_string());
        let ids = registry.owners.get(&owner).map(Vec::as_slice).unwrap_or_default();
        ids.iter()
            .filter_map(|id| registry.channels.get(id).map(|channel| (id, channel)))
            .filter(|(_, channel)| !channel.is_expired(now))
            .map(|(id, channel)| ChannelInfo { id: id.clone(), expires: format_expiry(channel) })
            .collect()
    }

    /// The channel's topics, sorted.
    pub fn subscriptions(&self, org_id: &str, client_id: &str, channel_id: &str) -> Result<Vec<String>, NotificationError> {
        let mut registry = self.registry();
        let channel = registry.owned_channel(org_id, client_id, channel_id, self.inner.clock.now())?;
        Ok(channel.topics.iter().cloned().collect())
    }

    /// `PUT .../subscriptions` (`replace`) or `POST .../subscriptions` (add). Both renew the
    /// channel's lifetime, which is how the real platform keeps a channel past 24 hours.
    pub fn subscribe(
        &self,
        org_id: &str,
        client_id: &str,
        channel_id: &str,
        topics: &[String],
        replace: bool,
    ) -> Result<Vec<String>, NotificationError> {
        let requested: BTreeSet<String> = topics.iter().flat_map(|name| topic::expand(name)).collect();
        let unknown: Vec<String> = requested.iter().filter(|name| !topic::is_known(name)).cloned().collect();
        if !unknown.is_empty() {
            return Err(NotificationError::UnknownTopics(unknown));
        }
        let config = &self.inner.config;
        let mut registry = self.registry();
        registry.sequence += 1;
        let sequence = registry.sequence;
        let channel = registry.owned_channel(org_id, client_id, channel_id, self.inner.clock.now())?;
        let next: BTreeSet<String> =
            if replace { requested } else { channel.topics.union(&requested).cloned().collect() };
        if next.len() > config.max_topics_per_channel {
            return Err(NotificationError::TooManyTopics {
                channel_id: channel_id.to_string(),
                requested: next.len(),
                limit: config.max_topics_per_channel,
            });
        }
        channel.renew(config.channel_lifetime, &self.inner.clock);
        channel.last_used = sequence;
        let previous = std::mem::replace(&mut channel.topics, next.clone());
        registry.unindex(org_id, channel_id, previous.difference(&next));
        let org_index = registry.subscribers.entry(org_id.to_string()).or_default();
        for name in &next {
            org_index.entry(name.clone()).or_default().insert(channel_id.to_string());
        }
        Ok(next.into_iter().collect())
    }

    /// `DELETE .../subscriptions`: removes every topic of the channel.
    pub fn unsubscribe_all(&self, org_id: &str, client_id: &str, channel_id: &str) -> Result<(), NotificationError> {
        let mut registry = self.registry();
        let channel = registry.owned_channel(org_id, client_id, channel_id, self.inner.clock.now())?;
        let previous = std::mem::take(&mut channel.topics);
        registry.unindex(org_id, channel_id, previous.iter());
        Ok(())
    }

    /// Whether any channel of the org listens to `topic` (lets callers skip building bodies).
    pub fn has_subscribers(&self, org_id: &str, topic: &str) -> bool {
        let registry = self.registry();
        registry.subscribers.get(org_id).and_then(|topics| topics.get(topic)).is_some_and(|ids| !ids.is_empty())
    }

    /// Sends `event_body` on `topic` to every subscribed channel of the org: logged for replay
    /// and queued to the channel's socket, if one is attached. Returns the number of channels
    /// reached. The body is serialized once, only when someone listens.
    pub fn publish<B: Serialize + ?Sized>(&self, org_id: &str, topic: &str, event_body: &B) -> usize {
        let mut registry = self.registry();
        let registry = &mut *registry;
        let Some(channel_ids) = registry.subscribers.get(org_id).and_then(|topics| topics.get(topic)) else {
            return 0;
        };
        if channel_ids.is_empty() {
            return 0;
        }
        registry.next_event_id += 1;
        let id = registry.next_event_id;
        let extension_id = (!self.inner.config.strict).then_some(id);
        let envelope = NotificationEvent {
            id: extension_id,
            topic_name: topic.to_string(),
            version: EVENT_VERSION.to_string(),
            event_body,
            metadata: Some(EventMetadata {
                correlation_id: uuid::Uuid::new_v4().to_string(),
                event_id: extension_id,
            }),
        };
        let text: Utf8Bytes = match serde_json::to_string(&envelope) {
            Ok(text) => text.into(),
            Err(error) => {
                tracing::warn!(%topic, %error, "notification body does not serialize; event dropped");
                return 0;
            }
        };
        let now = self.inner.clock.now();
        let mut expired = Vec::new();
        let mut reached = 0;
        for channel_id in channel_ids {
            let Some(channel) = registry.channels.get_mut(channel_id) else { continue };
            if channel.is_expired(now) {
                expired.push(channel_id.clone());
                continue;
            }
            channel.log.push(id, now, text.clone());
            reached += 1;
            let overflowed = match &channel.socket {
                Some(socket) => match socket.sender.try_send(text.clone()) {
                    Ok(()) => false,
                    Err(mpsc::error::TrySendError::Full(_)) => true,
                    // The socket task ended; detach will clear it, the event stays in the log.
                    Err(mpsc::error::TrySendError::Closed(_)) => false,
                },
                None => false,
            };
            if overflowed {
                // Dropping a slow consumer keeps memory bounded; the log still has the event.
                if let Some(socket) = channel.socket.take() {
                    socket.close(CloseReason::SlowConsumer);
                }
            }
        }
        for channel_id in expired {
            registry.remove_channel(&channel_id, CloseReason::ChannelRemoved);
        }
        reached
    }

    /// Connects a socket to a channel, closing the one connected before (one socket per
    /// channel). With `last_event_id`, also returns what the channel logged after it.
    pub(super) fn attach(&self, channel_id: &str, last_event_id: Option<u64>) -> Result<Attached, NotificationError> {
        let buffer = self.inner.config.socket_buffer.max(1);
        let mut registry = self.registry();
        let now = self.inner.clock.now();
        registry.drop_if_expired(channel_id, now);
        registry.sequence += 1;
        let generation = registry.sequence;
        let channel = registry
            .channels
            .get_mut(channel_id)
            .ok_or_else(|| NotificationError::ChannelNotFound(channel_id.to_string()))?;
        if let Some(previous) = channel.socket.take() {
            previous.close(CloseReason::Replaced);
        }
        let (sender, receiver) = mpsc::channel(buffer);
        let (close_sender, close) = oneshot::channel();
        channel.socket = Some(SocketHandle { generation, sender, close: close_sender });
        channel.last_used = generation;
        let replay = last_event_id.map(|last| channel.log.since(last, now));
        Ok(Attached { generation, receiver, close, replay })
    }

    /// Forgets a socket that ended, unless a newer one already replaced it.
    pub(super) fn detach(&self, channel_id: &str, generation: u64) {
        let mut registry = self.registry();
        if let Some(channel) = registry.channels.get_mut(channel_id)
            && channel.socket.as_ref().is_some_and(|socket| socket.generation == generation)
        {
            channel.socket = None;
        }
    }

    /// When the channel expires, `None` once it is gone.
    pub(super) fn expiry(&self, channel_id: &str) -> Option<Instant> {
        self.registry().channels.get(channel_id).map(|channel| channel.expires_at)
    }

    /// Removes the channel if it has expired; true when it is gone.
    pub(super) fn expire(&self, channel_id: &str) -> bool {
        let mut registry = self.registry();
        registry.drop_if_expired(channel_id, self.inner.clock.now());
        !registry.channels.contains_key(channel_id)
    }
}

fn format_expiry(channel: &ChannelState) -> String {
    channel.expires_utc.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}
