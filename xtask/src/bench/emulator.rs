//! Emulator `GET /api/v2/routing/queues/{id}` with auth, against a trivial axum handler as the
//! ceiling, both driven by the same load generator in the same run. Goal: within 2x of the ceiling.

use super::load::drive;
use anyhow::Context;
use axum::Router;
use axum::routing::get;
use std::time::Duration;
use switchboard_emulator::EmulatorOptions;

const CONCURRENCY: usize = 16;
const DURATION: Duration = Duration::from_secs(10);

pub async fn run() -> anyhow::Result<()> {
    println!("\n# emulator GET /api/v2/routing/queues/{{id}} vs trivial axum handler ({CONCURRENCY} connections, {}s each)", DURATION.as_secs());
    let strict = std::env::var("BENCH_STRICT").is_ok();
    let options = EmulatorOptions { rate_limit_per_minute: u32::MAX, strict, ..EmulatorOptions::default() };
    let emulator = switchboard_emulator::spawn(options).await?;
    let org = emulator.credentials().org("na-east-1").context("the default topology has na-east-1")?.clone();
    let http = reqwest::Client::new();
    let token = super::load::token(&http, &emulator.base_url(), &org).await?;
    let queues: serde_json::Value = http
        .get(format!("{}/api/v2/routing/queues", emulator.base_url()))
        .bearer_auth(&token)
        .send()
        .await?
        .json()
        .await?;
    let queue_id = queues["entities"][0]["id"].as_str().context("no queue in the default topology")?.to_string();
    let body = http
        .get(format!("{}/api/v2/routing/queues/{queue_id}", emulator.base_url()))
        .bearer_auth(&token)
        .send()
        .await?
        .text()
        .await?;

    // The ceiling serves the same bytes with no auth, state, rate limit or middleware.
    let ceiling = Router::new().route(
        "/q",
        get(move || {
            let body = body.clone();
            async move { ([("content-type", "application/json")], body) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let ceiling_addr = listener.local_addr()?;
    let ceiling_server = tokio::spawn(async move { axum::serve(listener, ceiling).await });

    let baseline = drive(format!("http://{ceiling_addr}/q"), None, CONCURRENCY, DURATION).await?;
    let measured = drive(
        format!("{}/api/v2/routing/queues/{queue_id}", emulator.base_url()),
        Some(token),
        CONCURRENCY,
        DURATION,
    )
    .await?;
    ceiling_server.abort();
    emulator.shutdown().await;
    println!("ceiling (trivial axum): {baseline}");
    println!("emulator (auth+store):  {measured}");
    println!(
        "ratio: throughput {:.2}x of ceiling, p99 {:.2}x of ceiling (goal: within 2x)",
        measured.requests_per_second / baseline.requests_per_second,
        measured.p99_us as f64 / baseline.p99_us.max(1) as f64
    );
    Ok(())
}
