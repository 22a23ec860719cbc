//! The notification service's wire types: channels, channel topics, the event envelope sent
//! over a channel's WebSocket, and the service messages (heartbeat, pong, socket closing).
//!
//! Extension (not on the real platform, which has no replay): every topic event carries a
//! monotonic `id`, repeated as `metadata.eventId`. A client that reconnects with
//! `Last-Event-ID: <id>` (header, or `?lastEventId=` on the connect URI) is sent what its
//! channel received after that id while it was away; when the retention window no longer holds
//! all of it, a `gap` message (topic `channel.metadata`) naming the missing id range comes
//! first. Ids grow across the whole emulator, so ids on one channel increase but skip values.

use serde::{Deserialize, Serialize};

/// The envelope's `version`, as the real service sends it.
pub const EVENT_VERSION: &str = "2";
/// Topic of the service's own messages on a channel: heartbeat, pong, and our gap message.
pub const CHANNEL_METADATA_TOPIC: &str = "channel.metadata";
/// Topic of the warning sent about a minute before the server closes a socket.
pub const SOCKET_CLOSING_TOPIC: &str = "v2.system.socket_closing";
pub const HEARTBEAT_MESSAGE: &str = "WebSocket Heartbeat";
pub const PONG_MESSAGE: &str = "pong";
/// Extension: the `message` of a gap notice.
pub const GAP_MESSAGE: &str = "gap";
/// Most topics one channel may hold; the 1,001st subscription is answered 400.
pub const MAX_TOPICS_PER_CHANNEL: usize = 1000;
/// Most channels per user/app (here: per org and OAuth client); the 21st evicts the oldest.
pub const MAX_CHANNELS_PER_CLIENT: usize = 20;

/// `POST /api/v2/notifications/channels` and the entries of the channel listing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Channel {
    pub id: String,
    /// Absolute `ws://` (real platform: `wss://streaming.<region>/channels/{id}`) URI.
    pub connect_uri: String,
    /// ISO-8601 UTC; subscribing again extends it.
    pub expires: String,
}

/// `GET /api/v2/notifications/channels`: the real listing has only `entities`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ChannelListing {
    pub entities: Vec<Channel>,
}

/// One subscription: `{"id": "v2.users.{id}.presence"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelTopic {
    pub id: String,
    /// `Permitted`, or `Rejected` for a topic on another org's object (with `rejectionReason`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejection_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_uri: Option<String>,
}

/// `GET/PUT/POST /api/v2/notifications/channels/{id}/subscriptions` answer.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ChannelTopicListing {
    pub entities: Vec<ChannelTopic>,
}

/// An entry of `GET /api/v2/notifications/availabletopics`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AvailableTopic {
    /// The template, e.g. `v2.users.{id}.presence`.
    pub id: String,
    pub description: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requires_permissions: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transports: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topic_parameters: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AvailableTopicListing {
    pub entities: Vec<AvailableTopic>,
}

/// A topic event as the channel's WebSocket delivers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotificationEvent<B = serde_json::Value> {
    /// Extension: the event id to resume from with `Last-Event-ID`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    pub topic_name: String,
    pub version: String,
    pub event_body: B,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<EventMetadata>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventMetadata {
    #[serde(rename = "CorrelationId")]
    pub correlation_id: String,
    /// Extension: the same id as the envelope's `id`.
    #[serde(rename = "eventId", default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<u64>,
}

/// `{"topicName":"channel.metadata","eventBody":{"message":...}}`: heartbeat, pong and gap.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelMetadata {
    pub topic_name: String,
    pub event_body: ChannelMetadataBody,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelMetadataBody {
    pub message: String,
    /// Gap only: the first id that may have been missed (the client's `Last-Event-ID` + 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_event_id: Option<u64>,
    /// Gap only: the last id no longer retained; replay resumes after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_event_id: Option<u64>,
}

impl ChannelMetadata {
    fn with_message(message: &str) -> Self {
        ChannelMetadata {
            topic_name: CHANNEL_METADATA_TOPIC.to_string(),
            event_body: ChannelMetadataBody {
                message: message.to_string(),
                from_event_id: None,
                to_event_id: None,
            },
        }
    }
    pub fn heartbeat() -> Self {
        Self::with_message(HEARTBEAT_MESSAGE)
    }
    pub fn pong() -> Self {
        Self::with_message(PONG_MESSAGE)
    }
    pub fn gap(from_event_id: u64, to_event_id: u64) -> Self {
        let mut gap = Self::with_message(GAP_MESSAGE);
        gap.event_body.from_event_id = Some(from_event_id);
        gap.event_body.to_event_id = Some(to_event_id);
        gap
    }
}

/// `v2.system.socket_closing`: the body follows the SDKs' `SystemMessageSystemMessage`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SocketClosing {
    pub topic_name: String,
    pub version: String,
    pub event_body: SocketClosingBody,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SocketClosingBody {
    pub channel_id: String,
    pub system_topic_type: String,
    pub reason: String,
    pub message: String,
}

impl SocketClosing {
    pub fn new(channel_id: &str, message: impl Into<String>) -> Self {
        SocketClosing {
            topic_name: SOCKET_CLOSING_TOPIC.to_string(),
            version: EVENT_VERSION.to_string(),
            event_body: SocketClosingBody {
                channel_id: channel_id.to_string(),
                system_topic_type: "socket_closing".to_string(),
                reason: "channel_expiring".to_string(),
                message: message.into(),
            },
        }
    }
}

/// What a client may send on the socket: `{"message":"ping"}`, or
/// `{"message":"subscribe"|"unsubscribe","topics":[...]}` as the real service accepts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientMessage {
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topics: Option<Vec<String>>,
}
