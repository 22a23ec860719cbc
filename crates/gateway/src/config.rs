//! `GatewayConfig`: every limit and timing of the gateway, with defaults from the platform's
//! limits and seed 003 (85 % token warning, 70 % conflation, 900 s idle channels).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;
use switchboard_api::notifications::{MAX_CHANNELS_PER_CLIENT, MAX_TOPICS_PER_CHANNEL};

/// Downstream TLS: PEM files re-read when they change on disk.
#[derive(Debug, Clone, PartialEq)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// Limits that keep a broken or hostile client from holding resources.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientLimits {
    /// TLS plus WebSocket upgrade must finish within this.
    pub handshake_timeout: Duration,
    /// A session with no frame from the client (pongs included) for this long is closed.
    pub idle_timeout: Duration,
    /// The gateway pings at this interval so live-but-quiet desktops answer with pongs.
    pub ping_interval: Duration,
    pub max_frame_bytes: usize,
    pub max_message_bytes: usize,
    /// Concurrent connections from one source IP address.
    pub connections_per_address: usize,
    /// A write to one desktop slower than this closes it (it stopped reading).
    pub send_timeout: Duration,
}

impl Default for ClientLimits {
    fn default() -> Self {
        ClientLimits {
            handshake_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(90),
            ping_interval: Duration::from_secs(30),
            max_frame_bytes: 64 * 1024,
            max_message_bytes: 64 * 1024,
            connections_per_address: 256,
            send_timeout: Duration::from_secs(10),
        }
    }
}

/// Per-session queue bounds and the global budget (seed 003 §4).
#[derive(Debug, Clone, PartialEq)]
pub struct QueueLimits {
    pub max_frames: usize,
    pub max_bytes: usize,
    /// Fraction of either bound from which state topics are conflated (seed: 0.7).
    pub conflate_at: f64,
    /// Bytes queued across all sessions; past it a session that cannot queue is closed.
    pub global_bytes: usize,
}

impl Default for QueueLimits {
    fn default() -> Self {
        QueueLimits { max_frames: 1_024, max_bytes: 1024 * 1024, conflate_at: 0.7, global_bytes: 512 * 1024 * 1024 }
    }
}

/// The upstream pool's limits and timings.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolConfig {
    /// The platform's topics-per-channel limit (1,000).
    pub topics_per_channel: usize,
    /// Fill a channel to this many topics before opening another, leaving room for the
    /// entities already placed on it to grow (an agent's later topics join its channel).
    pub fill_target: usize,
    /// The platform's channels per user and app (20); times the number of OAuth clients.
    pub channels_per_client: usize,
    /// Channels kept open even when empty (pre-warming before a known burst raises it).
    pub min_channels: usize,
    /// A channel without topics for this long is closed (seed 003 edge case 2: 900 s).
    pub idle_close: Duration,
    /// Reconnect backoff: full jitter between zero and min(max, base * 2^attempt).
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// Seed of the reconnect jitter (each channel draws from its own generator derived from
    /// it). Fixed by default so runs repeat; the CLI seeds it from the OS so that gateway
    /// processes do not reconnect in step.
    pub jitter_seed: u64,
    /// Resume with `Last-Event-ID` when the platform offers replay (the emulator's extension).
    /// The header is harmless where it is not (the real platform ignores it); a gap is reported
    /// unless events with ids have shown that the platform replays.
    pub use_replay: bool,
    /// Bulk state reads of gap snapshots in flight at once, across every channel.
    pub snapshot_concurrency: usize,
    /// Longest a snapshot may hold its channel's events back; topics not read by then get no
    /// snapshot (their `gap` notice stands).
    pub snapshot_deadline: Duration,
    /// Least time between two subscription batches. Desktops logging in one by one would
    /// otherwise cost one REST call each and run into the platform's rate limit (300 requests a
    /// minute per client); at 250 ms a channel gets at most 240 calls a minute, each carrying
    /// every change that arrived meanwhile. The first change after a quiet spell goes at once.
    pub batch_interval: Duration,
}

impl Default for PoolConfig {
    fn default() -> Self {
        PoolConfig {
            topics_per_channel: MAX_TOPICS_PER_CHANNEL,
            fill_target: MAX_TOPICS_PER_CHANNEL * 9 / 10,
            channels_per_client: MAX_CHANNELS_PER_CLIENT,
            min_channels: 1,
            idle_close: Duration::from_secs(900),
            backoff_base: Duration::from_millis(200),
            backoff_max: Duration::from_secs(30),
            jitter_seed: 0x5eed_0003,
            use_replay: true,
            snapshot_concurrency: 4,
            snapshot_deadline: Duration::from_secs(10),
            batch_interval: Duration::from_millis(250),
        }
    }
}

/// Everything `Gateway::start` needs besides the upstream clients.
#[derive(Debug, Clone)]
pub struct GatewayConfig {
    /// Agent desktops connect here (WebSocket, or TLS when `tls` is set).
    pub listen: SocketAddr,
    /// `/health/live`, `/health/ready`, `/metrics`.
    pub admin_listen: SocketAddr,
    pub tls: Option<TlsFiles>,
    /// Keys for agent JWTs (HS256 secrets, or RS256 PEM `PUBLIC KEY`s): files, or directories
    /// whose every file is a key (the file's stem is the `kid`). Re-read when they change, so keys
    /// rotate without a restart.
    pub jwt_keys: Vec<PathBuf>,
    /// How often key and certificate files are checked for changes.
    pub reload_interval: Duration,
    /// Share of a token's lifetime after which the session is warned (seed 003: 0.85).
    pub auth_warning_fraction: f64,
    /// Set SO_REUSEPORT so several gateway processes share one port.
    pub reuse_port: bool,
    pub limits: ClientLimits,
    pub queues: QueueLimits,
    pub pool: PoolConfig,
    /// Sessions are closed spread over this window when draining.
    pub drain_window: Duration,
}

impl Default for GatewayConfig {
    fn default() -> Self {
        GatewayConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            admin_listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            tls: None,
            jwt_keys: Vec::new(),
            reload_interval: Duration::from_secs(1),
            auth_warning_fraction: 0.85,
            reuse_port: false,
            limits: ClientLimits::default(),
            queues: QueueLimits::default(),
            pool: PoolConfig::default(),
            drain_window: Duration::from_secs(30),
        }
    }
}
