//! `cargo xtask bench bridge`: the bridge end to end on SQLite and on Redis (a real
//! redis-server, skipped when absent), and the reconnection spread of the bridge's backoff.
//!
//! Throughput and latency: Poisson calls at `CALLS_PER_SECOND` for `LOAD` reach the org's queues;
//! a separate listener on its own notification channel timestamps, per call, the first event
//! showing it queued (the baseline: pure notification delivery) and the first event carrying the
//! screen-pop attributes (the bridge: event → store → CRM lookup → attributes PATCH → event).
//! Both are measured from the call's queue entry, on the same clock, in the same run.
//!
//! Reconnection spread: 100 plain HTTP retry loops (not bridges: each runs the bridge's
//! `Backoff` against `GET /api/v2/notifications/channels`, without a channel, subscriptions or
//! a store) lose the platform at once (a 2 s outage of the channel API, as in a redeploy) and
//! retry with the bridge's full-jitter backoff; baseline: the same exponential backoff without
//! jitter. Reported: the peak of attempts in any 100 ms window and a histogram of first
//! successful reconnects. A figure from real bridge processes is still to be measured.

use anyhow::{Context, bail};
use futures_util::StreamExt;
use hdrhistogram::Histogram;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use switchboard_api::emulator::FaultRule;
use switchboard_api::traffic::TrafficRequest;
use switchboard_bridge::backoff::Backoff;
use switchboard_bridge::BridgeConfig;
use switchboard_emulator::CenterOptions;
use switchboard_emulator::{EmulatorOptions, RunningEmulator, Topology};
use switchboard_platform::{ClientConfig, OrgClient, PlatformExt};
use switchboard_simulation::distribution::DurationDistribution;

const ORG: &str = "na-east-1";
/// Offered calls per second; `SWITCHBOARD_BENCH_BRIDGE_CPS` overrides it to look for saturation.
const CALLS_PER_SECOND: f64 = 40.0;

fn calls_per_second() -> f64 {
    std::env::var("SWITCHBOARD_BENCH_BRIDGE_CPS").ok().and_then(|text| text.parse().ok()).unwrap_or(CALLS_PER_SECOND)
}
const SPEED_UP: f64 = 1_000.0;
const LOAD: Duration = Duration::from_secs(10);
const INSTANCES: usize = 100;
const OUTAGE: Duration = Duration::from_secs(2);

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

async fn emulator() -> anyhow::Result<RunningEmulator> {
    let options = CenterOptions {
        // 20 s modelled talk at x1000: 20 ms; callers never hang up, so every call queues and ends.
        handle_time: DurationDistribution::Constant { ms: 20_000.0 },
        wrap_up: DurationDistribution::Constant { ms: 1_000.0 },
        patience: DurationDistribution::Infinite,
        seed: 21,
    };
    let topology = Topology { contact_center: Some(options), ..Topology::default() };
    Ok(switchboard_emulator::spawn(EmulatorOptions { topology: Some(topology), rate_limit_per_minute: 10_000_000, ..EmulatorOptions::default() }).await?)
}

fn config(emulator: &RunningEmulator, state_url: &str) -> anyhow::Result<BridgeConfig> {
    let credentials = emulator.credentials().org(ORG).context("org")?.clone();
    let vars: HashMap<&str, String> = HashMap::from([
        ("BRIDGE_PLATFORM_URL", emulator.base_url()),
        ("BRIDGE_CLIENT_ID", credentials.client_id),
        ("BRIDGE_CLIENT_SECRET", credentials.client_secret),
        ("BRIDGE_CRM_URL", format!("{}/crm", emulator.base_url())),
        ("BRIDGE_QUEUES", "Sales,Support,Billing".to_string()),
        ("BRIDGE_LISTEN", "127.0.0.1:0".to_string()),
        ("BRIDGE_STATE_URL", state_url.to_string()),
        ("BRIDGE_INSTANCE_ID", "bench".to_string()),
        ("BRIDGE_CONCURRENCY", "32".to_string()),
    ]);
    Ok(BridgeConfig::from_lookup(&|name| vars.get(name).cloned())?)
}

