//! The demo's live part: Poisson calls on a default DID run the org's IVR in wall-clock time (sped
//! up), look callers up in the emulator's CRM, queue and get answered or abandon; every few
//! seconds the demo reads live abandonment and ASA per queue through the real analytics API.
//! Halfway through, a CRM outage (50 % 503s) shows retries and the flow's fallback at work.

use anyhow::Context;
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use switchboard_api::analytics::AggregationQuery;
use switchboard_api::emulator::FaultRule;
use switchboard_api::traffic::TrafficRequest;
use switchboard_emulator::RunningEmulator;
use switchboard_platform::{AggregateSummary, OrgClient, PlatformExt};

const ORG: &str = "na-east-1";
const DID: &str = "+13175550000";
/// Modelled calls per minute: a little over what the org's four on-queue agents can handle.
const CALLS_PER_MINUTE: f64 = 1.3;
const SPEED_UP: f64 = 60.0;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveSample {
    pub elapsed_seconds: u64,
    pub crm_outage: bool,
    pub queues: Vec<QueueSample>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueSample {
    pub queue: String,
    pub offered: u64,
    pub answered: u64,
    pub abandoned: u64,
    pub abandonment_rate: Option<f64>,
    pub asa_ms: Option<f64>,
}

pub async fn run(emulator: &RunningEmulator, client: &OrgClient, seconds: u64, print: bool) -> anyhow::Result<Vec<LiveSample>> {
    let state = emulator.state();
    let queue_names: BTreeMap<String, String> =
        client.queues().list_all().await.context("queues of na-east-1")?.into_iter().map(|queue| (queue.id, queue.name)).collect();
    let request = TrafficRequest {
        org: ORG.to_string(),
        did: DID.to_string(),
        calls_per_minute: Some(CALLS_PER_MINUTE),
        speed_up: Some(SPEED_UP),
        seed: Some(7),
        ..TrafficRequest::default()
    };
    let stream = state.start_traffic(request).context("starting demo traffic")?;
    if print {
        println!(
            "\n== live calls: {ORG} {DID}, {CALLS_PER_MINUTE} calls/min, time x{SPEED_UP} (handle ~3 min, patience ~2 min, modelled) =="
        );
        println!("{:>5}  {:<8} {:>7} {:>8} {:>9} {:>8} {:>8}", "t(s)", "queue", "offered", "answered", "abandoned", "abandon", "ASA");
    }
    let window_start = chrono::Utc::now() - chrono::Duration::minutes(5);
    let started = Instant::now();
    let mut samples = Vec::new();
    let mut outage: Option<String> = None;
    let step = Duration::from_secs(4).min(Duration::from_secs(seconds.max(1)));
    while started.elapsed() < Duration::from_secs(seconds) {
        tokio::time::sleep(step).await;
        if outage.is_none() && started.elapsed() >= Duration::from_secs(seconds / 2) {
            let rule = FaultRule { path: "/crm/**".to_string(), status: Some(503), probability: Some(0.5), seed: Some(7), ..FaultRule::default() };
            let added = state.faults().add(rule).map_err(|error| anyhow::anyhow!("adding the demo's CRM fault rule: {error:?}"))?;
            outage = Some(added.id);
            if print {
                println!("       -- CRM outage: half of all CRM requests now fail with 503; the IVR retries, then falls back to the menu --");
            }
        }
        let sample = sample(client, &queue_names, window_start, started.elapsed().as_secs(), outage.is_some()).await?;
        if print {
            for queue in &sample.queues {
                println!(
                    "{:>5}  {:<8} {:>7} {:>8} {:>9} {:>8} {:>8}",
                    sample.elapsed_seconds,
                    queue.queue,
                    queue.offered,
                    queue.answered,
                    queue.abandoned,
                    queue.abandonment_rate.map_or("-".to_string(), |rate| format!("{:.1}%", rate * 100.0)),
                    queue.asa_ms.map_or("-".to_string(), |asa| format!("{:.1}s", asa / 1000.0)),
                );
            }
        }
        samples.push(sample);
    }
    let placed = state.contact_center().traffic.stop(&stream.id).context("stopping demo traffic")?.calls_placed;
    let failed_crm_requests = outage
        .as_ref()
        .and_then(|id| state.faults().list().into_iter().find(|rule| &rule.id == id))
        .map_or(0, |rule| rule.applied);
    // The outage ends with the live part, so the steps after it meet a healthy CRM.
    if let Some(id) = &outage {
        state.faults().remove(id);
    }
    if print {
        let offered: u64 = samples.last().map_or(0, |sample| sample.queues.iter().map(|queue| queue.offered).sum());
        println!(
            "       {placed} calls placed, {offered} reached a queue; {failed_crm_requests} CRM requests failed during the outage and were retried or fell back"
        );
    }
    Ok(samples)
}

/// Live abandonment and ASA per queue, through `POST /api/v2/analytics/conversations/aggregates/query`.
async fn sample(
    client: &OrgClient,
    queue_names: &BTreeMap<String, String>,
    window_start: chrono::DateTime<chrono::Utc>,
    elapsed_seconds: u64,
    crm_outage: bool,
) -> anyhow::Result<LiveSample> {
    let window_end = chrono::Utc::now() + chrono::Duration::hours(1);
    let query = AggregationQuery {
        interval: format!("{}/{}", window_start.format("%Y-%m-%dT%H:%M:%S%.3fZ"), window_end.format("%Y-%m-%dT%H:%M:%S%.3fZ")),
        group_by: vec!["queueId".to_string()],
        metrics: ["nOffered", "tAnswered", "tAbandon"].map(str::to_string).to_vec(),
        ..AggregationQuery::default()
    };
    let response = client.analytics().conversation_aggregates(&query).await.context("live analytics query")?;
    let summary = AggregateSummary::from_response(&response, "queueId");
    let queues = summary
        .groups
        .iter()
        .filter_map(|(queue_id, totals)| {
            let queue_id = queue_id.as_ref()?;
            Some(QueueSample {
                queue: queue_names.get(queue_id).cloned().unwrap_or_else(|| queue_id.clone()),
                offered: totals.offered,
                answered: totals.answered,
                abandoned: totals.abandoned,
                abandonment_rate: totals.abandon_rate(),
                asa_ms: totals.average_speed_of_answer_ms(),
            })
        })
        .collect();
    Ok(LiveSample { elapsed_seconds, crm_outage, queues })
}
