//! `cargo xtask bench gateway`: the load generator and the gateway's figures. Agent desktops
//! connect from several loopback source addresses (127.0.0.x) to a gateway running as its own
//! process, subscribe a realistic mix (their own presence, plus one of 100 shared queues), and
//! receive presence events published through the emulator at a fixed rate, each carrying its
//! publish time; latency goes into HDR histograms. Same run baseline: the same events, published
//! to a second org, read directly from the platform over 20 channels (the per-client maximum)
//! holding the same topics. Also measured: memory per idle session (the gateway's `/proc` RSS,
//! and kernel TCP memory from `/proc/net/sockstat`), upstream channels per 1,000 agents, and the
//! most sessions one process held. Bounded: it stops by itself after a fixed count and time.

use anyhow::{Context, bail};
use futures_util::{SinkExt, StreamExt};
use hdrhistogram::Histogram;
use serde_json::{Value, json};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use switchboard_emulator::EmulatorOptions;
use switchboard_emulator::NotificationConfig;
use crate::bench::gateway_nginx::Nginx;
use switchboard_gateway::jwt::{self, Key};
use switchboard_platform::{ClientConfig, OrgClient, PlatformExt};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpSocket;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

const GATEWAY_ORG: &str = "na-east-1";
const DIRECT_ORG: &str = "eu-central-1";
/// The same 20 channels as the direct path, reached through nginx.
const NGINX_ORG: &str = "eu-central-2";
/// Idle desktops proxied one-to-one by nginx for its memory figure.
const NGINX_IDLE: usize = 5_000;
const QUEUES: usize = 100;
const DIRECT_CHANNELS: usize = 20;
/// Sessions per loopback source address (each address has ~28,000 ephemeral ports).
const PER_SOURCE_ADDRESS: usize = 5_000;
const SECRET: &str = "bench-secret";

struct Settings {
    /// Sessions for the latency run.
    sessions: usize,
    /// The most sessions one gateway process is asked to hold (under its 20,000 descriptors).
    hold: usize,
    events_per_second: usize,
    seconds: u64,
}

fn settings() -> Settings {
    let number = |name: &str, default: usize| std::env::var(name).ok().and_then(|value| value.parse().ok()).unwrap_or(default);
    Settings {
        sessions: number("GATEWAY_BENCH_SESSIONS", 10_000),
        hold: number("GATEWAY_BENCH_HOLD", 19_000),
        events_per_second: number("GATEWAY_BENCH_RATE", 1_000),
        seconds: number("GATEWAY_BENCH_SECONDS", 10) as u64,
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Resident set size of a process, bytes.
pub(crate) fn rss_bytes(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:")).context("VmRSS missing")?;
    let kib: u64 = line.split_whitespace().nth(1).context("VmRSS value")?.parse()?;
    Ok(kib * 1024)
}

/// Kernel memory of all TCP sockets, bytes (`/proc/net/sockstat`, in pages).
pub(crate) fn tcp_kernel_bytes() -> anyhow::Result<u64> {
    let text = std::fs::read_to_string("/proc/net/sockstat")?;
    let line = text.lines().find(|line| line.starts_with("TCP:")).context("TCP line")?;
    let mut words = line.split_whitespace();
    while let Some(word) = words.next() {
        if word == "mem" {
            let pages: u64 = words.next().context("mem value")?.parse()?;
            return Ok(pages * 4096);
        }
    }
    bail!("no TCP mem in /proc/net/sockstat")
}

fn histogram() -> anyhow::Result<Histogram<u64>> {
    Ok(Histogram::<u64>::new_with_bounds(1, 120_000_000, 3)?)
}

/// Small client buffers: the load generator holds tens of thousands of sockets too.
fn client_config() -> WebSocketConfig {
    WebSocketConfig::default().read_buffer_size(4096).write_buffer_size(0)
}

type Desktop = tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>;

async fn connect_desktop(gateway: SocketAddr, source: IpAddr, agent: &str, key: &Key) -> anyhow::Result<Desktop> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(source, 0))?;
    let stream = socket.connect(gateway).await?;
    stream.set_nodelay(true)?;
    let token = jwt::mint_for(agent, 24.0 * 3600.0, key);
    let url = format!("ws://{gateway}/?access_token={token}");
    let (desktop, _) = tokio_tungstenite::client_async_with_config(url, stream, Some(client_config())).await?;
    Ok(desktop)
}

