//! Notification fan-out with 10,000 subscribed topics (10 channels x 1,000 topics, one socket
//! each): delivered events/s and p99 delivery latency through the emulator's hub, next to a
//! trivial fan-out (a topic → socket map feeding the same sockets through axum) in the same run.

use anyhow::Context;
use axum::Router;
use axum::extract::ws::{Message, WebSocketUpgrade};
use axum::routing::get;
use futures_util::StreamExt;
use hdrhistogram::Histogram;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use switchboard_emulator::EmulatorOptions;
use tokio::sync::mpsc;

const CHANNELS: usize = 10;
const TOPICS_PER_CHANNEL: usize = 1_000;
/// Saturation run: as fast as the publisher can go, in bursts of `BURST` with a yield between.
const BURST_EVENTS: usize = 100_000;
const BURST: usize = 500;
/// Paced run: a busy org's steady rate, where latency is delivery time rather than queueing.
const PACED_EVENTS: usize = 30_000;
const PACED_PER_SECOND: usize = 10_000;

#[derive(Clone, Copy)]
enum Pace {
    Burst,
    Paced,
}

impl Pace {
    fn events(self) -> usize {
        match self {
            Pace::Burst => BURST_EVENTS,
            Pace::Paced => PACED_EVENTS,
        }
    }

    /// Called after each published event: yields between bursts, or sleeps to keep the rate.
    async fn after(self, event: usize, started: Instant) {
        match self {
            Pace::Burst => {
                if event % BURST == BURST - 1 {
                    tokio::task::yield_now().await;
                }
            }
            Pace::Paced => {
                // Publish in 1 ms ticks of PACED_PER_SECOND / 1000 events.
                let per_tick = PACED_PER_SECOND / 1_000;
                if event % per_tick == per_tick - 1 {
                    let due = started + Duration::from_millis(((event + 1) / per_tick) as u64);
                    tokio::time::sleep_until(due.into()).await;
                }
            }
        }
    }
}

struct FanOutResult {
    events_per_second: f64,
    p50_us: u64,
    p99_us: u64,
}

impl std::fmt::Display for FanOutResult {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            formatter,
            "{:.0} events/s delivered, p50 {:.2} ms, p99 {:.2} ms",
            self.events_per_second,
            self.p50_us as f64 / 1000.0,
            self.p99_us as f64 / 1000.0
        )
    }
}

fn topic(channel: usize, index: usize) -> String {
    format!("v2.users.bench-user-{channel}-{index}.presence")
}

pub async fn run() -> anyhow::Result<()> {
    println!("\n# notifications: {} subscribed topics ({CHANNELS} sockets)", CHANNELS * TOPICS_PER_CHANNEL);
    for (label, pace) in [("saturation, 100,000 events in bursts", Pace::Burst), ("paced, 30,000 events at 10,000/s", Pace::Paced)] {
        let baseline = trivial_fan_out(pace).await?;
        let measured = hub_fan_out(pace).await?;
        println!("{label}:");
        println!("  trivial fan-out:  {baseline}");
        println!("  emulator hub:     {measured}");
        println!(
            "  ratio: throughput {:.2}x of trivial fan-out, p99 {:.2}x",
            measured.events_per_second / baseline.events_per_second,
            measured.p99_us as f64 / baseline.p99_us.max(1) as f64
        );
    }
    Ok(())
}

/// Reads `expected` events from each socket URL and returns the merged latency histogram.
type Reader = tokio::task::JoinHandle<anyhow::Result<Histogram<u64>>>;

async fn receive_all(urls: Vec<String>, expected_per_socket: usize, epoch: Instant) -> anyhow::Result<Vec<Reader>> {
    let mut readers = Vec::new();
    for url in urls {
        let (socket, _) = tokio_tungstenite::connect_async(url.as_str()).await.with_context(|| format!("connecting {url}"))?;
        let (_, mut incoming) = socket.split();
        readers.push(tokio::spawn(async move {
            let mut histogram = Histogram::<u64>::new_with_bounds(1, 120_000_000, 3)?;
            while (histogram.len() as usize) < expected_per_socket {
                let Some(message) = incoming.next().await else { break };
                let text = match message? {
                    tokio_tungstenite::tungstenite::Message::Text(text) => text,
                    _ => continue,
                };
                let value: serde_json::Value = serde_json::from_str(text.as_str())?;
                if let Some(sent_us) = value["eventBody"]["sentUs"].as_u64() {
                    let now_us = epoch.elapsed().as_micros() as u64;
                    histogram.saturating_record(now_us.saturating_sub(sent_us).max(1));
                }
            }
            Ok(histogram)
        }));
    }
    Ok(readers)
}

