//! One desktop's session: reads its frames (subscribe, unsubscribe, ping, `auth_refresh`),
//! writes its queued events, warns before its token expires, and closes with the code that says
//! why. The queue is filled by the hub; this task only drains it, so a slow socket delays only
//! itself.

use crate::close::CloseReason;
use crate::config::ClientLimits;
use crate::downstream::auth::{AuthClock, AuthStep};
use crate::downstream::listener::AddressGuard;
use crate::hub::{Hub, SessionShared};
use crate::jwt::{self, Claims, JwtError};
use crate::keys::KeyRing;
use crate::table::{expand_topic, is_plausible_topic};
use crate::upstream::{PoolCommand, PoolHandle};
use futures_util::{SinkExt, StreamExt};
use std::sync::Arc;
use std::time::{Duration, Instant};
use switchboard_api::gateway::{AUTH_REFRESH_FRAME, ClientFrame, GatewayNotice, notice};
use switchboard_api::notifications::ChannelTopic;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Bytes, Error as WsError, Message};

/// Most topics one session may watch (the platform's per-channel limit).
const MAX_TOPICS_PER_SESSION: usize = 1_000;
/// Frames written per wake-up before other work (reads, timers) gets a turn.
const WRITE_BATCH: usize = 64;
/// A close frame to a desktop that stopped reading cannot arrive; do not wait long for it.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(1);

/// What every session shares.
pub struct SessionContext {
    pub hub: Arc<Hub>,
    pub pool: PoolHandle,
    pub keys: KeyRing,
    pub limits: ClientLimits,
    pub warning_fraction: f64,
}

type Closing = (CloseReason, Option<String>);

/// Closes `socket` with `reason` (best effort, bounded by the send timeout).
pub async fn close<S: AsyncRead + AsyncWrite + Unpin>(socket: &mut WebSocketStream<S>, reason: CloseReason, detail: Option<String>, timeout: Duration) {
    let mut text = reason.text().to_string();
    if let Some(detail) = detail {
        text = format!("{text}: {detail}");
    }
    // A close reason is at most 123 bytes.
    while text.len() > 123 {
        text.pop();
    }
    let frame = CloseFrame { code: CloseCode::from(reason.code()), reason: text.into() };
    let _ = tokio::time::timeout(timeout, socket.close(Some(frame))).await;
}

/// The session's task; `guard` (its place in the per-address count) is released when it ends.
pub async fn run<S: AsyncRead + AsyncWrite + Unpin>(mut socket: WebSocketStream<S>, claims: Claims, context: Arc<SessionContext>, guard: Option<AddressGuard>) {
    let session = context.hub.open_session(&claims.sub);
    let (reason, detail) = drive(&mut socket, &session, claims, &context).await;
    context.hub.metrics.closed(reason);
    // Forget the session (and free its queue) before the close handshake, which may be slow.
    let unneeded = context.hub.close_session(&session);
    if !unneeded.is_empty() {
        context.pool.send(PoolCommand::Release { topics: unneeded });
    }
    close(&mut socket, reason, detail, context.limits.send_timeout.min(CLOSE_TIMEOUT)).await;
    drop(guard);
}

fn read_error(error: &WsError) -> Closing {
    match error {
        WsError::Capacity(detail) => (CloseReason::TooBig, Some(detail.to_string())),
        WsError::Protocol(detail) => (CloseReason::ProtocolError, Some(detail.to_string())),
        WsError::Utf8(_) => (CloseReason::InvalidPayload, None),
        _ => (CloseReason::Normal, None),
    }
}

async fn drive<S: AsyncRead + AsyncWrite + Unpin>(socket: &mut WebSocketStream<S>, session: &Arc<SessionShared>, claims: Claims, context: &SessionContext) -> Closing {
    let limits = &context.limits;
    let mut auth = AuthClock::new(&claims, context.warning_fraction, Instant::now(), jwt::now_seconds());
    let mut idle_deadline = tokio::time::Instant::now() + limits.idle_timeout;
    let mut next_ping = tokio::time::Instant::now() + limits.ping_interval;
    loop {
        if let Some(closing) = session.close_requested() {
            return closing;
        }
        tokio::select! {
            biased;
            _ = session.wake.notified() => {
                // Boxed: the write's state exists only while there is something to write, so an
                // idle session's task stays small.
                if let Err(closing) = Box::pin(write_queued(socket, session, context)).await {
                    return closing;
                }
            }
            incoming = socket.next() => {
                idle_deadline = tokio::time::Instant::now() + limits.idle_timeout;
                match incoming {
                    Some(Ok(Message::Text(text))) => {
                        if let Err(closing) = handle_text(text.as_str(), session, &claims.sub, &mut auth, context) {
                            return closing;
                        }
                    }
                    Some(Ok(Message::Binary(_))) => return (CloseReason::UnsupportedData, None),
                    Some(Ok(Message::Close(_))) | None => return (CloseReason::Normal, None),
                    Some(Ok(_)) => {}
                    Some(Err(error)) => return read_error(&error),
                }
            }
            // One timer for the three deadlines: each pending `Sleep` is held in the session's
            // future, and idle sessions are what the gateway holds by the ten thousand.
            _ = tokio::time::sleep_until(idle_deadline.min(next_ping).min(auth.deadline().into())) => {
                let now = tokio::time::Instant::now();
                if now >= tokio::time::Instant::from(auth.deadline()) {
                    match auth.next() {
                        AuthStep::WarnAt(_) => {
                            auth.mark_warned();
                            let left = auth.remaining(Instant::now()).as_secs_f64();
                            context.hub.notify(session, &GatewayNotice::new(notice::AUTH_EXPIRING).with_expiry(left).with_detail("send an auth_refresh frame with a new token"));
                        }
                        AuthStep::ExpireAt(_) => return (CloseReason::TokenExpired, None),
                    }
                }
                if now >= idle_deadline {
                    return (CloseReason::IdleTimeout, None);
                }
                if now >= next_ping {
                    next_ping = now + limits.ping_interval;
                    // Boxed like the writes: the ping's state exists only while it is sent.
                    let ping = Box::pin(tokio::time::timeout(limits.send_timeout, socket.send(Message::Ping(Bytes::new()))));
                    if ping.await.map_or(true, |sent| sent.is_err()) {
                        return (CloseReason::Normal, None);
                    }
                }
            }
        }
    }
}

