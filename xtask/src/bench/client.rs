//! The client against a 300 requests/minute limit for two minutes: the share of the allowed budget
//! it used and the 429s it surfaced to callers, next to a naive client (plain HTTP, no adaptation)
//! run against a fresh emulator in the same run. Goals: share >= 90 %, 0 surfaced 429s. Every
//! outcome is counted: a failure that is not a 429 (another status, a transport error) is
//! reported as an error too, never dropped.

use anyhow::Context;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use switchboard_emulator::EmulatorOptions;
use switchboard_platform::{ClientConfig, OrgClient, PlatformError, PlatformExt};

const LIMIT_PER_MINUTE: u32 = 300;
const DURATION: Duration = Duration::from_secs(120);
const CALLERS: usize = 8;

pub async fn run() -> anyhow::Result<()> {
    println!("\n# client vs {LIMIT_PER_MINUTE}/min limit for {}s with {CALLERS} concurrent callers", DURATION.as_secs());
    let naive = naive_client().await?;
    let adaptive = adaptive_client().await?;
    let budget = f64::from(LIMIT_PER_MINUTE) * DURATION.as_secs_f64() / 60.0;
    for (name, tally) in [("naive client", &naive), ("switchboard", &adaptive)] {
        println!(
            "{name:<13} {} ok, {:.1}% of budget; errors surfaced: {} 429s, {} other statuses, {} transport or timeout; {} calls cut off at the deadline; {} retries absorbed",
            tally.ok,
            tally.ok as f64 / budget * 100.0,
            tally.throttled,
            tally.other_status,
            tally.transport,
            tally.cut_off,
            tally.retries
        );
    }
    println!(
        "ratio: switchboard used {:.2}x the naive client's successful requests, with {} errors against {} (goal: >= 90% of budget, 0 errors)",
        adaptive.ok as f64 / naive.ok.max(1) as f64,
        adaptive.errors(),
        naive.errors()
    );
    Ok(())
}

/// Every outcome of a run.
#[derive(Default)]
struct Tally {
    ok: u64,
    /// 429s that reached the caller.
    throttled: u64,
    /// Any other failed status that reached the caller.
    other_status: u64,
    /// Connection or protocol failures that reached the caller.
    transport: u64,
    /// Calls still in flight when the run's time was up (not errors: the run ended).
    cut_off: u64,
    /// 429s and transient failures the client retried without surfacing them.
    retries: u64,
}

impl Tally {
    fn errors(&self) -> u64 {
        self.throttled + self.other_status + self.transport
    }
}

#[derive(Default)]
struct Counters {
    ok: AtomicU64,
    throttled: AtomicU64,
    other_status: AtomicU64,
    transport: AtomicU64,
    cut_off: AtomicU64,
}

impl Counters {
    fn tally(&self, retries: u64) -> Tally {
        Tally {
            ok: self.ok.load(Ordering::Relaxed),
            throttled: self.throttled.load(Ordering::Relaxed),
            other_status: self.other_status.load(Ordering::Relaxed),
            transport: self.transport.load(Ordering::Relaxed),
            cut_off: self.cut_off.load(Ordering::Relaxed),
            retries,
        }
    }
}

async fn limited_emulator() -> anyhow::Result<switchboard_emulator::RunningEmulator> {
    Ok(switchboard_emulator::spawn(EmulatorOptions { rate_limit_per_minute: LIMIT_PER_MINUTE, ..EmulatorOptions::default() }).await?)
}

async fn naive_client() -> anyhow::Result<Tally> {
    let emulator = limited_emulator().await?;
    let org = emulator.credentials().orgs.first().context("no org")?.clone();
    let http = reqwest::Client::new();
    let token = super::load::token(&http, &emulator.base_url(), &org).await?;
    let url = format!("{}/api/v2/organizations/me", emulator.base_url());
    let counters = Arc::new(Counters::default());
    let deadline = Instant::now() + DURATION;
    let mut workers = Vec::new();
    for _ in 0..CALLERS {
        let (http, url, token, counters) = (http.clone(), url.clone(), token.clone(), counters.clone());
        workers.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                let left = deadline.saturating_duration_since(Instant::now());
                let counter = match tokio::time::timeout(left, http.get(&url).bearer_auth(&token).send()).await {
                    Ok(Ok(response)) if response.status().is_success() => &counters.ok,
                    Ok(Ok(response)) if response.status().as_u16() == 429 => {
                        // A typical hand-written script: wait a second and try again.
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        &counters.throttled
                    }
                    Ok(Ok(_)) => &counters.other_status,
                    Ok(Err(_)) => &counters.transport,
                    Err(_) => &counters.cut_off,
                };
                counter.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for worker in workers {
        worker.await?;
    }
    emulator.shutdown().await;
    Ok(counters.tally(0))
}

async fn adaptive_client() -> anyhow::Result<Tally> {
    let emulator = limited_emulator().await?;
    let org = emulator.credentials().orgs.first().context("no org")?.clone();
    let client = OrgClient::new(ClientConfig::new(emulator.base_url(), org.client_id, org.client_secret))?;
    let counters = Arc::new(Counters::default());
    let deadline = Instant::now() + DURATION;
    let mut workers = Vec::new();
    for _ in 0..CALLERS {
        let (client, counters) = (client.clone(), counters.clone());
        workers.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                // Bound each call by what is left of the run, so the benchmark ends on time.
                let left = deadline.saturating_duration_since(Instant::now());
                let counter = match tokio::time::timeout(left, client.orgs().me()).await {
                    Ok(Ok(_)) => &counters.ok,
                    Ok(Err(PlatformError::RateLimited { .. })) => &counters.throttled,
                    Ok(Err(PlatformError::Transport { .. } | PlatformError::Timeout { .. } | PlatformError::Deadline { .. })) => &counters.transport,
                    Ok(Err(_)) => &counters.other_status,
                    Err(_) => &counters.cut_off,
                };
                counter.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for worker in workers {
        worker.await?;
    }
    let stats = client.stats();
    emulator.shutdown().await;
    Ok(counters.tally(stats.retries))
}
