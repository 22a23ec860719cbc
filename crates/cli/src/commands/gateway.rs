//! `switchboard gateway`: runs the WebSocket gateway against a target platform (a real org or
//! an emulator) until SIGTERM or Ctrl-C, then drains: readiness turns false and sessions are
//! closed with 1012 and a reconnect hint spread over `--drain-seconds`.

use crate::args::GatewayArgs;
use crate::output::OutputFormat;
use crate::target::Target;
use anyhow::Context;
use chrono::{NaiveTime, Timelike, Utc};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use switchboard_gateway::{GatewayConfig, RunningGateway, TlsFiles};
use switchboard_platform::Platform;

/// `HH:MM=CHANNELS`.
fn parse_prewarm(spec: &str) -> anyhow::Result<(NaiveTime, usize)> {
    let (time, channels) = spec.split_once('=').with_context(|| format!("--prewarm {spec}: expected HH:MM=CHANNELS"))?;
    let time = NaiveTime::parse_from_str(time.trim(), "%H:%M").with_context(|| format!("--prewarm {spec}: time must be HH:MM (UTC)"))?;
    let channels = channels.trim().parse().with_context(|| format!("--prewarm {spec}: CHANNELS must be a number"))?;
    Ok((time, channels))
}

/// Seconds from now until the next `at` (UTC, today or tomorrow).
fn seconds_until(at: NaiveTime) -> u64 {
    let now = Utc::now().time();
    let now_seconds = i64::from(now.num_seconds_from_midnight());
    let at_seconds = i64::from(at.num_seconds_from_midnight());
    (at_seconds - now_seconds).rem_euclid(86_400) as u64
}

async fn prewarm_schedule(gateway: Arc<RunningGateway>, schedule: Vec<(NaiveTime, usize)>) {
    if schedule.is_empty() {
        return;
    }
    loop {
        let Some((at, channels)) = schedule.iter().min_by_key(|(at, _)| seconds_until(*at).max(1)).copied() else { return };
        tokio::time::sleep(Duration::from_secs(seconds_until(at).max(1))).await;
        tracing::info!(channels, "pre-warming upstream channels");
        gateway.prewarm(channels);
    }
}

async fn terminated() {
    #[cfg(unix)]
    {
        if let Ok(mut term) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

pub async fn run(arguments: GatewayArgs, output: OutputFormat) -> anyhow::Result<()> {
    let schedule = arguments.prewarm.iter().map(|spec| parse_prewarm(spec)).collect::<anyhow::Result<Vec<_>>>()?;
    let target = Target::resolve(&arguments.target).await?;
    let mut upstream: Vec<Arc<dyn Platform>> = Vec::new();
    for org in &arguments.orgs {
        let client = target.environment.org(org).with_context(|| format!("--org {org}"))?;
        upstream.push(Arc::new(client.clone()));
    }
    let mut config = GatewayConfig {
        listen: arguments.listen,
        admin_listen: arguments.admin_listen,
        tls: arguments.tls_cert.clone().zip(arguments.tls_key.clone()).map(|(cert, key)| TlsFiles { cert, key }),
        jwt_keys: arguments.jwt_keys.clone(),
        reuse_port: arguments.reuse_port,
        drain_window: Duration::from_secs(arguments.drain_seconds),
        ..GatewayConfig::default()
    };
    config.pool.min_channels = arguments.min_channels;
    // The one place the gateway's randomness comes from the OS: processes must not share
    // reconnect jitter. The gateway itself only ever uses the seed it is given.
    config.pool.jitter_seed = rand::random();
    config.limits.connections_per_address = arguments.connections_per_address;
    let gateway = Arc::new(switchboard_gateway::start(config, upstream).await.context("starting the gateway")?);
    let started = json!({
        "listen": gateway.addr().to_string(),
        "admin": gateway.admin_addr().to_string(),
        "platform": target.base_url,
        "orgs": arguments.orgs,
    });
    output.emit(&started, |_| {
        println!("gateway listening on {} (admin {}), upstream {}", gateway.addr(), gateway.admin_addr(), target.base_url);
    })?;
    let schedule_task = tokio::spawn(prewarm_schedule(gateway.clone(), schedule));
    terminated().await;
    schedule_task.abort();
    eprintln!("draining {} sessions over {} s", gateway.stats().sessions, arguments.drain_seconds);
    let closed = gateway.drain().await;
    let summary = json!({"drained": closed, "stats": gateway.stats()});
    output.emit(&summary, |_| println!("drained {closed} sessions"))?;
    drop(gateway);
    target.shutdown().await;
    Ok(())
}
