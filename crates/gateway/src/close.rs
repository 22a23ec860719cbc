//! Why the gateway closes a desktop's socket: one code per reason, so a desktop can tell
//! "log in again" from "reconnect later" from "fix your client".
//!
//! Close codes are for faults of the connection: the WebSocket framing (1002, 1003, 1007,
//! 1009), the token, the session's pace. A well-formed text frame that is not a request the
//! gateway understands (not JSON, an unknown `message`, a bad topic) is refused with an `error`
//! notice and the session stays open: one bad request must not cost a desktop its stream and
//! its subscriptions, nor the platform the reconnect and re-subscription that would follow.

/// Close codes. 1xxx are RFC 6455's; 4xxx are the gateway's own (private-use range).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseReason {
    /// The client closed, or the session ended normally.
    Normal,
    /// RFC 6455 1002: a malformed frame.
    ProtocolError,
    /// 1003: a binary frame; the protocol is JSON text.
    UnsupportedData,
    /// 1007: text that is not UTF-8.
    InvalidPayload,
    /// 1009: a frame or message over the size limit.
    TooBig,
    /// 1012: the gateway is draining for a restart; reconnect after the hinted delay.
    ServiceRestart,
    /// 1013: the session's queue is full (it cannot keep up); reconnect later.
    TryAgainLater,
    /// 4001: the token expired (and no `auth_refresh` arrived in time).
    TokenExpired,
    /// 4003: no token, a forged or malformed one, or a refresh for another subject.
    TokenInvalid,
    /// 4008: no frame from the client within the idle timeout.
    IdleTimeout,
    /// 4029: too many connections from this address.
    TooManyConnections,
}

impl CloseReason {
    pub fn code(self) -> u16 {
        match self {
            CloseReason::Normal => 1000,
            CloseReason::ProtocolError => 1002,
            CloseReason::UnsupportedData => 1003,
            CloseReason::InvalidPayload => 1007,
            CloseReason::TooBig => 1009,
            CloseReason::ServiceRestart => 1012,
            CloseReason::TryAgainLater => 1013,
            CloseReason::TokenExpired => 4001,
            CloseReason::TokenInvalid => 4003,
            CloseReason::IdleTimeout => 4008,
            CloseReason::TooManyConnections => 4029,
        }
    }

    pub fn text(self) -> &'static str {
        match self {
            CloseReason::Normal => "bye",
            CloseReason::ProtocolError => "protocol error",
            CloseReason::UnsupportedData => "binary frames are not supported",
            CloseReason::InvalidPayload => "invalid UTF-8",
            CloseReason::TooBig => "message too big",
            CloseReason::ServiceRestart => "service restart",
            CloseReason::TryAgainLater => "queue full; reconnect later",
            CloseReason::TokenExpired => "token expired",
            CloseReason::TokenInvalid => "token invalid",
            CloseReason::IdleTimeout => "idle timeout",
            CloseReason::TooManyConnections => "too many connections from this address",
        }
    }

    /// Metric label.
    pub fn label(self) -> &'static str {
        match self {
            CloseReason::Normal => "normal",
            CloseReason::ProtocolError => "protocol_error",
            CloseReason::UnsupportedData => "unsupported_data",
            CloseReason::InvalidPayload => "invalid_payload",
            CloseReason::TooBig => "too_big",
            CloseReason::ServiceRestart => "service_restart",
            CloseReason::TryAgainLater => "try_again_later",
            CloseReason::TokenExpired => "token_expired",
            CloseReason::TokenInvalid => "token_invalid",
            CloseReason::IdleTimeout => "idle_timeout",
            CloseReason::TooManyConnections => "too_many_connections",
        }
    }
}

#[cfg(test)]
mod tests;