/// Per conversation: queue entry, first queued event seen, first event with the screen pop.
#[derive(Default, Clone, Copy)]
struct Seen {
    arrived_ms: i64,
    queued_seen_ms: Option<i64>,
    popped_seen_ms: Option<i64>,
}

async fn listen(emulator: &RunningEmulator, seen: Arc<Mutex<HashMap<String, Seen>>>) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let credentials = emulator.credentials().org(ORG).context("org")?.clone();
    let mut client_config = ClientConfig::new(emulator.base_url(), credentials.client_id, credentials.client_secret);
    client_config.org_label = "listener".into();
    let client = OrgClient::new(client_config)?;
    let queues = client.queues().list_all().await?;
    let channel = client.notifications().create_channel().await?;
    let topics: Vec<String> = queues.iter().map(|queue| format!("v2.routing.queues.{}.conversations", queue.id)).collect();
    let refs: Vec<&str> = topics.iter().map(String::as_str).collect();
    client.notifications().subscribe(&channel.id, &refs).await?;
    let (mut socket, _) = tokio_tungstenite::connect_async(channel.connect_uri.as_str()).await.context("listener socket")?;
    Ok(tokio::spawn(async move {
        while let Some(Ok(message)) = socket.next().await {
            let Ok(text) = message.to_text() else { continue };
            let Ok(event) = serde_json::from_str::<serde_json::Value>(text) else { continue };
            let body = &event["eventBody"];
            let Some(id) = body["id"].as_str() else { continue };
            let participants = body["participants"].as_array().cloned().unwrap_or_default();
            let arrived = participants
                .iter()
                .find(|participant| participant["purpose"] == "acd")
                .and_then(|acd| acd["startTime"].as_str())
                .and_then(|text| chrono::DateTime::parse_from_rfc3339(text).ok())
                .map(|instant| instant.timestamp_millis());
            let Some(arrived_ms) = arrived else { continue };
            let popped = participants.iter().any(|participant| participant["purpose"] == "customer" && participant["attributes"]["crm.found"].is_string());
            let now = now_ms();
            let mut seen = seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let entry = seen.entry(id.to_string()).or_insert(Seen { arrived_ms, ..Seen::default() });
            entry.queued_seen_ms.get_or_insert(now);
            if popped {
                entry.popped_seen_ms.get_or_insert(now);
            }
        }
    }))
}

struct StoreRun {
    calls: usize,
    events: u64,
    events_per_second: f64,
    effects_per_second: f64,
    drain_lag: Duration,
    baseline: Histogram<u64>,
    bridge: Histogram<u64>,
}

