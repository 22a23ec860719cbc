//! Starting and stopping an emulator: `spawn(options)` binds, seeds or loads the store, and
//! serves connections itself (hyper http1 with upgrades) so that a fault rule can reset a TCP
//! connection — something a handler cannot do through `axum::serve`.

use crate::connection::ConnectionTimeouts;
use crate::control_token::ControlToken;
use crate::error::EmulatorError;
use crate::state::{AppState, Settings, persist, seed};
use crate::topology::Topology;
use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;
use switchboard_api::credentials::CredentialsFile;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};
use tokio::task::{JoinHandle, JoinSet};
use tower::ServiceExt;

/// How to run an emulator. `Default`: 127.0.0.1:0, default topology, not strict, 24 h tokens,
/// 300 requests per minute per token.
#[derive(Debug, Clone)]
pub struct EmulatorOptions {
    pub listen: SocketAddr,
    /// `None` = `Topology::default()`. Ignored when `state_dir` already holds saved state.
    pub topology: Option<Topology>,
    pub state_dir: Option<PathBuf>,
    pub strict: bool,
    pub token_lifetime: Duration,
    /// Requests allowed per token per window (the window is a minute unless `rate_limit_window` says otherwise).
    pub rate_limit_per_minute: u32,
    /// A minute, as on the real platform; tests shorten it.
    pub rate_limit_window: Duration,
    /// Notification channel limits and timings (tests shorten heartbeats and expiry).
    pub notifications: crate::notifications::NotificationConfig,
    /// Header-read (and idle), body-read and TLS handshake timeouts of every listener.
    pub connections: ConnectionTimeouts,
    /// How long a flow publish stays pending before its operation completes (200 ms; a model of
    /// the platform's asynchronous publish). Benchmarks set zero to time the publishing itself.
    pub publish_delay: Duration,
    /// The control credential (`/_emulator/*`); `None` = a fresh random one per process. A
    /// secret: `Debug` does not print it.
    pub control_token: Option<ControlTokenOption>,
}

/// An operator-chosen control credential, kept out of `Debug`.
#[derive(Clone)]
pub struct ControlTokenOption(pub String);

impl std::fmt::Debug for ControlTokenOption {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("***")
    }
}

impl Default for EmulatorOptions {
    fn default() -> Self {
        EmulatorOptions {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            topology: None,
            state_dir: None,
            strict: false,
            token_lifetime: Duration::from_secs(86_400),
            rate_limit_per_minute: 300,
            rate_limit_window: Duration::from_secs(60),
            notifications: crate::notifications::NotificationConfig::default(),
            connections: ConnectionTimeouts::default(),
            publish_delay: Settings::default().publish_delay,
            control_token: None,
        }
    }
}

/// A running emulator. Dropping it stops the server (and commits queued state writes) like
/// `shutdown` does, without waiting for open connections.
pub struct RunningEmulator {
    addr: SocketAddr,
    state: AppState,
    credentials: CredentialsFile,
    stop: Option<watch::Sender<bool>>,
    server: Option<JoinHandle<()>>,
}

impl RunningEmulator {
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
    pub fn credentials(&self) -> &CredentialsFile {
        &self.credentials
    }
    pub fn state(&self) -> AppState {
        self.state.clone()
    }

    /// The control credential `/_emulator/*` requires (header
    /// `switchboard_api::emulator::CONTROL_TOKEN_HEADER`). A secret: never log it.
    pub fn control_token(&self) -> &str {
        self.state.control_token()
    }

    /// An HTTP client that sends the control credential on every request: for tests and tools
    /// that drive `/_emulator/*` (`emulator.control_client().post(format!("{}/_emulator/faults", emulator.base_url()))`).
    pub fn control_client(&self) -> reqwest::Client {
        control_client(self.control_token())
    }

    /// Stops accepting, closes connections, commits queued state writes.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(true);
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        // Drop commits and stops the state writer.
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(true);
        }
        // Every acknowledged write is already on disk; this commits background writes.
        self.state.directory().stop_persisting();
    }
}

/// An HTTP client that sends `token` as the control credential on every request.
pub fn control_client(token: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    if let Ok(mut value) = reqwest::header::HeaderValue::from_str(token) {
        value.set_sensitive(true);
        headers.insert(switchboard_api::emulator::CONTROL_TOKEN_HEADER, value);
    }
    reqwest::Client::builder().default_headers(headers).build().unwrap_or_default()
}

