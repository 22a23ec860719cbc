//! `cargo xtask bench gateway-fleet`: 100,000 agent sessions across several gateway processes
//! that share one port with `SO_REUSEPORT`, the load generator split likewise. One process may
//! hold at most 20,000 descriptors here, so each gateway is meant to hold about 17,000 and the
//! kernel spreads connections over them; each load generator process opens its share from its own
//! loopback source addresses (127.0.0.x, 5,000 each). Every gateway has its own org's OAuth client
//! (the platform allows 20 channels per client). Reports, per gateway process: sessions (from its
//! `/metrics`), RSS and upstream channels; in total: sessions held, time to connect and subscribe
//! all of them. Loopback only; bounded in count and time (it stops by itself).

use crate::bench::gateway::{open_sessions_from, rss_bytes, start_gateway_process, tcp_kernel_bytes};
use anyhow::{Context, bail};
use std::net::SocketAddr;
use std::process::Stdio;
use std::time::{Duration, Instant};
use switchboard_emulator::EmulatorOptions;
use switchboard_emulator::NotificationConfig;
use switchboard_emulator::{ScaleSpec, scaled};
use switchboard_gateway::jwt::Key;
use switchboard_platform::{ClientConfig, OrgClient, PlatformExt};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

const SECRET: &str = "bench-fleet-secret";
/// The whole run, connecting included, must finish within this.
const DEADLINE: Duration = Duration::from_secs(600);

struct Settings {
    sessions: usize,
    gateways: usize,
    generators: usize,
}

fn settings() -> Settings {
    let number = |name: &str, default: usize| std::env::var(name).ok().and_then(|value| value.parse().ok()).unwrap_or(default);
    let sessions = number("GATEWAY_FLEET_SESSIONS", 100_000);
    // About 17,000 per process leaves room under 19,000 for the kernel's uneven spread.
    let gateways = number("GATEWAY_FLEET_PROCESSES", sessions.div_ceil(17_000).max(1));
    Settings { sessions, gateways, generators: number("GATEWAY_FLEET_GENERATORS", gateways) }
}

/// Reads one `name value` Prometheus sample from the gateway's admin listener.
async fn metric(admin: SocketAddr, name: &str) -> anyhow::Result<f64> {
    let text = reqwest::get(format!("http://{admin}/metrics")).await?.text().await?;
    text.lines()
        .find_map(|line| line.strip_prefix(name).and_then(|rest| rest.strip_prefix(' ')).and_then(|value| value.trim().parse().ok()))
        .with_context(|| format!("{name} missing from the gateway's metrics"))
}

pub async fn run() -> anyhow::Result<()> {
    tokio::time::timeout(DEADLINE, fleet()).await.context("the fleet benchmark did not finish in time")?
}

