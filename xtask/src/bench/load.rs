//! A closed-loop HTTP load generator: `concurrency` workers send requests back to back for a fixed
//! time and record each latency in an HDR histogram.

use hdrhistogram::Histogram;
use std::time::{Duration, Instant};

pub struct LoadResult {
    pub requests: u64,
    pub errors: u64,
    pub requests_per_second: f64,
    pub p50_us: u64,
    pub p99_us: u64,
}

impl std::fmt::Display for LoadResult {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            formatter,
            "{:.0} req/s, p50 {:.2} ms, p99 {:.2} ms ({} requests, {} errors)",
            self.requests_per_second,
            self.p50_us as f64 / 1000.0,
            self.p99_us as f64 / 1000.0,
            self.requests,
            self.errors
        )
    }
}

pub async fn drive(url: String, bearer: Option<String>, concurrency: usize, duration: Duration) -> anyhow::Result<LoadResult> {
    let client = reqwest::Client::builder().pool_max_idle_per_host(concurrency).build()?;
    let started = Instant::now();
    let deadline = started + duration;
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let client = client.clone();
        let url = url.clone();
        let bearer = bearer.clone();
        workers.push(tokio::spawn(async move {
            let mut histogram = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
            let mut errors = 0u64;
            while Instant::now() < deadline {
                let sent = Instant::now();
                let mut request = client.get(&url);
                if let Some(token) = &bearer {
                    request = request.bearer_auth(token);
                }
                match request.send().await {
                    Ok(response) if response.status().is_success() => {
                        let _ = response.bytes().await;
                    }
                    _ => errors += 1,
                }
                histogram.saturating_record(sent.elapsed().as_micros() as u64);
            }
            anyhow::Ok((histogram, errors))
        }));
    }
    let mut merged = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
    let mut errors = 0;
    for worker in workers {
        let (histogram, worker_errors) = worker.await??;
        merged.add(&histogram)?;
        errors += worker_errors;
    }
    let elapsed = started.elapsed().as_secs_f64();
    Ok(LoadResult {
        requests: merged.len(),
        errors,
        requests_per_second: merged.len() as f64 / elapsed,
        p50_us: merged.value_at_quantile(0.50),
        p99_us: merged.value_at_quantile(0.99),
    })
}

/// A bearer token for one org of an emulator, fetched the way any OAuth client would.
pub async fn token(http: &reqwest::Client, base_url: &str, org: &switchboard_api::credentials::OrgCredentials) -> anyhow::Result<String> {
    let token: serde_json::Value = http
        .post(format!("{base_url}/oauth/token"))
        .basic_auth(&org.client_id, Some(&org.client_secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await?
        .json()
        .await?;
    token["access_token"].as_str().map(str::to_string).ok_or_else(|| anyhow::anyhow!("the token endpoint returned no access_token"))
}
