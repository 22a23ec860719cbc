//! Analytics over wall-clock calls: aggregate totals equal what the recorded calls add up to,
//! and grouping or filtering by flow version separates the versions.

use super::contact_center::{LOOKUP_DID, await_call, place, start_center};
use super::support::*;
use serde_json::{Value, json};
use switchboard_api::analytics::AggregateQueryResponse;
use switchboard_emulator::CenterOptions;
use switchboard_simulation::distribution::DurationDistribution;

const NOBODY_DID: &str = "+13175550400";

fn window() -> String {
    let now = chrono::Utc::now();
    let from = now - chrono::Duration::hours(1);
    let to = now + chrono::Duration::hours(1);
    format!("{}/{}", from.to_rfc3339(), to.to_rfc3339())
}

async fn query(client: &OrgClient, kind: &str, body: Value) -> AggregateQueryResponse {
    let response = client.post(&format!("/api/v2/analytics/{kind}/aggregates/query"), body).await;
    let status = response.status();
    let text = response.text().await.expect("body");
    assert_eq!(status, 200, "{text}");
    serde_json::from_str(&text).expect("aggregate response")
}

#[tokio::test]
async fn totals_equal_the_sum_of_recorded_calls() {
    let emulator = start_center().await;
    // Patience shorter than the agent's handling: with one agent, queued callers abandon.
    emulator.state().contact_center().set_options(CenterOptions {
        handle_time: DurationDistribution::Constant { ms: 400.0 },
        wrap_up: DurationDistribution::Constant { ms: 10.0 },
        patience: DurationDistribution::Constant { ms: 100.0 },
        seed: 5,
    });
    let client = login(&emulator, "acme").await;
    let mut ids = Vec::new();
    for index in 0..3 {
        let ani = format!("+1555000100{index}");
        ids.push(place(&emulator, LOOKUP_DID, json!({"noWait": true, "ani": ani})).await.conversation_id);
    }
    // A queue without agents: that caller abandons too.
    ids.push(place(&emulator, NOBODY_DID, json!({"noWait": true})).await.conversation_id);
    let mut outcomes = Vec::new();
    for id in &ids {
        outcomes.push(await_call(&emulator, id, "end").await.outcome);
    }
    let answered = outcomes.iter().filter(|outcome| *outcome == "answered").count() as u64;
    let abandoned = outcomes.iter().filter(|outcome| *outcome == "abandoned").count() as u64;
    assert_eq!(answered + abandoned, 4, "{outcomes:?}");
    assert!(answered >= 1 && abandoned >= 1, "{outcomes:?}");

    let body = json!({
        "interval": window(), "granularity": "PT30M", "groupBy": ["queueId"],
        "metrics": ["nOffered", "tAnswered", "tAbandon", "tHandle", "tWait"]
    });
    let response = query(&client, "conversations", body).await;
    assert_eq!(response.total("nOffered").count, Some(4));
    assert_eq!(response.total("tAnswered").count, Some(answered));
    assert_eq!(response.total("tAbandon").count, Some(abandoned));
    assert_eq!(response.total("tHandle").count, Some(answered));
    assert_eq!(response.total("tWait").count, Some(4));

    // The timers are the sums of the recorded calls' spans.
    let records = emulator.state().contact_center().analytics.records(&client.org_id);
    assert_eq!(records.len(), 4);
    let waits: f64 = records
        .iter()
        .filter_map(|record| record.queue.as_ref())
        .filter_map(|queue| queue.answered_ms.map(|answered| (answered - queue.entered_ms) as f64))
        .sum();
    assert_eq!(response.total("tAnswered").sum.unwrap_or(0.0), waits);
    let abandon_rate = abandoned as f64 / 4.0;
    let by_queue = response.results.iter().map(|result| result.group["queueId"].clone()).collect::<Vec<_>>();
    assert_eq!(by_queue.len(), 2, "Support and Empty: {by_queue:?}");
    assert!(abandon_rate > 0.0);

    let window = window();
    let (from, to) = window.split_once('/').expect("start/end");
    let report_path = format!("/api/v2/analytics/interactions/queues?dateFrom={}&dateTo={}&interval=PT1H", urlencode(from), urlencode(to));
    let report = client.get_json(&report_path).await;
    let offered: u64 = report["entities"].as_array().expect("entities").iter().filter_map(|row| row["nOffered"].as_u64()).sum();
    assert_eq!(offered, 4);
}

