//! The gateway: agent desktops connect over WebSocket, authenticate with a JWT and subscribe to
//! platform topics; the gateway multiplexes them over a small pool of upstream notification
//! channels (deduplicated, reference-counted topics, packed per entity and agent), with bounded
//! per-session queues, conflation, draining, and resumption after upstream loss.
//!
//! Pure core: `table` (who watches what), `packing` (which channel carries a topic), `queue`
//! (a session's bounded queue), `downstream::auth` (token clock), `jwt`, `upstream::cursor`
//! (stream position per channel incarnation), `upstream::catalogue`. Thin async
//! drivers: `downstream` (listener, sessions), `upstream` (pool worker, channel tasks), `admin`.

pub mod admin;
pub mod close;
pub mod config;
pub mod downstream;
pub mod hub;
pub mod jwt;
pub mod keys;
pub mod metrics;
pub mod packing;
pub mod queue;
mod reload;
pub mod table;
pub mod tls;
pub mod upstream;

pub use close::CloseReason;
pub use config::{ClientLimits, GatewayConfig, PoolConfig, QueueLimits, TlsFiles};
pub use metrics::GatewayStats;

use downstream::listener::{AddressCounts, Listener};
use downstream::session::SessionContext;
use hub::Hub;
use keys::KeyRing;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use switchboard_platform::Platform;
use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use upstream::{PoolCommand, PoolHandle};

#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error("the gateway needs at least one upstream platform client")]
    NoUpstream,
    #[error(transparent)]
    Keys(#[from] keys::KeyError),
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
}

/// A running gateway. Dropping it stops everything without draining.
pub struct RunningGateway {
    addr: SocketAddr,
    admin_addr: SocketAddr,
    hub: Arc<Hub>,
    pool: PoolHandle,
    ready: Arc<AtomicBool>,
    draining: watch::Sender<bool>,
    drain_window: Duration,
    tasks: Vec<JoinHandle<()>>,
}

fn bind(addr: SocketAddr, reuse_port: bool) -> Result<TcpListener, GatewayError> {
    let error = |source| GatewayError::Bind { addr, source };
    let socket = if addr.is_ipv4() { TcpSocket::new_v4() } else { TcpSocket::new_v6() }.map_err(error)?;
    socket.set_reuseaddr(true).map_err(error)?;
    if reuse_port {
        // Several gateway processes share the port; the kernel spreads connections over them.
        socket.set_reuseport(true).map_err(error)?;
    }
    socket.bind(addr).map_err(error)?;
    socket.listen(4096).map_err(error)
}

/// Starts the gateway: admin and session listeners, the upstream pool over `upstream` (one
/// client per OAuth client; the pool spreads channels over them, 20 each), file watchers.
pub async fn start(config: GatewayConfig, upstream: Vec<Arc<dyn Platform>>) -> Result<RunningGateway, GatewayError> {
    if upstream.is_empty() {
        return Err(GatewayError::NoUpstream);
    }
    let mut tasks = Vec::new();
    let (keys, key_task) = KeyRing::watched(config.jwt_keys.clone(), config.reload_interval)?;
    tasks.push(key_task);
    let tls = match &config.tls {
        Some(files) => {
            let (acceptor, task) = tls::acceptor(files.clone(), config.reload_interval)?;
            tasks.push(task);
            Some(acceptor)
        }
        None => None,
    };
    let hub = Arc::new(Hub::new(config.queues.clone()));
    let (pool, pool_task) = upstream::pool::spawn(upstream, hub.clone(), config.pool.clone());
    tasks.push(pool_task);

    let listener = bind(config.listen, config.reuse_port)?;
    let addr = listener.local_addr().map_err(|source| GatewayError::Bind { addr: config.listen, source })?;
    let admin = TcpListener::bind(config.admin_listen).await.map_err(|source| GatewayError::Bind { addr: config.admin_listen, source })?;
    let admin_addr = admin.local_addr().map_err(|source| GatewayError::Bind { addr: config.admin_listen, source })?;

    let ready = Arc::new(AtomicBool::new(true));
    let admin_app = admin::app(admin::AdminState { hub: hub.clone(), ready: ready.clone() });
    tasks.push(tokio::spawn(async move {
        if let Err(error) = axum::serve(admin, admin_app).await {
            tracing::warn!(%error, "admin listener stopped");
        }
    }));

    let context = Arc::new(SessionContext { hub: hub.clone(), pool: pool.clone(), keys, limits: config.limits.clone(), warning_fraction: config.auth_warning_fraction });
    let (draining, draining_receiver) = watch::channel(false);
    let acceptor = Arc::new(Listener { context, tls, addresses: Arc::new(AddressCounts::default()) });
    tasks.push(tokio::spawn(acceptor.run(listener, draining_receiver)));
    tracing::info!(%addr, %admin_addr, "gateway listening");
    Ok(RunningGateway { addr, admin_addr, hub, pool, ready, draining, drain_window: config.drain_window, tasks })
}

impl RunningGateway {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
    pub fn admin_addr(&self) -> SocketAddr {
        self.admin_addr
    }
    /// `ws://127.0.0.1:PORT` (`wss` clients use the same port when TLS is configured).
    pub fn url(&self) -> String {
        format!("ws://{}", self.addr)
    }
    pub fn stats(&self) -> GatewayStats {
        self.hub.metrics.stats()
    }
    pub fn metrics_text(&self) -> String {
        self.hub.metrics.encode()
    }

    /// Keeps at least `channels` upstream channels open (before a known burst).
    pub fn prewarm(&self, channels: usize) {
        self.pool.send(PoolCommand::Prewarm(channels));
    }

    /// SIGTERM behaviour: readiness turns false, no new sessions are accepted, and every session
    /// is closed with 1012 "service restart" at a moment spread evenly over the drain window,
    /// with a reconnect hint, so a rolling deploy causes no reconnection storm. Returns when
    /// every session is closed (or the window plus a grace period has passed).
    pub async fn drain(&self) -> usize {
        self.ready.store(false, Ordering::SeqCst);
        let _ = self.draining.send(true);
        let sessions = self.hub.sessions();
        let count = sessions.len();
        let window = self.drain_window;
        let started = tokio::time::Instant::now();
        for (index, session) in sessions.iter().enumerate() {
            let at = started + window.mul_f64(index as f64 / count.max(1) as f64);
            tokio::time::sleep_until(at).await;
            // Each desktop waits a different share of a second before reconnecting elsewhere.
            let hint = (index * 997) % 1000;
            session.close(CloseReason::ServiceRestart, Some(format!("reconnect after {hint} ms")));
        }
        let grace = started + window + Duration::from_secs(5);
        loop {
            // Registered before the check, so a close between the two is not missed.
            let closed = self.hub.session_closed.notified();
            tokio::pin!(closed);
            closed.as_mut().enable();
            if self.hub.session_count() == 0 || tokio::time::timeout_at(grace, closed).await.is_err() {
                break;
            }
        }
        count
    }
}

impl Drop for RunningGateway {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
        for session in self.hub.sessions() {
            session.close(CloseReason::ServiceRestart, None);
        }
    }
}