pub async fn spawn(options: EmulatorOptions) -> Result<RunningEmulator, EmulatorError> {
    let control_token = match &options.control_token {
        None => ControlToken::random(),
        Some(ControlTokenOption(given)) => ControlToken::given(given)
            .ok_or_else(|| EmulatorError::Internal("the control token is empty or has characters other than visible ASCII".to_string()))?,
    };
    let (persister, saved) = match &options.state_dir {
        Some(dir) => {
            let (persister, saved) = persist::open(dir)?;
            (Some(persister), saved)
        }
        None => (None, None),
    };
    let fresh = saved.is_none();
    let clock = crate::clock::Clock::new();
    let store = match saved {
        Some(store) => store,
        None => seed::build_store(&options.topology.clone().unwrap_or_default(), &clock),
    };
    let settings = Settings {
        strict: options.strict,
        token_lifetime: options.token_lifetime,
        rate_limit_per_minute: options.rate_limit_per_minute,
        rate_limit_window: options.rate_limit_window,
        notifications: options.notifications.clone(),
        connections: options.connections,
        publish_delay: options.publish_delay,
        control_token,
    };
    let state = AppState::new(store, settings, clock);
    if let Some(center) = options.topology.as_ref().and_then(|topology| topology.contact_center.clone()) {
        state.contact_center().set_options(center);
    }
    if let Some(persister) = persister {
        let first = state.directory().attach_persister(persister, fresh)?;
        state.directory().wait_durable(first).await.map_err(|error| EmulatorError::Internal(error.to_string()))?;
    }
    let listener = TcpListener::bind(options.listen)
        .await
        .map_err(|source| EmulatorError::Bind { addr: options.listen, source })?;
    let addr = listener.local_addr().map_err(|source| EmulatorError::Bind { addr: options.listen, source })?;
    // A tenant's endpoint must not lead back to this listener (except its fake CRM).
    state.outbound().guard_listener(addr);
    // Topology integrations may point at this emulator's own CRM, whose address is known only now.
    crate::crm::point_integrations_at(state.directory(), state.contact_center(), &format!("http://{addr}"));
    let (stop, stopped) = watch::channel(false);
    let server = tokio::spawn(serve_with(listener, crate::app(state.clone()), stopped, options.connections));
    Ok(RunningEmulator {
        addr,
        credentials: state.directory().credentials(),
        state,
        stop: Some(stop),
        server: Some(server),
    })
}

/// Serves `router` on `listener` until `stopped` flips or its sender is dropped, with the
/// default connection timeouts.
pub async fn serve(listener: TcpListener, router: Router, stopped: watch::Receiver<bool>) {
    serve_with(listener, router, stopped, ConnectionTimeouts::default()).await;
}

/// `serve` with given connection timeouts.
pub async fn serve_with(listener: TcpListener, router: Router, mut stopped: watch::Receiver<bool>, timeouts: ConnectionTimeouts) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = stopped.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    connections.spawn(serve_connection(stream, peer, router.clone(), timeouts));
                }
                Err(error) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!("accept failed: {error}");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    connections.abort_all();
}

/// Lets a request ask for its connection to be dropped with a TCP reset.
#[derive(Clone, Default)]
pub struct ConnectionKill {
    killed: Arc<AtomicBool>,
    notify: Arc<Notify>,
}

impl ConnectionKill {
    pub fn kill(&self) {
        self.killed.store(true, Ordering::SeqCst);
        self.notify.notify_one();
    }
}

async fn serve_connection(stream: TcpStream, peer: SocketAddr, router: Router, timeouts: ConnectionTimeouts) {
    let _ = stream.set_nodelay(true);
    let kill = ConnectionKill::default();
    let stream = KillableStream { inner: stream, killed: kill.killed.clone() };
    let request_kill = kill.clone();
    let service = hyper::service::service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
        request.extensions_mut().insert(request_kill.clone());
        request.extensions_mut().insert(ConnectInfo(peer));
        router.clone().oneshot(crate::connection::timed(request, timeouts.body_read))
    });
    let stream = crate::connection::WriteStallGuard::new(stream, timeouts.write_stall);
    let connection = crate::connection::http1(&timeouts)
        .serve_connection(TokioIo::new(stream), service)
        .with_upgrades();
    tokio::select! {
        result = connection => {
            if let Err(error) = result {
                tracing::debug!("connection from {peer} ended: {error}");
            }
        }
        // Dropping the connection drops the stream, which resets it (see KillableStream).
        _ = kill.notify.notified() => {}
    }
}

/// A TCP stream that, once killed, closes with SO_LINGER 0 so the peer sees a reset (RST)
/// rather than an orderly end of stream.
struct KillableStream {
    inner: TcpStream,
    killed: Arc<AtomicBool>,
}

impl Drop for KillableStream {
    fn drop(&mut self) {
        if self.killed.load(Ordering::SeqCst) {
            // Linger 0 does not block on close (only a positive linger does), which is why
            // tokio's deprecation does not apply to this use.
            #[allow(deprecated)]
            let _ = self.inner.set_linger(Some(Duration::ZERO));
        }
    }
}

impl AsyncRead for KillableStream {
    fn poll_read(self: Pin<&mut Self>, context: &mut Context<'_>, buffer: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(context, buffer)
    }
}

impl AsyncWrite for KillableStream {
    fn poll_write(self: Pin<&mut Self>, context: &mut Context<'_>, buffer: &[u8]) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(context, buffer)
    }
    // Without these two, hyper flattens every response into one buffer before writing.
    fn poll_write_vectored(self: Pin<&mut Self>, context: &mut Context<'_>, buffers: &[std::io::IoSlice<'_>]) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(context, buffers)
    }
    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
    fn poll_flush(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(context)
    }
    fn poll_shutdown(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(context)
    }
}