fn urlencode(text: &str) -> String {
    text.replace('+', "%2B").replace(':', "%3A")
}

/// Checks out, saves and publishes a new version of `flow_id`, then waits until it is live: the
/// flow's notification topic announces the finished publish (no polling, no sleeping).
async fn publish_new_version(client: &OrgClient, flow_id: &str, definition: Value) {
    use super::notifications::{connect, create_channel, next_event, subscribe};
    let (channel_id, uri) = create_channel(client).await;
    let topic = format!("v2.flows.{flow_id}");
    assert_eq!(subscribe(client, &channel_id, std::slice::from_ref(&topic)).await.status(), 200);
    let mut socket = connect(&uri, None).await;
    let checkout = client.post(&format!("/api/v2/flows/actions/checkout?flow={flow_id}"), json!({})).await;
    assert_eq!(checkout.status(), 200);
    let saved = client.post(&format!("/api/v2/flows/{flow_id}/versions"), definition).await;
    assert_eq!(saved.status(), 200, "{}", saved.text().await.unwrap_or_default());
    let publish = client.post(&format!("/api/v2/flows/actions/publish?flow={flow_id}"), json!({})).await;
    assert!(publish.status().is_success(), "publish: {}", publish.status());
    // Publishing completes asynchronously, like the real platform's; its event says when.
    for _ in 0..20 {
        let event = next_event(&mut socket).await;
        if event["topicName"] == topic.as_str() && event["eventBody"]["publishedVersion"]["id"] == "2.0" {
            return;
        }
    }
    panic!("no event announced version 2.0 of {flow_id} as published");
}

#[tokio::test]
async fn queries_by_flow_version_separate_the_versions() {
    let emulator = start_center().await;
    let client = login(&emulator, "acme").await;
    for _ in 0..2 {
        place(&emulator, "+13175550200", json!({})).await;
    }
    let flow_id = client.id_by_name("/api/v2/flows", "Router").await;
    let version_two = json!({
        "name": "Router", "start": "greet",
        "blocks": {
            "greet": {"type": "play", "prompt": "v2", "duration_ms": 10, "next": "go"},
            "go": {"type": "transfer_to_queue", "queue": "Support"}
        }
    });
    publish_new_version(&client, &flow_id, version_two).await;
    for _ in 0..3 {
        place(&emulator, "+13175550200", json!({})).await;
    }

    let body = json!({"interval": window(), "groupBy": ["flowVersion"], "metrics": ["nOffered"]});
    let response = query(&client, "conversations", body).await;
    let count = |version: &str| response.group("flowVersion", version).map(|group| group.data[0].metrics[0].stats.count);
    assert_eq!(count("1.0"), Some(Some(2)));
    assert_eq!(count("2.0"), Some(Some(3)));

    let filtered = json!({
        "interval": window(), "metrics": ["nOffered"],
        "filter": {"type": "and", "predicates": [{"dimension": "flowVersion", "value": "2.0"}]}
    });
    assert_eq!(query(&client, "conversations", filtered).await.total("nOffered").count, Some(3));

    let flows = json!({"interval": window(), "groupBy": ["flowId", "flowVersion"], "metrics": ["nFlow", "tFlowExit", "nFlowOutcome"]});
    let response = query(&client, "flows", flows).await;
    let entries = |version: &str| response.group("flowVersion", version).map(|group| group.data.iter().flat_map(|data| &data.metrics).filter(|metric| metric.metric == "nFlow").filter_map(|metric| metric.stats.count).sum::<u64>());
    assert_eq!(entries("1.0"), Some(2));
    assert_eq!(entries("2.0"), Some(3));
    assert_eq!(response.total("tFlowExit").count, Some(5));

    let unknown = client.post("/api/v2/analytics/conversations/aggregates/query", json!({"interval": window(), "metrics": ["nNope"]})).await;
    assert_error(unknown, 400, "bad.request").await;
}
