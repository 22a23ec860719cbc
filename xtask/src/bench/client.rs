//! The client against a 300 requests/minute limit for two minutes: the share of the allowed budget
//! it used and the 429s it surfaced to callers, next to a naive client (plain HTTP, no adaptation)
//! run against a fresh emulator in the same run. Goals: share >= 90 %, 0 surfaced 429s.

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
    println!(
        "naive client:    {} ok, {} 429s surfaced, {:.1}% of budget",
        naive.0, naive.1, naive.0 as f64 / budget * 100.0
    );
    println!(
        "switchboard:     {} ok, {} 429s surfaced, {:.1}% of budget ({} retries absorbed)",
        adaptive.0, adaptive.1, adaptive.0 as f64 / budget * 100.0, adaptive.2
    );
    println!("ratio: switchboard used {:.2}x the naive client's successful requests (goal: >= 90% of budget, 0 429s)", adaptive.0 as f64 / naive.0.max(1) as f64);
    Ok(())
}

async fn limited_emulator() -> anyhow::Result<switchboard_emulator::RunningEmulator> {
    Ok(switchboard_emulator::spawn(EmulatorOptions { rate_limit_per_minute: LIMIT_PER_MINUTE, ..EmulatorOptions::default() }).await?)
}

/// Returns (successful requests, 429s surfaced).
async fn naive_client() -> anyhow::Result<(u64, u64)> {
    let emulator = limited_emulator().await?;
    let org = emulator.credentials().orgs.first().context("no org")?.clone();
    let http = reqwest::Client::new();
    let token = super::load::token(&http, &emulator.base_url(), &org).await?;
    let url = format!("{}/api/v2/organizations/me", emulator.base_url());
    let ok = Arc::new(AtomicU64::new(0));
    let throttled = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + DURATION;
    let mut workers = Vec::new();
    for _ in 0..CALLERS {
        let (http, url, token, ok, throttled) = (http.clone(), url.clone(), token.clone(), ok.clone(), throttled.clone());
        workers.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                match http.get(&url).bearer_auth(&token).send().await {
                    Ok(response) if response.status().is_success() => ok.fetch_add(1, Ordering::Relaxed),
                    Ok(response) if response.status().as_u16() == 429 => {
                        // A typical hand-written script: wait a second and try again.
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        throttled.fetch_add(1, Ordering::Relaxed)
                    }
                    _ => 0,
                };
            }
        }));
    }
    for worker in workers {
        worker.await?;
    }
    emulator.shutdown().await;
    Ok((ok.load(Ordering::Relaxed), throttled.load(Ordering::Relaxed)))
}

/// Returns (successful requests, 429s surfaced, retries absorbed).
async fn adaptive_client() -> anyhow::Result<(u64, u64, u64)> {
    let emulator = limited_emulator().await?;
    let org = emulator.credentials().orgs.first().context("no org")?.clone();
    let client = OrgClient::new(ClientConfig::new(emulator.base_url(), org.client_id, org.client_secret))?;
    let ok = Arc::new(AtomicU64::new(0));
    let surfaced = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + DURATION;
    let mut workers = Vec::new();
    for _ in 0..CALLERS {
        let (client, ok, surfaced) = (client.clone(), ok.clone(), surfaced.clone());
        workers.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                // Bound each call by what is left of the run, so the benchmark ends on time.
                let left = deadline.saturating_duration_since(Instant::now());
                match tokio::time::timeout(left, client.orgs().me()).await {
                    Ok(Ok(_)) => {
                        ok.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(Err(PlatformError::RateLimited { .. })) => {
                        surfaced.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(Err(_)) | Err(_) => {}
                }
            }
        }));
    }
    for worker in workers {
        worker.await?;
    }
    let stats = client.stats();
    emulator.shutdown().await;
    Ok((ok.load(Ordering::Relaxed), surfaced.load(Ordering::Relaxed), stats.retries))
}