async fn write_queued<S: AsyncRead + AsyncWrite + Unpin>(socket: &mut WebSocketStream<S>, session: &SessionShared, context: &SessionContext) -> Result<(), Closing> {
    let frames = context.hub.take(session, WRITE_BATCH);
    if frames.len() == WRITE_BATCH {
        // More are waiting: come back after a read or timer had its turn.
        session.wake.notify_one();
    }
    if frames.is_empty() {
        return Ok(());
    }
    let count = frames.len() as u64;
    let received: Vec<Instant> = frames.iter().map(|frame| frame.received_at).collect();
    let write = async {
        for frame in frames {
            socket.feed(Message::Text(frame.text)).await?;
        }
        socket.flush().await
    };
    let outcome = tokio::select! {
        outcome = tokio::time::timeout(context.limits.send_timeout, write) => outcome,
        // Closed (queue full, drain, expiry) while blocked on a desktop that stopped reading.
        _ = session.closing.notified() => return Err(session.close_requested().unwrap_or((CloseReason::Normal, None))),
    };
    match outcome {
        Ok(Ok(())) => {
            let now = Instant::now();
            for at in received {
                context.hub.metrics.delivery_latency.observe(now.duration_since(at).as_secs_f64());
            }
            context.hub.metrics.delivered.inc_by(count);
            Ok(())
        }
        Ok(Err(_)) => Err((CloseReason::Normal, None)),
        // The desktop stopped reading: its queue will fill; close now.
        Err(_) => Err((CloseReason::TryAgainLater, Some("write timed out".to_string()))),
    }
}

fn refuse(context: &SessionContext, session: &SessionShared, detail: impl Into<String>) {
    context.hub.notify(session, &GatewayNotice::new(notice::ERROR).with_detail(detail));
}

fn requested_topics(frame: &ClientFrame) -> Result<Vec<String>, String> {
    let topics: Vec<String> = frame.topics.iter().flatten().flat_map(|topic| expand_topic(topic)).collect();
    if let Some(bad) = topics.iter().find(|topic| !is_plausible_topic(topic)) {
        return Err(format!("invalid topic {bad:?}"));
    }
    Ok(topics)
}

fn handle_text(text: &str, session: &Arc<SessionShared>, subject: &str, auth: &mut AuthClock, context: &SessionContext) -> Result<(), Closing> {
    // The REST subscription body `[{"id": ...}]` is a subscribe too.
    let frame = if text.trim_start().starts_with('[') {
        serde_json::from_str::<Vec<ChannelTopic>>(text)
            .map(|topics| ClientFrame { message: Some("subscribe".into()), topics: Some(topics.into_iter().map(|topic| topic.id).collect()), ..ClientFrame::default() })
    } else {
        serde_json::from_str::<ClientFrame>(text)
    };
    let frame = match frame {
        Ok(frame) => frame,
        Err(error) => {
            refuse(context, session, format!("not a gateway request: {error}"));
            return Ok(());
        }
    };
    if frame.frame_type.as_deref() == Some(AUTH_REFRESH_FRAME) {
        return refresh(frame, session, subject, auth, context);
    }
    match frame.message.as_deref() {
        Some("ping") => context.hub.notify(session, &GatewayNotice::new(notice::PONG)),
        Some(verb @ ("subscribe" | "unsubscribe")) => {
            let topics = match requested_topics(&frame) {
                Ok(topics) => topics,
                Err(detail) => {
                    refuse(context, session, detail);
                    return Ok(());
                }
            };
            if verb == "subscribe" {
                if topics.len() > MAX_TOPICS_PER_SESSION {
                    refuse(context, session, format!("at most {MAX_TOPICS_PER_SESSION} topics per session"));
                    return Ok(());
                }
                context.pool.send(PoolCommand::Subscribe { session: session.clone(), topics });
            } else {
                context.pool.send(PoolCommand::Unsubscribe { session: session.clone(), topics });
            }
        }
        other => refuse(context, session, format!("unknown message {other:?}")),
    }
    Ok(())
}

fn refresh(frame: ClientFrame, session: &SessionShared, subject: &str, auth: &mut AuthClock, context: &SessionContext) -> Result<(), Closing> {
    let Some(payload) = frame.token_payload else {
        return Err((CloseReason::TokenInvalid, Some("auth_refresh without token_payload".into())));
    };
    match jwt::verify(&payload.access_token, &context.keys.current(), jwt::now_seconds()) {
        Ok(claims) if claims.sub == subject => {
            *auth = AuthClock::new(&claims, context.warning_fraction, Instant::now(), jwt::now_seconds());
            let left = auth.remaining(Instant::now()).as_secs_f64();
            context.hub.notify(session, &GatewayNotice::new(notice::AUTH_REFRESHED).with_expiry(left));
            Ok(())
        }
        Ok(_) => Err((CloseReason::TokenInvalid, Some("refresh token is for another subject".into()))),
        Err(JwtError::Expired) => Err((CloseReason::TokenExpired, Some("refresh token already expired".into()))),
        Err(error) => Err((CloseReason::TokenInvalid, Some(error.to_string()))),
    }
}
