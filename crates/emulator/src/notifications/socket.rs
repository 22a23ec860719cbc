//! One channel's WebSocket: replays what a resuming client missed, forwards the hub's events,
//! sends heartbeats, answers `{"message":"ping"}` with a pong, and warns with
//! `v2.system.socket_closing` before closing the socket at channel expiry.

use super::channel::CloseReason;
use super::hub::{Attached, NotificationHub};
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use futures_util::SinkExt;
use futures_util::stream::{SplitSink, StreamExt};
use serde::Serialize;
use std::time::Duration;
use switchboard_api::notifications::{ChannelMetadata, ClientMessage, SocketClosing};
use tokio::time::{Instant, MissedTickBehavior};

/// The write half with the per-write deadline that catches clients that stopped reading.
struct Writer {
    sink: SplitSink<WebSocket, Message>,
    send_timeout: Duration,
}

/// A write failed or timed out: the socket is finished.
struct Gone;

impl Writer {
    async fn send(&mut self, message: Message) -> Result<(), Gone> {
        match tokio::time::timeout(self.send_timeout, self.sink.send(message)).await {
            Ok(Ok(())) => Ok(()),
            _ => Err(Gone),
        }
    }
    async fn send_json(&mut self, value: &impl Serialize) -> Result<(), Gone> {
        let text = serde_json::to_string(value).map_err(|_| Gone)?;
        self.send(Message::Text(text.into())).await
    }
    async fn close(&mut self, reason: CloseReason) {
        let frame = CloseFrame { code: reason.code(), reason: Utf8Bytes::from_static(reason.text()) };
        // Best effort: the peer may already be gone.
        let _ = self.send(Message::Close(Some(frame))).await;
    }
}

/// The close frame for a read error: 1009 for a message or frame over the limits, 1002 for any
/// other protocol violation. axum exposes the error only as text, so the kind is read from it.
fn protocol_close(error: &axum::Error) -> CloseFrame {
    let text = error.to_string();
    let too_big = text.contains("Space limit exceeded") || text.contains("too long") || text.contains("too big");
    let (code, reason) = if too_big {
        (1009, format!("message too big: at most {} bytes a message, {} a frame", crate::limits::SOCKET_MESSAGE_BYTES_MAX, crate::limits::SOCKET_FRAME_BYTES_MAX))
    } else {
        (1002, "protocol error".to_string())
    };
    // A close reason may hold at most 123 bytes.
    let reason: String = reason.chars().take(120).collect();
    CloseFrame { code, reason: Utf8Bytes::from(reason) }
}

/// Where the expiry timer stands: before the warning, or warned and waiting to close.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Expiry {
    WarnAt(Instant),
    CloseAt(Instant),
    Gone,
}

fn next_expiry_step(hub: &NotificationHub, channel_id: &str, warned: bool) -> Expiry {
    let Some(expires_at) = hub.expiry(channel_id) else { return Expiry::Gone };
    if warned {
        return Expiry::CloseAt(expires_at);
    }
    let warning = hub.config().closing_warning;
    Expiry::WarnAt(expires_at.checked_sub(warning).unwrap_or_else(|| hub.clock().now()))
}

pub(super) async fn serve(socket: WebSocket, hub: NotificationHub, channel_id: String, attached: Attached) {
    let Attached { generation, mut receiver, mut close, replay } = attached;
    let (sink, mut stream) = socket.split();
    let mut writer = Writer { sink, send_timeout: hub.config().send_timeout };
    let finished = async {
        if let Some(replay) = replay {
            if let Some((from, to)) = replay.gap {
                writer.send_json(&ChannelMetadata::gap(from, to)).await?;
            }
            for text in replay.events {
                writer.send(Message::Text(text)).await?;
            }
        }
        let period = hub.config().heartbeat_interval.max(Duration::from_millis(1));
        let mut heartbeat = tokio::time::interval_at(hub.clock().now() + period, period);
        heartbeat.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut warned = false;
        let mut step = next_expiry_step(&hub, &channel_id, warned);
        loop {
            let wake_at = match step {
                Expiry::WarnAt(at) | Expiry::CloseAt(at) => at,
                Expiry::Gone => {
                    writer.close(CloseReason::ChannelRemoved).await;
                    return Ok(());
                }
            };
            tokio::select! {
                biased;
                reason = &mut close => {
                    writer.close(reason.unwrap_or(CloseReason::ChannelRemoved)).await;
                    return Ok(());
                }
                event = receiver.recv() => match event {
                    Some(text) => writer.send(Message::Text(text)).await?,
                    None => return Ok(()),
                },
                incoming = stream.next() => match incoming {
                    Some(Ok(Message::Text(text))) => {
                        let is_ping = serde_json::from_str::<ClientMessage>(text.as_str())
                            .is_ok_and(|message| message.message == "ping");
                        if is_ping {
                            writer.send_json(&ChannelMetadata::pong()).await?;
                        }
                    }
                    Some(Ok(Message::Close(_))) | None => return Ok(()),
                    // A broken frame or an oversized message: say why before closing (1002 or
                    // 1009), rather than dropping the connection without a close frame.
                    Some(Err(error)) => {
                        let _ = writer.send(Message::Close(Some(protocol_close(&error)))).await;
                        return Ok(());
                    }
                    Some(Ok(_)) => {}
                },
                _ = heartbeat.tick() => writer.send_json(&ChannelMetadata::heartbeat()).await?,
                _ = tokio::time::sleep_until(wake_at) => {
                    // Subscribing renews a channel, so the expiry is read again before acting.
                    match (step, next_expiry_step(&hub, &channel_id, warned)) {
                        (Expiry::WarnAt(_), Expiry::WarnAt(at)) if at <= hub.clock().now() => {
                            let message = "The channel expires in about a minute; create a new channel and reconnect";
                            writer.send_json(&SocketClosing::new(&channel_id, message)).await?;
                            warned = true;
                        }
                        (Expiry::CloseAt(_), _) if hub.expire(&channel_id) => {
                            writer.close(CloseReason::ChannelRemoved).await;
                            return Ok(());
                        }
                        (Expiry::CloseAt(_), _) => warned = false,
                        _ => {}
                    }
                    step = next_expiry_step(&hub, &channel_id, warned);
                }
            }
        }
    };
    let _: Result<(), Gone> = finished.await;
    hub.detach(&channel_id, generation);
}
