//! The accept loop every server runs: accept, an optional handshake per connection (TLS), then
//! hyper's http1 with a header-read timeout (which also closes idle keep-alive connections, as
//! hyper starts it while waiting for the next request), a body-read timeout, a write-stall
//! timeout and an optional header size cap; each request carries `ConnectInfo` and whatever the
//! handshake learned. Shutdown stops accepting (the listener is closed, so new connections are
//! refused), lets in-flight requests finish through hyper-util's `GracefulShutdown` (idle
//! connections close at once) and closes what is left when the drain deadline passes.

use crate::io::{TimedBody, WriteStallGuard};
use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};
use tower::ServiceExt;

/// One listener's connection limits and drain deadline. Defaults: 30 s for headers and idle
/// keep-alive, 60 s for a body, 30 s for a stalled write, 10 s to drain, hyper's header cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServeConfig {
    /// From the moment a connection waits for a request until its headers are complete.
    pub header_read: Duration,
    /// From the headers until the body's last byte.
    pub body_read: Duration,
    /// How long a write may make no progress (the peer reads nothing) before the connection drops.
    pub write_stall: Duration,
    /// After shutdown, how long in-flight requests may take before their connections are closed.
    pub drain: Duration,
    /// hyper's cap on a request head; `None` = hyper's default.
    pub max_header_bytes: Option<usize>,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            header_read: Duration::from_secs(30),
            body_read: Duration::from_secs(60),
            write_stall: Duration::from_secs(30),
            drain: Duration::from_secs(10),
            max_header_bytes: None,
        }
    }
}

/// What happens to an accepted TCP stream before HTTP: nothing (`PlainTcp`) or a TLS handshake
/// under its own deadline. Returns the connection's IO and extensions every request on it
/// carries (a verified client certificate, say); `None` drops the connection.
pub trait Handshake: Send + Sync + 'static {
    type Io: AsyncRead + AsyncWrite + Unpin + Send + 'static;
    fn handshake(&self, stream: TcpStream, peer: SocketAddr) -> impl Future<Output = Option<(Self::Io, axum::http::Extensions)>> + Send;
}

/// Plain HTTP.
#[derive(Debug, Clone, Copy, Default)]
pub struct PlainTcp;

impl Handshake for PlainTcp {
    type Io = TcpStream;
    async fn handshake(&self, stream: TcpStream, _peer: SocketAddr) -> Option<(TcpStream, axum::http::Extensions)> {
        Some((stream, axum::http::Extensions::new()))
    }
}

/// Serves `router` on `listener` until `shutdown` resolves, then drains (see the module header).
/// Returns once every connection has ended or been closed at the drain deadline.
pub async fn serve<H: Handshake>(listener: TcpListener, router: Router, config: ServeConfig, handshake: H, shutdown: impl Future<Output = ()>) {
    serve_reporting(listener, router, config, handshake, shutdown, None).await;
}

async fn serve_reporting<H: Handshake>(
    listener: TcpListener,
    router: Router,
    config: ServeConfig,
    handshake: H,
    shutdown: impl Future<Output = ()>,
    accepting: Option<watch::Sender<bool>>,
) {
    let handshake = Arc::new(handshake);
    let graceful = GracefulShutdown::new();
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    // Taken before the task starts, so a shutdown during a handshake still waits for it.
                    let watcher = graceful.watcher();
                    connections.spawn(connection(stream, peer, router.clone(), config, handshake.clone(), watcher));
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
    drop(listener);
    if let Some(accepting) = accepting {
        let _ = accepting.send(false);
    }
    let open = graceful.count();
    if tokio::time::timeout(config.drain, graceful.shutdown()).await.is_err() {
        tracing::warn!(open, "drain deadline passed; closing the connections still open");
    }
    connections.abort_all();
    while connections.join_next().await.is_some() {}
}

async fn connection<H: Handshake>(stream: TcpStream, peer: SocketAddr, router: Router, config: ServeConfig, handshake: Arc<H>, watcher: Watcher) {
    let _ = stream.set_nodelay(true);
    let Some((io, extensions)) = handshake.handshake(stream, peer).await else {
        return;
    };
    let io = WriteStallGuard::new(io, config.write_stall);
    let body_read = config.body_read;
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().extend(extensions.clone());
        request.extensions_mut().insert(ConnectInfo(peer));
        let request = request.map(|body| Body::new(TimedBody::new(body, body_read)));
        router.clone().oneshot(request)
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(config.header_read);
    if let Some(max) = config.max_header_bytes {
        builder.max_header_size(max);
    }
    if let Err(error) = watcher.watch(builder.serve_connection(TokioIo::new(io), service)).await {
        tracing::debug!("connection from {peer} ended: {error}");
    }
}

/// A server running in its own task. `shutdown` drains; dropping it closes everything at once.
pub struct Server {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    accepting: watch::Receiver<bool>,
    task: JoinHandle<()>,
}

impl Server {
    /// Binds `addr` and serves plain HTTP.
    pub async fn bind(addr: SocketAddr, router: Router, config: ServeConfig) -> std::io::Result<Server> {
        let listener = TcpListener::bind(addr).await?;
        Server::start(listener, router, config, PlainTcp)
    }

    /// Serves on a bound listener, each connection through `handshake`.
    pub fn start<H: Handshake>(listener: TcpListener, router: Router, config: ServeConfig, handshake: H) -> std::io::Result<Server> {
        let addr = listener.local_addr()?;
        let (stop, mut stopped) = watch::channel(false);
        let (accepting_sender, accepting) = watch::channel(true);
        let shutdown = async move {
            // A dropped sender ends the server too.
            let _ = stopped.wait_for(|stop| *stop).await;
        };
        let task = tokio::spawn(serve_reporting(listener, router, config, handshake, shutdown, Some(accepting_sender)));
        Ok(Server { addr, stop, accepting, task })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Starts the shutdown without waiting for it (the caller awaits `shutdown` or `stopped_accepting`).
    pub fn begin_shutdown(&self) {
        let _ = self.stop.send(true);
    }

    /// Resolves once the listener is closed: new connections are refused from then on.
    pub async fn stopped_accepting(&self) {
        let mut accepting = self.accepting.clone();
        let _ = accepting.wait_for(|accepting| !*accepting).await;
    }

    /// Stops accepting, lets in-flight requests finish within the drain deadline, closes the rest.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        let _ = (&mut self.task).await;
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Aborting the task drops the listener and every connection task with it.
        self.task.abort();
    }
}