async fn collect(readers: Vec<Reader>, started: Instant, events: usize) -> anyhow::Result<FanOutResult> {
    let mut merged = Histogram::<u64>::new_with_bounds(1, 120_000_000, 3)?;
    for reader in readers {
        merged.add(&tokio::time::timeout(Duration::from_secs(120), reader).await???)?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    anyhow::ensure!(merged.len() as usize == events, "delivered {} of {events} events", merged.len());
    Ok(FanOutResult { events_per_second: events as f64 / elapsed, p50_us: merged.value_at_quantile(0.5), p99_us: merged.value_at_quantile(0.99) })
}

async fn hub_fan_out(pace: Pace) -> anyhow::Result<FanOutResult> {
    let events = pace.events();
    let mut options = EmulatorOptions::default();
    // Room for a whole burst per socket: this measures throughput, not the slow-consumer cut-off.
    options.notifications.socket_buffer = events;
    let emulator = switchboard_emulator::spawn(options).await?;
    let org_id = emulator.credentials().orgs.first().context("no org")?.id.clone();
    let state = emulator.state();
    let hub = state.notifications().clone();
    let mut urls = Vec::new();
    for channel in 0..CHANNELS {
        let info = hub.create_channel(&org_id, &format!("bench-client-{channel}"));
        let topics: Vec<String> = (0..TOPICS_PER_CHANNEL).map(|index| topic(channel, index)).collect();
        hub.subscribe(&org_id, &format!("bench-client-{channel}"), &info.id, &topics, true)
            .map_err(|error| anyhow::anyhow!("subscribe: {error}"))?;
        urls.push(format!("ws://{}/channels/{}", emulator.addr(), info.id));
    }
    let epoch = Instant::now();
    let readers = receive_all(urls, events / CHANNELS, epoch).await?;
    let started = Instant::now();
    for event in 0..events {
        let (channel, index) = (event % CHANNELS, (event / CHANNELS) % TOPICS_PER_CHANNEL);
        let body = serde_json::json!({"sentUs": epoch.elapsed().as_micros() as u64, "seq": event});
        hub.publish(&org_id, &topic(channel, index), &body);
        pace.after(event, started).await;
    }
    let result = collect(readers, started, events).await;
    emulator.shutdown().await;
    result
}

type Sockets = Arc<Mutex<Vec<mpsc::UnboundedSender<String>>>>;

async fn trivial_fan_out(pace: Pace) -> anyhow::Result<FanOutResult> {
    let events = pace.events();
    let sockets: Sockets = Arc::new(Mutex::new(Vec::new()));
    let registered = sockets.clone();
    let app = Router::new().route(
        "/ws",
        get(move |upgrade: WebSocketUpgrade| {
            let registered = registered.clone();
            async move {
                upgrade.on_upgrade(move |mut socket| async move {
                    let (sender, mut receiver) = mpsc::unbounded_channel::<String>();
                    if let Ok(mut all) = registered.lock() {
                        all.push(sender);
                    }
                    while let Some(text) = receiver.recv().await {
                        if socket.send(Message::Text(text.into())).await.is_err() {
                            break;
                        }
                    }
                })
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let epoch = Instant::now();
    let urls = (0..CHANNELS).map(|_| format!("ws://{addr}/ws")).collect();
    let readers = receive_all(urls, events / CHANNELS, epoch).await?;
    while sockets.lock().map(|all| all.len()).unwrap_or(0) < CHANNELS {
        tokio::task::yield_now().await;
    }
    let senders = sockets.lock().map(|all| all.clone()).unwrap_or_default();
    let mut routes: HashMap<String, usize> = HashMap::new();
    for channel in 0..CHANNELS {
        for index in 0..TOPICS_PER_CHANNEL {
            routes.insert(topic(channel, index), channel);
        }
    }
    let started = Instant::now();
    for event in 0..events {
        let (channel, index) = (event % CHANNELS, (event / CHANNELS) % TOPICS_PER_CHANNEL);
        let name = topic(channel, index);
        let body = serde_json::json!({"topicName": name, "version": "2", "eventBody": {"sentUs": epoch.elapsed().as_micros() as u64, "seq": event}});
        if let Some(&socket) = routes.get(&name) {
            let _ = senders[socket].send(body.to_string());
        }
        pace.after(event, started).await;
    }
    let result = collect(readers, started, events).await;
    server.abort();
    result
}
