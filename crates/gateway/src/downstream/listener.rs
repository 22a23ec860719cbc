//! Accepting desktops: a per-address connection limit, TLS, the WebSocket upgrade under one
//! handshake deadline, and authentication (a JWT in `Authorization: Bearer` or, for browsers
//! that cannot set headers, `?access_token=`). A refused desktop still completes the upgrade
//! and is closed with a code that says why, because a browser cannot read a refused upgrade.

use crate::close::CloseReason;
use crate::downstream::session::{self, SessionContext};
use crate::jwt::{self, JwtError};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

/// Connections per source address, released when a connection ends.
#[derive(Default)]
pub struct AddressCounts {
    counts: Mutex<HashMap<IpAddr, usize>>,
}

pub struct AddressGuard {
    counts: Arc<AddressCounts>,
    address: IpAddr,
}

impl AddressCounts {
    /// Counts the connection; `None` when the address is at its limit.
    pub fn admit(self: &Arc<Self>, address: IpAddr, limit: usize) -> Option<AddressGuard> {
        let mut counts = self.counts.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let count = counts.entry(address).or_insert(0);
        if *count >= limit {
            return None;
        }
        *count += 1;
        Some(AddressGuard { counts: self.clone(), address })
    }
}

impl Drop for AddressGuard {
    fn drop(&mut self) {
        let mut counts = self.counts.counts.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(count) = counts.get_mut(&self.address) {
            *count -= 1;
            if *count == 0 {
                counts.remove(&self.address);
            }
        }
    }
}

/// Small buffers: an idle session should cost a few KiB (issue 11's goal is under 8 KiB). The read
/// buffer starts at 128 bytes and grows only for a frame that needs it (a desktop sends a few
/// small frames in a session's life); tungstenite reads at most this much per call, so it is not
/// smaller still (a 0 here means 14-byte reads). Writes are unbuffered.
fn websocket_config(context: &SessionContext) -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(128)
        .write_buffer_size(0)
        .max_frame_size(Some(context.limits.max_frame_bytes))
        .max_message_size(Some(context.limits.max_message_bytes))
}

fn token_from(request: &Request) -> Option<String> {
    let header = request.headers().get("authorization").and_then(|value| value.to_str().ok()).and_then(|value| {
        let (scheme, token) = value.split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_string())
    });
    header.or_else(|| {
        request.uri().query()?.split('&').find_map(|pair| pair.strip_prefix("access_token=").map(str::to_string))
    })
}

pub struct Listener {
    pub context: Arc<SessionContext>,
    pub tls: Option<TlsAcceptor>,
    pub addresses: Arc<AddressCounts>,
}

impl Listener {
    /// Accepts until `draining` turns true.
    pub async fn run(self: Arc<Self>, listener: TcpListener, mut draining: watch::Receiver<bool>) {
        loop {
            tokio::select! {
                _ = draining.changed() => if *draining.borrow() { return },
                accepted = listener.accept() => match accepted {
                    Ok((stream, peer)) => {
                        tokio::spawn(self.clone().connection(stream, peer));
                    }
                    Err(error) => {
                        // Out of file descriptors and the like: back off instead of spinning.
                        tracing::warn!(%error, "accept failed");
                        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    }
                },
            }
        }
    }

    async fn connection(self: Arc<Self>, stream: TcpStream, peer: SocketAddr) {
        let _ = stream.set_nodelay(true);
        let guard = self.addresses.admit(peer.ip(), self.context.limits.connections_per_address);
        let deadline = self.context.limits.handshake_timeout;
        match &self.tls {
            None => self.serve(stream, guard).await,
            Some(acceptor) => match tokio::time::timeout(deadline, Box::pin(acceptor.accept(stream))).await {
                Ok(Ok(tls)) => self.serve(tls, guard).await,
                _ => tracing::debug!(%peer, "TLS handshake failed or timed out"),
            },
        }
    }

    #[allow(clippy::result_large_err)] // the handshake callback's error type is tungstenite's
    async fn serve<S: AsyncRead + AsyncWrite + Unpin + Send + 'static>(&self, stream: S, guard: Option<AddressGuard>) {
        let context = &self.context;
        let mut token = None;
        let callback = |request: &Request, response: Response| {
            token = token_from(request);
            Ok(response)
        };
        let config = websocket_config(context);
        // Boxed so the handshake's state is freed once it is done, not carried by every session.
        let handshake = Box::pin(tokio_tungstenite::accept_hdr_async_with_config(stream, callback, Some(config)));
        let mut socket = match tokio::time::timeout(context.limits.handshake_timeout, handshake).await {
            Ok(Ok(socket)) => socket,
            _ => return,
        };
        let refuse = |reason: CloseReason| {
            context.hub.metrics.closed(reason);
            reason
        };
        if guard.is_none() {
            let reason = refuse(CloseReason::TooManyConnections);
            session::close(&mut socket, reason, None, context.limits.send_timeout).await;
            return;
        }
        let Some(token) = token else {
            let reason = refuse(CloseReason::TokenInvalid);
            session::close(&mut socket, reason, Some("no token".into()), context.limits.send_timeout).await;
            return;
        };
        match jwt::verify(&token, &context.keys.current(), jwt::now_seconds()) {
            // The session gets a task of its own, sized for the session alone; this connection
            // task (and the handshake state it carried) ends here. The guard goes with it.
            Ok(claims) => {
                tokio::spawn(session::run(socket, claims, context.clone(), guard));
                return;
            }
            Err(JwtError::Expired) => {
                let reason = refuse(CloseReason::TokenExpired);
                session::close(&mut socket, reason, None, context.limits.send_timeout).await;
            }
            Err(error) => {
                let reason = refuse(CloseReason::TokenInvalid);
                session::close(&mut socket, reason, Some(error.to_string()), context.limits.send_timeout).await;
            }
        }
        drop(guard);
    }
}
