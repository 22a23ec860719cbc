//! The kill test on the running stack: calls arrive at a steady pace, the active bridge's
//! container gets SIGKILL (`docker kill`) mid-stream, the standby takes the lease, and every
//! call that reached a queue ends with exactly one CRM activity (the emulator's fake CRM keeps
//! them; its idempotency key is the bridge's effect key).

use super::stack::{BRIDGES, EMULATOR, Stack, active_bridge, bridge_role};
use anyhow::{Context, bail};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use switchboard_api::crm::Activity;
use switchboard_api::traffic::{PlaceCallRequest, PlacedCall};

pub struct KillReport {
    pub calls: usize,
    pub queued: usize,
    pub killed: &'static str,
    pub killed_after_calls: usize,
    pub failover: Duration,
    pub activities_checked: usize,
    pub activity_posts: u64,
}

/// The header `/_emulator/*` requires, with the compose stack's dev credential.
pub const CONTROL_HEADER: &str = "x-switchboard-control-token";

pub async fn run(stack: &Stack<'_>, http: &reqwest::Client, calls: usize) -> anyhow::Result<KillReport> {
    let active = active_bridge(http, Duration::from_secs(30)).await?;
    let standby = BRIDGES.iter().find(|(service, _)| *service != active).map(|(_, base)| *base).context("two bridges")?;
    println!("active bridge: {active}; placing {calls} calls, killing it after {}", calls / 3);
    let mut placed = Vec::new();
    let mut kill: Option<(Instant, usize)> = None;
    for index in 0..calls {
        if index == calls / 3 {
            let container = stack.container(active)?;
            super::docker::run_status(stack.docker.command().args(["kill", "--signal", "KILL", &container]).stdout(std::process::Stdio::null()))?;
            println!("docker kill {active} ({}) after {index} calls", &container[..12.min(container.len())]);
            kill = Some((Instant::now(), index));
        }
        placed.push(place_call(http, &stack.control_token).await?);
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    let (killed_at, killed_after_calls) = kill.context("the kill happened")?;
    // The standby took the lease (it says so on its readiness).
    let failover = loop {
        if bridge_role(http, standby).await.as_deref() == Some("active") {
            break killed_at.elapsed();
        }
        if killed_at.elapsed() > Duration::from_secs(60) {
            bail!("the standby did not take over within 60 s of the kill\n{}", stack.logs("bridge-blue") + &stack.logs("bridge-green"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    println!("standby active {} ms after the kill", failover.as_millis());

    // Every call ends (answered or abandoned), then every queued one has its activity.
    let mut queued = Vec::new();
    for id in &placed {
        let call: PlacedCall = http
            .get(format!("{EMULATOR}/_emulator/calls/{id}?wait=end&timeoutMs=30000"))
            .header(CONTROL_HEADER, &stack.control_token)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await
            .with_context(|| format!("call {id}"))?;
        if !call.ended {
            bail!("call {id} did not end within 30 s: {}", call.outcome);
        }
        if call.queue_id.is_some() {
            queued.push(id.clone());
        }
    }
    if queued.len() < calls / 2 {
        bail!("only {} of {calls} calls reached a queue", queued.len());
    }
    let started = Instant::now();
    let (activities_checked, problems) = loop {
        let activities: Vec<Activity> = http.get(format!("{EMULATOR}/crm/activities")).send().await?.error_for_status()?.json().await?;
        let mut per_call: BTreeMap<String, usize> = BTreeMap::new();
        for activity in &activities {
            *per_call.entry(activity.activity.conversation_id.clone().unwrap_or_default()).or_default() += 1;
        }
        let mut problems: Vec<String> = queued
            .iter()
            .filter(|id| per_call.get(*id) != Some(&1))
            .map(|id| format!("{id}: {} activities", per_call.get(id).copied().unwrap_or(0)))
            .collect();
        // The background traffic's calls too: never two activities for one call.
        problems.extend(per_call.iter().filter(|(_, count)| **count > 1).map(|(id, count)| format!("{id}: {count} activities")));
        problems.dedup();
        if problems.is_empty() || started.elapsed() > Duration::from_secs(60) {
            break (activities.len(), problems);
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    if !problems.is_empty() {
        bail!("after the kill, not exactly one CRM activity per call: {problems:?}\n{}", stack.logs("bridge-blue") + &stack.logs("bridge-green"));
    }
    let activity_posts = activity_posts(http, &stack.control_token).await.unwrap_or(0);
    Ok(KillReport { calls, queued: queued.len(), killed: active, killed_after_calls, failover, activities_checked, activity_posts })
}

async fn place_call(http: &reqwest::Client, control_token: &str) -> anyhow::Result<String> {
    let request = PlaceCallRequest {
        org: "na-east-1".to_string(),
        did: "+13175550000".to_string(),
        speed_up: Some(200.0),
        no_wait: true,
        ..PlaceCallRequest::default()
    };
    let call: PlacedCall =
        http.post(format!("{EMULATOR}/_emulator/calls")).header(CONTROL_HEADER, control_token).json(&request).send().await?.error_for_status()?.json().await?;
    Ok(call.conversation_id)
}

/// How many activity writes the CRM received (its request counter): more than the activities
/// means effects were repeated and the idempotency key absorbed them.
async fn activity_posts(http: &reqwest::Client, control_token: &str) -> anyhow::Result<u64> {
    let body: serde_json::Value =
        http.get(format!("{EMULATOR}/_emulator/counters")).header(CONTROL_HEADER, control_token).send().await?.error_for_status()?.json().await?;
    Ok(body["counters"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|counter| counter["method"] == "POST" && counter["path"] == "/crm/activities")
        .filter_map(|counter| counter["count"].as_u64())
        .sum())
}