fn agent_name(index: usize) -> String {
    format!("bench-{index}")
}

fn source_address(index: usize) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2 + (index / PER_SOURCE_ADDRESS) as u8))
}

async fn wait_subscribed(desktop: &mut Desktop) -> anyhow::Result<()> {
    loop {
        match tokio::time::timeout(Duration::from_secs(60), desktop.next()).await.context("no subscribed notice")? {
            Some(Ok(Message::Text(text))) => {
                let frame: Value = serde_json::from_str(text.as_str())?;
                match frame["eventBody"]["message"].as_str() {
                    Some("subscribed") => return Ok(()),
                    Some("error") => bail!("subscription refused: {frame}"),
                    _ => {}
                }
            }
            Some(Ok(_)) => {}
            other => bail!("session ended while subscribing: {other:?}"),
        }
    }
}

/// Opens sessions `from..to`, each subscribed to its presence and one shared queue, 256 at a time.
pub(crate) async fn open_sessions_from(gateway: SocketAddr, from: usize, to: usize, key: &Key) -> anyhow::Result<Vec<Desktop>> {
    open_sessions(gateway, from, to, key).await
}

async fn open_sessions(gateway: SocketAddr, from: usize, to: usize, key: &Key) -> anyhow::Result<Vec<Desktop>> {
    let mut desktops = Vec::with_capacity(to - from);
    let mut index = from;
    while index < to {
        let end = (index + 256).min(to);
        let batch = (index..end).map(|index| async move {
            let agent = agent_name(index);
            let mut desktop = connect_desktop(gateway, source_address(index), &agent, key).await?;
            let topics = json!([format!("v2.users.{agent}.presence"), format!("v2.routing.queues.bench-q{}.conversations", index % QUEUES)]);
            desktop.send(Message::Text(json!({"message": "subscribe", "topics": topics}).to_string().into())).await?;
            wait_subscribed(&mut desktop).await?;
            anyhow::Ok(desktop)
        });
        for desktop in futures_util::future::join_all(batch).await {
            desktops.push(desktop?);
        }
        index = end;
    }
    Ok(desktops)
}

/// Shared latency sink: publish time is nanoseconds since `base`, carried in the event body.
struct Sink {
    base: Instant,
    histogram: Mutex<Histogram<u64>>,
    received: AtomicU64,
}

impl Sink {
    fn record(&self, text: &str) {
        let Ok(frame) = serde_json::from_str::<Value>(text) else { return };
        let Some(sent) = frame["eventBody"]["t"].as_u64() else { return };
        let now = self.base.elapsed().as_nanos() as u64;
        let micros = now.saturating_sub(sent) / 1_000;
        if let Ok(mut histogram) = self.histogram.lock() {
            let _ = histogram.record(micros.max(1));
        }
        self.received.fetch_add(1, Ordering::Relaxed);
    }
}

fn spawn_reader<S>(mut socket: tokio_tungstenite::WebSocketStream<S>, sink: Arc<Sink>, stop: tokio::sync::watch::Receiver<bool>) -> tokio::task::JoinHandle<tokio_tungstenite::WebSocketStream<S>>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    tokio::spawn(async move {
        let mut stop = stop;
        loop {
            tokio::select! {
                _ = stop.changed() => break,
                message = socket.next() => match message {
                    Some(Ok(Message::Text(text))) => sink.record(text.as_str()),
                    Some(Ok(_)) => {}
                    _ => break,
                },
            }
        }
        socket
    })
}