async fn fleet() -> anyhow::Result<()> {
    let settings = settings();
    // One org per gateway process (hub plus regions), each with its own OAuth client.
    let topology = scaled(ScaleSpec { orgs: settings.gateways.max(2), resources: 10, seed: 1 });
    let notifications = NotificationConfig { socket_buffer: 65_536, ..NotificationConfig::default() };
    let options = EmulatorOptions { topology: Some(topology), rate_limit_per_minute: 1_000_000, notifications, ..EmulatorOptions::default() };
    let emulator = switchboard_emulator::spawn(options).await?;
    let dir = std::env::temp_dir().join(format!("switchboard-bench-fleet-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("keys"))?;
    std::fs::write(dir.join("keys").join("bench"), SECRET)?;
    let credentials_path = dir.join("credentials.json");
    std::fs::write(&credentials_path, serde_json::to_string(emulator.credentials())?)?;
    let orgs: Vec<String> = emulator.credentials().orgs.iter().map(|org| org.name.clone()).collect();

    // The gateways: one port, SO_REUSEPORT.
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let listen: SocketAddr = format!("127.0.0.1:{port}").parse()?;
    let mut gateways = Vec::new();
    for index in 0..settings.gateways {
        let org = orgs.get(index).context("fewer orgs than gateway processes")?;
        gateways.push(start_gateway_process(&emulator.base_url(), &credentials_path, org, &dir.join("keys"), listen, true).await?);
    }

    // The load generators, each its own process with its share of the sessions.
    let kernel_before = tcp_kernel_bytes()?;
    let started = Instant::now();
    let share = settings.sessions.div_ceil(settings.generators);
    let mut generators = Vec::new();
    for index in 0..settings.generators {
        let from = 100 + index * share;
        let to = (100 + (index + 1) * share).min(100 + settings.sessions);
        let mut child = tokio::process::Command::new(std::env::current_exe()?)
            .args(["bench", "gateway-load", &listen.to_string(), &from.to_string(), &to.to_string(), SECRET])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()?;
        let lines = BufReader::new(child.stdout.take().context("generator stdout")?).lines();
        generators.push((child, lines, to - from));
    }
    let mut held = 0;
    let mut generator_rss = Vec::new();
    for (index, (_, lines, count)) in generators.iter_mut().enumerate() {
        // Its first line names the machine (every bench does); `held` comes when all are open.
        let line = loop {
            let line = lines.next_line().await?.with_context(|| format!("load generator {index} ended"))?;
            if line.starts_with("held ") || line.starts_with("Error") {
                break line;
            }
        };
        let Some(rest) = line.strip_prefix("held ") else { bail!("load generator {index}: {line}") };
        let mut words = rest.split_whitespace();
        let opened: usize = words.next().context("count")?.parse()?;
        let rss: u64 = words.next().context("rss")?.parse()?;
        if opened != *count {
            bail!("load generator {index} held {opened} of {count}");
        }
        held += opened;
        generator_rss.push(rss);
    }
    let connect_seconds = started.elapsed().as_secs_f64();
    let kernel = tcp_kernel_bytes()?.saturating_sub(kernel_before);
    println!(
        "{held} sessions connected and subscribed in {connect_seconds:.1} s through {} gateway processes sharing port {port}; kernel TCP memory +{:.1} MiB ({:.0} B/session, both loopback ends)",
        settings.gateways,
        kernel as f64 / (1024.0 * 1024.0),
        kernel as f64 / held.max(1) as f64
    );

    let mut total_sessions = 0.0;
    let mut total_channels = 0;
    for (index, gateway) in gateways.iter().enumerate() {
        let sessions = metric(gateway.admin, "gateway_sessions").await?;
        let rss = rss_bytes(gateway.pid)?;
        let credentials = emulator.credentials().org(&orgs[index]).context("org")?;
        let client = OrgClient::new(ClientConfig::new(emulator.base_url(), credentials.client_id.clone(), credentials.client_secret.clone()))?;
        let channels = client.notifications().channels().await?.len();
        total_sessions += sessions;
        total_channels += channels;
        println!(
            "  gateway {index} (pid {}): {sessions:.0} sessions, RSS {:.1} MiB ({:.0} B/session), {channels} upstream channels",
            gateway.pid,
            rss as f64 / (1024.0 * 1024.0),
            rss as f64 / sessions.max(1.0)
        );
    }
    let generator_mib: Vec<String> = generator_rss.iter().map(|rss| format!("{:.0}", *rss as f64 / (1024.0 * 1024.0))).collect();
    println!(
        "total: {total_sessions:.0} sessions held by {} processes, {total_channels} upstream channels ({:.2} per 1,000 agents); load generators' RSS {} MiB",
        settings.gateways,
        total_channels as f64 * 1000.0 / total_sessions.max(1.0),
        generator_mib.join(" / ")
    );
    if (total_sessions as usize) != held {
        bail!("the gateways report {total_sessions} sessions, the load generators {held}");
    }

    // Stop: generators first (their sockets close), then the gateways.
    for (child, _, _) in &mut generators {
        if let Some(mut stdin) = child.stdin.take() {
            let _ = stdin.shutdown().await;
        }
    }
    for (mut child, _, _) in generators {
        let _ = tokio::time::timeout(Duration::from_secs(30), child.wait()).await;
    }
    for gateway in gateways {
        gateway.stop().await;
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// `xtask bench gateway-load ADDR FROM TO SECRET`: one load generator process. Opens sessions
/// FROM..TO, prints `held COUNT RSS_BYTES`, holds them until stdin closes.
pub async fn generator(arguments: &[String]) -> anyhow::Result<()> {
    let [addr, from, to, secret] = arguments else {
        bail!("usage: xtask bench gateway-load ADDR FROM TO SECRET");
    };
    let addr: SocketAddr = addr.parse()?;
    let (from, to): (usize, usize) = (from.parse()?, to.parse()?);
    let key = Key::new("bench", secret.as_bytes());
    let desktops = open_sessions_from(addr, from, to, &key).await?;
    println!("held {} {}", desktops.len(), rss_bytes(std::process::id())?);
    let mut stdin = tokio::io::stdin();
    let mut buffer = [0u8; 64];
    while tokio::io::AsyncReadExt::read(&mut stdin, &mut buffer).await.map(|read| read > 0).unwrap_or(false) {}
    drop(desktops);
    Ok(())
}