async fn run_store(label: &str, state_url: &str) -> anyhow::Result<StoreRun> {
    let emulator = emulator().await?;
    let config = config(&emulator, state_url)?;
    let platform = Arc::new(switchboard_platform::OrgClient::new(config.client_config())?);
    let bridge = switchboard_bridge::start(config, platform).await?;
    let started = Instant::now();
    while !bridge.status.active.load(std::sync::atomic::Ordering::Relaxed) {
        if started.elapsed() > Duration::from_secs(20) {
            bail!("{label}: the bridge never became active");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let seen = Arc::new(Mutex::new(HashMap::new()));
    let listener = listen(&emulator, seen.clone()).await?;
    let state = emulator.state();
    let request = TrafficRequest {
        org: ORG.to_string(),
        did: "+13175550000".to_string(),
        calls_per_minute: Some(calls_per_second() * 60.0 / SPEED_UP),
        speed_up: Some(SPEED_UP),
        seed: Some(4),
        ..TrafficRequest::default()
    };
    let load_started = Instant::now();
    let stream = state.start_traffic(request).context("traffic")?;
    tokio::time::sleep(LOAD).await;
    state.contact_center().traffic.stop(&stream.id).context("stop traffic")?;
    let stopped = Instant::now();
    let org_id = emulator.credentials().org(ORG).context("org")?.id.clone();
    // Done when every queued call has ended and has its activity.
    let calls = loop {
        let center = state.contact_center();
        let records: Vec<_> = center.records_with_live(&org_id).into_iter().filter(|record| record.queue.is_some()).collect();
        let activities = center.crm.activities().len();
        if (records.iter().all(|record| record.end_ms.is_some()) && activities >= records.len()) || stopped.elapsed() > Duration::from_secs(120) {
            break records.len();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let finished = Instant::now();
    let drain_lag = finished - stopped;
    let elapsed = (finished - load_started).as_secs_f64();
    let events = bridge.metrics.events.get();
    let effects = bridge.metrics.effect_count("screen_pop", "written") + bridge.metrics.effect_count("activity", "written");
    tokio::time::sleep(Duration::from_millis(200)).await;
    listener.abort();
    bridge.drain().await?;
    let mut baseline = Histogram::<u64>::new(3)?;
    let mut latency = Histogram::<u64>::new(3)?;
    for entry in seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner).values() {
        if let Some(queued) = entry.queued_seen_ms {
            baseline.record((queued - entry.arrived_ms).max(0) as u64)?;
        }
        if let Some(popped) = entry.popped_seen_ms {
            latency.record((popped - entry.arrived_ms).max(0) as u64)?;
        }
    }
    Ok(StoreRun {
        calls,
        events,
        events_per_second: events as f64 / elapsed,
        effects_per_second: effects as f64 / elapsed,
        drain_lag,
        baseline,
        bridge: latency,
    })
}

/// A redis-server on a free port, or `None` (the Redis row is then skipped).
fn redis_server(dir: &std::path::Path) -> Option<(std::process::Child, String)> {
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|listener| listener.local_addr()).ok()?.port();
    let child = std::process::Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        .arg("--dir")
        .arg(dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if started.elapsed() > Duration::from_secs(10) {
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Some((child, format!("redis://127.0.0.1:{port}")))
}

fn print_store(label: &str, run: &StoreRun) {
    let p99 = |histogram: &Histogram<u64>| histogram.value_at_quantile(0.99);
    let p50 = |histogram: &Histogram<u64>| histogram.value_at_quantile(0.5);
    println!(
        "| {label} | {} | {:.0} | {:.0} | {} ms / {} ms | {} ms / {} ms | **{:.1}x** | {} ms |",
        run.calls,
        run.events_per_second,
        run.effects_per_second,
        p50(&run.baseline),
        p99(&run.baseline),
        p50(&run.bridge),
        p99(&run.bridge),
        p99(&run.bridge) as f64 / p99(&run.baseline).max(1) as f64,
        run.drain_lag.as_millis(),
    );
    let _ = run.events;
}

/// 100 instances retry the channel API through a 2 s outage; returns (first-success offsets,
/// attempt offsets) in ms since the outage began.
async fn reconnect_storm(emulator: &RunningEmulator, token: &str, jitter: bool) -> anyhow::Result<(Vec<u64>, Vec<u64>)> {
    let state = emulator.state();
    let rule = state
        .faults()
        .add(FaultRule { path: "/api/v2/notifications/**".to_string(), status: Some(503), ..FaultRule::default() })
        .map_err(|error| anyhow::anyhow!("fault rule: {error:?}"))?;
    let backoff = Backoff { base: Duration::from_millis(500), max: Duration::from_secs(30) };
    let http = reqwest::Client::new();
    let url = format!("{}/api/v2/notifications/channels", emulator.base_url());
    let attempts = Arc::new(Mutex::new(Vec::new()));
    let began = Instant::now();
    let mut tasks = Vec::new();
    for instance in 0..INSTANCES {
        let (http, url, token, attempts) = (http.clone(), url.clone(), token.to_string(), attempts.clone());
        tasks.push(tokio::spawn(async move {
            use rand::SeedableRng;
            let mut rng = rand::rngs::StdRng::seed_from_u64(instance as u64);
            let mut attempt = 0u32;
            loop {
                // Every instance first waits for its first backoff step: they all lost the
                // connection at the same moment.
                let delay = if jitter { backoff.delay(attempt, &mut rng) } else { backoff.ceiling(attempt) };
                tokio::time::sleep(delay).await;
                let offset = began.elapsed().as_millis() as u64;
                attempts.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(offset);
                let ok = http.get(&url).bearer_auth(&token).send().await.is_ok_and(|response| response.status().is_success());
                if ok {
                    return offset;
                }
                attempt += 1;
            }
        }));
    }
    tokio::time::sleep(OUTAGE).await;
    state.faults().remove(&rule.id);
    let mut first = Vec::new();
    for task in tasks {
        first.push(task.await?);
    }
    let attempts = attempts.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
    Ok((first, attempts))
}

fn peak_per_100ms(offsets: &[u64]) -> usize {
    let mut buckets: HashMap<u64, usize> = HashMap::new();
    for offset in offsets {
        *buckets.entry(offset / 100).or_default() += 1;
    }
    buckets.values().copied().max().unwrap_or(0)
}

fn histogram_line(offsets: &[u64]) -> String {
    // First reconnects per 500 ms bucket over the first 8 s.
    let mut buckets = [0usize; 16];
    for offset in offsets {
        let index = (*offset / 500).min(15) as usize;
        buckets[index] += 1;
    }
    buckets.iter().map(ToString::to_string).collect::<Vec<_>>().join(" ")
}

async fn token(emulator: &RunningEmulator) -> anyhow::Result<String> {
    let credentials = emulator.credentials().org(ORG).context("org")?.clone();
    let response: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/oauth/token", emulator.base_url()))
        .basic_auth(&credentials.client_id, Some(&credentials.client_secret))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await?
        .json()
        .await?;
    response["access_token"].as_str().map(str::to_string).context("access_token")
}

pub async fn run() -> anyhow::Result<()> {
    println!("\n## bridge: {} calls/s for {}s (time x{SPEED_UP}), every call queues", calls_per_second(), LOAD.as_secs());
    println!("| store | calls queued | events/s | effects/s | baseline p50 / p99 (queued event seen) | bridge p50 / p99 (arrival → attributes) | p99 ratio | drain lag |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    let dir = std::env::temp_dir().join(format!("switchboard-bench-bridge-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let sqlite = run_store("SQLite", &format!("sqlite://{}", dir.join("state.db").display())).await?;
    print_store("SQLite", &sqlite);
    match redis_server(&dir) {
        Some((mut child, url)) => {
            let redis = run_store("Redis", &url).await;
            let _ = child.kill();
            let _ = child.wait();
            print_store("Redis", &redis?);
        }
        None => println!("| Redis | skipped: redis-server is not installed | | | | | | |"),
    }

    println!("\n## bridge backoff (not bridges): {INSTANCES} retry loops reconnect after a {}s outage (backoff base 500 ms)", OUTAGE.as_secs());
    let emulator = emulator().await?;
    let token = token(&emulator).await?;
    let (plain_first, plain_attempts) = reconnect_storm(&emulator, &token, false).await?;
    let (jitter_first, jitter_attempts) = reconnect_storm(&emulator, &token, true).await?;
    println!("| backoff | attempts | peak attempts per 100 ms | all reconnected after | first reconnects per 500 ms bucket (0–8 s) |");
    println!("| --- | ---: | ---: | ---: | --- |");
    for (label, first, attempts) in [("no jitter (baseline)", &plain_first, &plain_attempts), ("full jitter (bridge)", &jitter_first, &jitter_attempts)] {
        println!(
            "| {label} | {} | {} | {} ms | {} |",
            attempts.len(),
            peak_per_100ms(attempts),
            first.iter().max().copied().unwrap_or(0),
            histogram_line(first)
        );
    }
    println!(
        "peak ratio (jitter / no jitter): {:.2}x",
        peak_per_100ms(&jitter_attempts) as f64 / peak_per_100ms(&plain_attempts).max(1) as f64
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