struct PathResult {
    received: u64,
    p50_us: u64,
    p99_us: u64,
    max_us: u64,
}

fn result(sink: &Sink) -> PathResult {
    let histogram = sink.histogram.lock().map(|histogram| histogram.clone()).unwrap_or_else(|poisoned| poisoned.into_inner().clone());
    PathResult {
        received: sink.received.load(Ordering::Relaxed),
        p50_us: histogram.value_at_quantile(0.5),
        p99_us: histogram.value_at_quantile(0.99),
        max_us: histogram.max(),
    }
}

pub async fn run() -> anyhow::Result<()> {
    let settings = settings();
    let notifications = NotificationConfig { socket_buffer: 65_536, ..NotificationConfig::default() };
    let emulator = switchboard_emulator::spawn(EmulatorOptions { rate_limit_per_minute: 1_000_000, notifications, ..EmulatorOptions::default() }).await?;
    let dir = std::env::temp_dir().join(format!("switchboard-bench-gateway-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("keys"))?;
    std::fs::write(dir.join("keys").join("bench"), SECRET)?;
    let credentials_path = dir.join("credentials.json");
    std::fs::write(&credentials_path, serde_json::to_string(emulator.credentials())?)?;
    let key = Key::new("bench", SECRET.as_bytes());

    // The gateway in its own process.
    let listen: SocketAddr = format!("127.0.0.1:{}", free_port()?).parse()?;
    let gateway = start_gateway_process(&emulator.base_url(), &credentials_path, GATEWAY_ORG, &dir.join("keys"), listen, false).await?;
    let pid = gateway.pid;
    // Settle the allocator with a few sessions before the baseline reading.
    let warmup = open_sessions(listen, 0, 100, &key).await?;
    drop(warmup);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_before = rss_bytes(pid)?;
    let kernel_before = tcp_kernel_bytes()?;

    let connect_started = Instant::now();
    let desktops = open_sessions(listen, 100, 100 + settings.sessions, &key).await?;
    let connect_seconds = connect_started.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_idle = rss_bytes(pid)?;
    let kernel_idle = tcp_kernel_bytes()?;
    let sessions = settings.sessions as f64;
    let user_per_session = (rss_idle.saturating_sub(rss_before)) as f64 / sessions;
    let kernel_per_session = (kernel_idle.saturating_sub(kernel_before)) as f64 / sessions;
    let gateway_client = OrgClient::new(client_for(&emulator, GATEWAY_ORG)?)?;
    let upstream_channels = gateway_client.notifications().channels().await?.len();
    println!(
        "{} sessions connected and subscribed in {connect_seconds:.1} s; gateway RSS +{:.0} B/session (user space), kernel TCP +{:.0} B/session (both loopback ends); {upstream_channels} upstream channels",
        settings.sessions, user_per_session, kernel_per_session
    );

    // Direct baseline: the same topics on 20 channels of another org; the nginx path: the same
    // again on a third org, each channel's socket proxied by nginx.
    let nginx_dir = dir.join("nginx");
    let nginx_to_emulator: SocketAddr = format!("127.0.0.1:{}", free_port()?).parse()?;
    let nginx_to_gateway: SocketAddr = format!("127.0.0.1:{}", free_port()?).parse()?;
    let nginx = Nginx::start(&[(nginx_to_emulator, emulator.addr()), (nginx_to_gateway, listen)], &nginx_dir).await?;
    let direct_sockets = direct_channels(&emulator, DIRECT_ORG, settings.sessions, None).await?;
    let nginx_sockets = match &nginx {
        Some(_) => direct_channels(&emulator, NGINX_ORG, settings.sessions, Some(nginx_to_emulator)).await?,
        None => Vec::new(),
    };

    let inside_before = delivery_buckets(gateway.admin).await?;
    let base = Instant::now();
    let through_gateway = Arc::new(Sink { base, histogram: Mutex::new(histogram()?), received: AtomicU64::new(0) });
    let direct = Arc::new(Sink { base, histogram: Mutex::new(histogram()?), received: AtomicU64::new(0) });
    let through_nginx = Arc::new(Sink { base, histogram: Mutex::new(histogram()?), received: AtomicU64::new(0) });
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let readers: Vec<_> = desktops.into_iter().map(|desktop| spawn_reader(desktop, through_gateway.clone(), stopped.clone())).collect();
    let mut direct_readers: Vec<_> = direct_sockets.into_iter().map(|socket| spawn_reader(socket, direct.clone(), stopped.clone())).collect();
    direct_readers.extend(nginx_sockets.into_iter().map(|socket| spawn_reader(socket, through_nginx.clone(), stopped.clone())));

    // Publish: 1 ms ticks, presence events to random agents, the same event to both orgs in
    // alternating order so neither path always goes first.
    let hub = emulator.state().notifications().clone();
    let gateway_org = org_id(&emulator, GATEWAY_ORG)?;
    let direct_org = org_id(&emulator, DIRECT_ORG)?;
    let mut orgs = vec![gateway_org, direct_org];
    if nginx.is_some() {
        orgs.push(org_id(&emulator, NGINX_ORG)?);
    }
    let total = settings.events_per_second * settings.seconds as usize;
    let per_tick = (settings.events_per_second / 1_000).max(1);
    let started = Instant::now();
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    for event in 0..total {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let agent = agent_name(100 + (state as usize) % settings.sessions);
        let topic = format!("v2.users.{agent}.presence");
        let body = json!({"t": base.elapsed().as_nanos() as u64, "presenceDefinition": {"systemPresence": "Available"}, "seq": event});
        // The same event to every path, starting with a different one each time.
        for offset in 0..orgs.len() {
            hub.publish(&orgs[(event + offset) % orgs.len()], &topic, &body);
        }
        if event % per_tick == per_tick - 1 {
            let due = started + Duration::from_millis(((event + 1) / per_tick) as u64);
            tokio::time::sleep_until(due.into()).await;
        }
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let _ = stop.send(true);
    let mut desktops = Vec::new();
    for reader in readers {
        desktops.push(reader.await?);
    }
    for reader in direct_readers {
        drop(reader.await?);
    }
    let inside_after = delivery_buckets(gateway.admin).await?;
    let gateway_result = result(&through_gateway);
    let direct_result = result(&direct);
    let nginx_result = result(&through_nginx);
    println!(
        "latency at {} events/s over {} s to {} sessions: direct p50 {} µs p99 {} µs ({} received); gateway p50 {} µs p99 {} µs max {} µs ({} received); added p50 {} µs, p99 {} µs",
        settings.events_per_second,
        settings.seconds,
        settings.sessions,
        direct_result.p50_us,
        direct_result.p99_us,
        direct_result.received,
        gateway_result.p50_us,
        gateway_result.p99_us,
        gateway_result.max_us,
        gateway_result.received,
        gateway_result.p50_us as i64 - direct_result.p50_us as i64,
        gateway_result.p99_us as i64 - direct_result.p99_us as i64,
    );
    // The gateway's own histogram (upstream receipt to downstream write, power-of-two buckets):
    // how much of the added latency is spent inside it rather than waiting for a CPU.
    let inside: Vec<(f64, f64)> = inside_after.iter().zip(&inside_before).map(|((le, after), (_, before))| (*le, after - before)).collect();
    println!(
        "inside the gateway (receipt to write, {} frames): p50 <= {} µs, p99 <= {} µs",
        inside.last().map_or(0.0, |(_, count)| *count),
        bucket_quantile(&inside, 0.5),
        bucket_quantile(&inside, 0.99)
    );

    if let Some(nginx) = nginx {
        println!(
            "nginx (20 channels proxied one-to-one): p50 {} µs p99 {} µs max {} µs ({} received); added p50 {} µs, p99 {} µs",
            nginx_result.p50_us,
            nginx_result.p99_us,
            nginx_result.max_us,
            nginx_result.received,
            nginx_result.p50_us as i64 - direct_result.p50_us as i64,
            nginx_result.p99_us as i64 - direct_result.p99_us as i64,
        );
        // nginx's memory per idle proxied desktop: desktops through nginx to the gateway.
        let worker = nginx.worker_pid()?;
        let nginx_before = rss_bytes(worker)?;
        let count = NGINX_IDLE.min(settings.sessions);
        let from = 100 + settings.hold.max(settings.sessions) + 1_000;
        let proxied = open_sessions(nginx_to_gateway, from, from + count, &key).await?;
        tokio::time::sleep(Duration::from_secs(1)).await;
        let nginx_after = rss_bytes(worker)?;
        println!("nginx worker RSS +{:.0} B per idle proxied desktop ({count} desktops)", nginx_after.saturating_sub(nginx_before) as f64 / count as f64);
        drop(proxied);
        nginx.stop().await;
    }

    // Hold: top up to the most sessions one process may hold, all idle and subscribed.
    let hold_started = Instant::now();
    let more = open_sessions(listen, 100 + settings.sessions, 100 + settings.hold.max(settings.sessions), &key).await;
    match more {
        Ok(more) => {
            let held = desktops.len() + more.len();
            let rss_held = rss_bytes(pid)?;
            let channels = gateway_client.notifications().channels().await?.len();
            println!(
                "held {held} sessions in one gateway process (+{} opened in {:.1} s); RSS {:.1} MiB; {channels} upstream channels = {:.2} per 1,000 agents",
                more.len(),
                hold_started.elapsed().as_secs_f64(),
                rss_held as f64 / (1024.0 * 1024.0),
                channels as f64 * 1000.0 / held as f64
            );
            drop(more);
        }
        Err(error) => println!("holding {} sessions failed: {error:#}", settings.hold),
    }
    drop(desktops);
    gateway.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// The gateway's `gateway_delivery_latency_seconds` buckets: (upper bound in seconds, cumulative
/// count), `+Inf` last.
async fn delivery_buckets(admin: SocketAddr) -> anyhow::Result<Vec<(f64, f64)>> {
    let text = reqwest::get(format!("http://{admin}/metrics")).await?.text().await?;
    let buckets: Vec<(f64, f64)> = text
        .lines()
        .filter_map(|line| line.strip_prefix("gateway_delivery_latency_seconds_bucket{le=\""))
        .filter_map(|rest| {
            let (bound, rest) = rest.split_once('"')?;
            let bound = if bound == "+Inf" { f64::INFINITY } else { bound.parse().ok()? };
            Some((bound, rest.rsplit(' ').next()?.parse().ok()?))
        })
        .collect();
    if buckets.is_empty() {
        bail!("no delivery-latency histogram in the gateway's metrics");
    }
    Ok(buckets)
}

/// The upper bound (µs) of the bucket holding quantile `q` of cumulative `buckets`.
fn bucket_quantile(buckets: &[(f64, f64)], q: f64) -> String {
    let total = buckets.last().map_or(0.0, |(_, count)| *count);
    match buckets.iter().find(|(_, count)| *count >= q * total) {
        Some((bound, _)) if bound.is_finite() => format!("{:.0}", bound * 1e6),
        _ => "inf".to_string(),
    }
}

/// A gateway running as a child process (`xtask bench gateway-server`).
pub(crate) struct GatewayProcess {
    child: tokio::process::Child,
    pub pid: u32,
    pub admin: SocketAddr,
}

impl GatewayProcess {
    /// Closes its stdin (it drains and exits) and waits a bounded time.
    pub async fn stop(mut self) {
        if let Some(mut stdin) = self.child.stdin.take() {
            let _ = stdin.shutdown().await;
        }
        let _ = tokio::time::timeout(Duration::from_secs(30), self.child.wait()).await;
    }
}

/// Starts a gateway process on `listen` (sharing it with others when `reuse_port`) for `org`'s
/// OAuth client, and waits for it to say it is ready.
pub(crate) async fn start_gateway_process(
    base_url: &str,
    credentials: &std::path::Path,
    org: &str,
    keys: &std::path::Path,
    listen: SocketAddr,
    reuse_port: bool,
) -> anyhow::Result<GatewayProcess> {
    let admin: SocketAddr = format!("127.0.0.1:{}", free_port()?).parse()?;
    let mut command = tokio::process::Command::new(std::env::current_exe()?);
    command.args(["bench", "gateway-server", base_url]).arg(credentials).arg(org).arg(keys).args([listen.to_string(), admin.to_string()]);
    if reuse_port {
        command.arg("reuse-port");
    }
    let mut child = command.stdin(Stdio::piped()).stdout(Stdio::piped()).kill_on_drop(true).spawn()?;
    let pid = child.id().context("gateway pid")?;
    let mut child_out = BufReader::new(child.stdout.take().context("gateway stdout")?).lines();
    let ready = async {
        while let Some(line) = child_out.next_line().await? {
            if line.starts_with("ready") {
                return anyhow::Ok(());
            }
        }
        bail!("the gateway process did not start")
    };
    tokio::time::timeout(Duration::from_secs(30), ready).await.context("gateway start")??;
    // Its further output is not read; keep the pipe from filling by draining it.
    tokio::spawn(async move { while let Ok(Some(_)) = child_out.next_line().await {} });
    Ok(GatewayProcess { child, pid, admin })
}

/// 20 channels of `org` carrying the agents' presence topics and the queues, connected directly
/// or through `proxy` (nginx).
async fn direct_channels(
    emulator: &switchboard_emulator::RunningEmulator,
    org: &str,
    sessions: usize,
    proxy: Option<SocketAddr>,
) -> anyhow::Result<Vec<tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>>> {
    let client = OrgClient::new(client_for(emulator, org)?)?;
    let mut sockets = Vec::new();
    for channel_index in 0..DIRECT_CHANNELS {
        let channel = client.notifications().create_channel().await?;
        let mut topics: Vec<String> =
            (100..100 + sessions).filter(|index| index % DIRECT_CHANNELS == channel_index).map(|index| format!("v2.users.{}.presence", agent_name(index))).collect();
        topics.extend((0..QUEUES).filter(|queue| queue % DIRECT_CHANNELS == channel_index).map(|queue| format!("v2.routing.queues.bench-q{queue}.conversations")));
        for chunk in topics.chunks(500) {
            let names: Vec<&str> = chunk.iter().map(String::as_str).collect();
            client.notifications().subscribe(&channel.id, &names).await?;
        }
        let url = match proxy {
            Some(proxy) => format!("ws://{proxy}/channels/{}", channel.id),
            None => channel.connect_uri.clone(),
        };
        let (socket, _) = tokio_tungstenite::connect_async_with_config(url.as_str(), Some(client_config()), false).await?;
        sockets.push(socket);
    }
    Ok(sockets)
}

fn client_for(emulator: &switchboard_emulator::RunningEmulator, org: &str) -> anyhow::Result<ClientConfig> {
    let credentials = emulator.credentials().org(org).context("org")?;
    Ok(ClientConfig::new(emulator.base_url(), credentials.client_id.clone(), credentials.client_secret.clone()))
}

fn org_id(emulator: &switchboard_emulator::RunningEmulator, org: &str) -> anyhow::Result<String> {
    Ok(emulator.credentials().org(org).context("org")?.id.clone())
}
