//! One notification channel: its owner, topics, expiry, the socket attached to it and the
//! retention log that `Last-Event-ID` replays from.

use axum::extract::ws::Utf8Bytes;
use std::collections::{BTreeSet, VecDeque};
use std::time::Duration;
use tokio::time::Instant;
use tokio::sync::{mpsc, oneshot};

/// Why the server closes a socket; becomes the close frame's code and reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseReason {
    /// A second socket connected to the same channel (the real platform drops the first).
    Replaced,
    /// The socket's send buffer overflowed; the client should reconnect with `Last-Event-ID`.
    SlowConsumer,
    /// The channel was removed: expired, deleted, or evicted by the 21st channel.
    ChannelRemoved,
}

impl CloseReason {
    pub fn code(self) -> u16 {
        match self {
            CloseReason::Replaced => 4000,
            // 1013 "try again later": the client is expected to resume.
            CloseReason::SlowConsumer => 1013,
            CloseReason::ChannelRemoved => 1000,
        }
    }
    pub fn text(self) -> &'static str {
        match self {
            CloseReason::Replaced => "another socket connected to this channel",
            CloseReason::SlowConsumer => "send buffer overflow; reconnect with Last-Event-ID",
            CloseReason::ChannelRemoved => "channel closed",
        }
    }
}

/// The hub's end of an attached socket.
pub struct SocketHandle {
    pub generation: u64,
    pub sender: mpsc::Sender<Utf8Bytes>,
    pub close: oneshot::Sender<CloseReason>,
}

impl SocketHandle {
    pub fn close(self, reason: CloseReason) {
        // The socket task may already be gone; then there is nothing left to close.
        let _ = self.close.send(reason);
    }
}

pub struct ChannelState {
    pub org_id: String,
    pub client_id: String,
    pub expires_at: Instant,
    pub expires_utc: chrono::DateTime<chrono::Utc>,
    /// Hub sequence of the last create, subscription change or connect: eviction picks the lowest.
    pub last_used: u64,
    pub topics: BTreeSet<String>,
    pub log: EventLog,
    pub socket: Option<SocketHandle>,
}

impl ChannelState {
    pub fn renew(&mut self, lifetime: Duration, clock: &crate::clock::Clock) {
        self.expires_at = clock.now() + lifetime;
        self.expires_utc = chrono::Duration::from_std(lifetime)
            .ok()
            .and_then(|lifetime| clock.utc().checked_add_signed(lifetime))
            .unwrap_or(chrono::DateTime::<chrono::Utc>::MAX_UTC);
    }

    pub fn is_expired(&self, now: Instant) -> bool {
        self.expires_at <= now
    }
}

struct LoggedEvent {
    id: u64,
    at: Instant,
    text: Utf8Bytes,
}

/// The events a channel received, bounded by count and age, for replay on reconnect.
pub struct EventLog {
    events: VecDeque<LoggedEvent>,
    /// The highest id that left the window; a client behind it has a gap.
    dropped_through: u64,
    max_events: usize,
    max_age: Duration,
}

/// What a reconnecting client is owed: an optional gap `(from, to)` and then the events.
pub struct Replay {
    pub gap: Option<(u64, u64)>,
    pub events: Vec<Utf8Bytes>,
}

impl EventLog {
    pub fn new(max_events: usize, max_age: Duration) -> Self {
        EventLog { events: VecDeque::new(), dropped_through: 0, max_events, max_age }
    }

    pub fn push(&mut self, id: u64, at: Instant, text: Utf8Bytes) {
        self.events.push_back(LoggedEvent { id, at, text });
        self.evict(at);
    }

    fn evict(&mut self, now: Instant) {
        while let Some(front) = self.events.front() {
            let too_many = self.events.len() > self.max_events;
            let too_old = now.saturating_duration_since(front.at) > self.max_age;
            if !too_many && !too_old {
                break;
            }
            self.dropped_through = self.dropped_through.max(front.id);
            self.events.pop_front();
        }
    }

    /// Everything after `last_event_id`, preceded by a gap when some of it left the window.
    pub fn since(&mut self, last_event_id: u64, now: Instant) -> Replay {
        self.evict(now);
        let gap = (self.dropped_through > last_event_id).then_some((last_event_id + 1, self.dropped_through));
        // Ids are pushed in increasing order, so the first newer event starts the replay.
        let start = self.events.partition_point(|event| event.id <= last_event_id);
        let events = self.events.iter().skip(start).map(|event| event.text.clone()).collect();
        Replay { gap, events }
    }
}
