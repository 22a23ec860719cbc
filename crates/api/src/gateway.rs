//! The gateway's downstream protocol: what an agent desktop sends to `switchboard gateway` and
//! the control notices it receives besides the platform's own event envelopes.
//!
//! Requests reuse the platform's shapes: `{"message":"subscribe","topics":[...]}` (the channel
//! WebSocket's message), or the REST subscription body `[{"id":"v2.users.{id}.presence"}]`.
//! The one addition is seed 003's `auth_refresh` frame. Every notice travels on the platform's
//! `channel.metadata` topic, so a desktop that only understands the platform ignores them.

use serde::{Deserialize, Serialize};

pub use crate::notifications::CHANNEL_METADATA_TOPIC;

/// `frame_type` of seed 003's token rotation frame.
pub const AUTH_REFRESH_FRAME: &str = "auth_refresh";

/// Notice messages (`eventBody.message`).
pub mod notice {
    /// Topics are now delivered (after the upstream subscription exists).
    pub const SUBSCRIBED: &str = "subscribed";
    pub const UNSUBSCRIBED: &str = "unsubscribed";
    /// The session's token reached 85 % of its lifetime: send `auth_refresh`.
    pub const AUTH_EXPIRING: &str = "auth_expiring";
    pub const AUTH_REFRESHED: &str = "auth_refreshed";
    /// Events on `topics` may have been missed (upstream loss without replay).
    pub const GAP: &str = "gap";
    /// The current state of one topic re-read through the REST API after a gap.
    pub const SNAPSHOT: &str = "snapshot";
    /// A request was refused; `detail` says why. The socket stays open.
    pub const ERROR: &str = "error";
    pub const PONG: &str = "pong";
}

/// One frame from an agent desktop. Either the platform's socket message (`message` and
/// `topics`) or seed 003's `{"frame_type":"auth_refresh","token_payload":{"access_token":...}}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ClientFrame {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topics: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frame_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_payload: Option<TokenPayload>,
}

/// The token part of an `auth_refresh` frame (seed 003 §3); only `access_token` is read.
/// `Debug` by hand below: the access token is a credential.
#[derive(Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TokenPayload {
    pub access_token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<u64>,
}

/// `{"topicName":"channel.metadata","eventBody":{"message":"gap","topics":[...]}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GatewayNotice {
    pub topic_name: String,
    pub event_body: GatewayNoticeBody,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GatewayNoticeBody {
    pub message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<String>,
    /// Human-readable reason (errors, gaps).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// `auth_expiring` / `auth_refreshed`: seconds left on the session's token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in_seconds: Option<f64>,
    /// `snapshot`: the REST representation of the topic's current state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<serde_json::Value>,
}

impl GatewayNotice {
    pub fn new(message: &str) -> Self {
        GatewayNotice {
            topic_name: CHANNEL_METADATA_TOPIC.to_string(),
            event_body: GatewayNoticeBody { message: message.to_string(), ..GatewayNoticeBody::default() },
        }
    }
    pub fn with_topics(mut self, topics: Vec<String>) -> Self {
        self.event_body.topics = topics;
        self
    }
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.event_body.detail = Some(detail.into());
        self
    }
    pub fn with_expiry(mut self, seconds: f64) -> Self {
        self.event_body.expires_in_seconds = Some(seconds);
        self
    }
    pub fn with_state(mut self, state: serde_json::Value) -> Self {
        self.event_body.state = Some(state);
        self
    }
}

/// Just enough of an upstream envelope to route it: the gateway forwards the original text.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvelopeHead<'a> {
    #[serde(borrow)]
    pub topic_name: std::borrow::Cow<'a, str>,
    /// The emulator's replay extension; absent on the real platform.
    #[serde(default)]
    pub id: Option<u64>,
}

impl std::fmt::Debug for TokenPayload {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("TokenPayload")
            .field("access_token", &crate::redact::Redacted)
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .finish()
    }
}
