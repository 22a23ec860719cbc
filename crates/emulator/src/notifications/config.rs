//! The notification service's limits and timings. Defaults are the real platform's; tests
//! shorten the intervals so heartbeats and expiry warnings arrive in milliseconds.

use std::time::Duration;
use switchboard_api::notifications::{MAX_CHANNELS_PER_CLIENT, MAX_TOPICS_PER_CHANNEL};

#[derive(Debug, Clone, PartialEq)]
pub struct NotificationConfig {
    /// Serve only the real platform's behaviour: no event ids, no `Last-Event-ID` replay.
    pub strict: bool,
    /// How long a channel lives after creation or its last subscription change (real: 24 h).
    pub channel_lifetime: Duration,
    /// How long before closing a socket at channel expiry `v2.system.socket_closing` is sent
    /// (real: about a minute).
    pub closing_warning: Duration,
    /// Interval of `WebSocket Heartbeat` messages (real: 30 s).
    pub heartbeat_interval: Duration,
    /// Channels per org and OAuth client; creating one more removes the oldest (real: 20).
    pub max_channels_per_client: usize,
    /// Topics per channel; more is a 400 (real: 1,000).
    pub max_topics_per_channel: usize,
    /// Extension: events a channel keeps for `Last-Event-ID` replay, by count...
    pub retention_events: usize,
    /// ...and by age; an event leaves the window when either bound is passed.
    pub retention_age: Duration,
    /// Messages queued for one socket before it counts as a slow consumer and is closed
    /// (the client resumes with `Last-Event-ID`). Bounds memory per socket.
    pub socket_buffer: usize,
    /// A socket whose single write takes longer than this is closed the same way.
    pub send_timeout: Duration,
}

impl Default for NotificationConfig {
    fn default() -> Self {
        NotificationConfig {
            strict: false,
            channel_lifetime: Duration::from_secs(24 * 60 * 60),
            closing_warning: Duration::from_secs(60),
            heartbeat_interval: Duration::from_secs(30),
            max_channels_per_client: MAX_CHANNELS_PER_CLIENT,
            max_topics_per_channel: MAX_TOPICS_PER_CHANNEL,
            retention_events: 10_000,
            retention_age: Duration::from_secs(5 * 60),
            socket_buffer: 8_192,
            send_timeout: Duration::from_secs(30),
        }
    }
}
