//! The wall-clock contact center: calls run real flows against live state, data actions are real
//! HTTP requests to the emulator's own CRM (so fault rules apply), rows steer the next call,
//! conversations can be read and their attributes changed mid-call.

use super::support::*;
use serde_json::{Value, json};
use std::time::Instant;
use switchboard_api::emulator::RequestCounters;
use switchboard_api::traffic::PlacedCall;
use switchboard_emulator::CenterOptions;
use switchboard_emulator::{EmulatorOptions, RunningEmulator, load_topology};
use switchboard_simulation::distribution::DurationDistribution;

pub const LOOKUP_DID: &str = "+13175550100";
pub const ROUTER_DID: &str = "+13175550200";
pub const PATCHABLE_DID: &str = "+13175550300";

pub const TOPOLOGY: &str = r#"
orgs:
  - name: acme
    queues: [{name: Support}, {name: Fallback}, {name: Gold}, {name: Blue}, {name: Green}, {name: Empty}]
    users:
      - {name: Agent A, queues: [Support, Fallback, Gold, Blue, Green], on_queue: true}
    integrations:
      - {name: CRM, endpoint_url: "http://emulator.invalid/crm/lookup", method: GET, timeout_ms: 2000}
    datatables:
      - name: Routing
        columns: {Target: string}
        rows: [{key: main, Target: Blue}]
    flows:
      - name: Lookup
        start: lookup
        blocks:
          lookup:
            type: data_action
            integration: CRM
            inputs: {phone: "=ANI"}
            outputs: {tier: Tier}
            timeout_ms: 2000
            retry: {max_attempts: 3, backoff: exponential, initial_delay_ms: 100, max_delay_ms: 1000}
            on_success: support
            on_error: fallback
            on_timeout: fallback
          support: {type: transfer_to_queue, queue: Support}
          fallback: {type: transfer_to_queue, queue: Fallback}
      - name: Router
        start: route
        blocks:
          route: {type: datatable_lookup, datatable: Routing, key: "main", outputs: {Target: Target}, on_found: go, on_not_found: gone}
          go: {type: transfer_to_queue, queue: "=Target"}
          gone: {type: disconnect}
      - name: Patchable
        start: hold
        blocks:
          hold: {type: wait, duration_ms: 3000, next: check}
          check: {type: decision, condition: "=coalesce(Escalate, 'no') == 'yes'", on_true: gold, on_false: support}
          gold: {type: transfer_to_queue, queue: Gold}
          support: {type: transfer_to_queue, queue: Support}
      - name: Nobody
        start: queue
        blocks:
          queue: {type: transfer_to_queue, queue: Empty}
    dids:
      - {number: "+13175550100", flow: Lookup}
      - {number: "+13175550200", flow: Router}
      - {number: "+13175550300", flow: Patchable}
      - {number: "+13175550400", flow: Nobody}
  - name: other
"#;

/// An emulator with the test topology; agents and callers are quick so calls end fast.
pub async fn start_center() -> RunningEmulator {
    let topology = load_topology(TOPOLOGY, "contact_center.yaml").unwrap_or_else(|error| panic!("test topology: {error}"));
    let emulator = start(EmulatorOptions { topology: Some(topology), ..EmulatorOptions::default() }).await;
    emulator.state().contact_center().set_options(CenterOptions {
        handle_time: DurationDistribution::Constant { ms: 50.0 },
        wrap_up: DurationDistribution::Constant { ms: 10.0 },
        patience: DurationDistribution::Constant { ms: 60_000.0 },
        seed: 11,
    });
    emulator
}

pub async fn control(emulator: &RunningEmulator, method: reqwest::Method, path: &str, body: Option<Value>) -> reqwest::Response {
    let mut request = emulator.control_client().request(method, format!("{}{path}", emulator.base_url()));
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.expect("control request reaches the emulator")
}

/// Places one call and waits for its flow part (or its end with `wait_for_end`).
pub async fn place(emulator: &RunningEmulator, did: &str, extra: Value) -> PlacedCall {
    let mut body = json!({"org": "acme", "did": did});
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        body.extend(extra.clone());
    }
    let response = control(emulator, reqwest::Method::POST, "/_emulator/calls", Some(body)).await;
    assert_eq!(response.status(), 201, "place call on {did}");
    response.json().await.expect("placed call body")
}

pub async fn await_call(emulator: &RunningEmulator, id: &str, wait: &str) -> PlacedCall {
    let response = control(emulator, reqwest::Method::GET, &format!("/_emulator/calls/{id}?wait={wait}"), None).await;
    assert_eq!(response.status(), 200);
    response.json().await.expect("call body")
}

async fn counters(emulator: &RunningEmulator) -> RequestCounters {
    control(emulator, reqwest::Method::GET, "/_emulator/counters", None).await.json().await.expect("counters")
}

fn terminal_queue(call: &PlacedCall) -> String {
    let path = call.path.as_ref().expect("finished call has a path");
    path.terminal.as_ref().and_then(|terminal| terminal.queue.clone()).unwrap_or_default()
}

#[tokio::test]
async fn a_data_action_that_always_fails_takes_on_error_after_max_attempts_with_growing_delays() {
    let emulator = start_center().await;
    let rule = control(&emulator, reqwest::Method::POST, "/_emulator/faults", Some(json!({"path": "/crm/lookup", "status": 503}))).await;
    assert_eq!(rule.status(), 201);
    let before = counters(&emulator).await.count("GET", "/crm/lookup");

    let call = place(&emulator, LOOKUP_DID, json!({"ani": "+15550001234"})).await;
    assert!(call.flow_finished, "{call:?}");
    assert_eq!(terminal_queue(&call), "Fallback");
    let attempts = &call.path.as_ref().expect("path").data_actions;
    assert_eq!(attempts.iter().map(|attempt| attempt.attempt).collect::<Vec<_>>(), [1, 2, 3]);
    assert!(attempts.iter().all(|attempt| attempt.outcome == "failure" && attempt.status == Some(503)), "{attempts:?}");
    let delays: Vec<u64> = attempts.iter().filter_map(|attempt| attempt.backoff_ms).collect();
    assert_eq!(delays.len(), 2, "a delay between each pair of attempts: {attempts:?}");
    assert!(delays[0] < delays[1], "delays grow: {delays:?}");
    // The CRM really saw three requests.
    assert_eq!(counters(&emulator).await.count("GET", "/crm/lookup") - before, 3);
}

#[tokio::test]
async fn a_429_with_retry_after_is_waited_out_before_the_next_attempt() {
    let emulator = start_center().await;
    let rule = json!({"path": "/crm/lookup", "status": 429, "retryAfterSeconds": 2, "count": 1});
    assert_eq!(control(&emulator, reqwest::Method::POST, "/_emulator/faults", Some(rule)).await.status(), 201);

    let started = Instant::now();
    let call = place(&emulator, LOOKUP_DID, json!({"ani": "+15550004321"})).await;
    let elapsed = started.elapsed();
    assert_eq!(terminal_queue(&call), "Support", "the second attempt succeeded: {call:?}");
    let attempts = &call.path.as_ref().expect("path").data_actions;
    assert_eq!(attempts.len(), 2);
    assert_eq!(attempts[0].status, Some(429));
    assert!(attempts[0].backoff_ms.is_some_and(|ms| ms >= 2_000), "{attempts:?}");
    assert!(elapsed.as_millis() >= 2_000, "waited at least Retry-After: {elapsed:?}");
    assert!(call.attributes.contains_key("Tier"), "CRM outputs reached participant data: {:?}", call.attributes);
}

#[tokio::test]
async fn changing_a_data_table_row_changes_the_route_of_the_next_call() {
    let emulator = start_center().await;
    let client = login(&emulator, "acme").await;
    let first = place(&emulator, ROUTER_DID, json!({})).await;
    assert_eq!(terminal_queue(&first), "Blue");

    let table = client.id_by_name("/api/v2/flows/datatables", "Routing").await;
    let changed = client.put(&format!("/api/v2/flows/datatables/{table}/rows/main"), json!({"key": "main", "Target": "Green"})).await;
    assert_eq!(changed.status(), 200);
    let next = place(&emulator, ROUTER_DID, json!({})).await;
    assert_eq!(terminal_queue(&next), "Green");
    assert_eq!(next.attributes.get("Target").map(String::as_str), Some("Green"));
}

#[tokio::test]
async fn conversations_are_readable_and_attributes_patched_mid_call_steer_the_flow() {
    let emulator = start_center().await;
    let client = login(&emulator, "acme").await;
    let placed = place(&emulator, PATCHABLE_DID, json!({"noWait": true, "ani": "+15550007777"})).await;
    let path = format!("/api/v2/conversations/{}", placed.conversation_id);
    let conversation = client.get_json(&path).await;
    assert_eq!(conversation["id"], placed.conversation_id.as_str());
    let customer = conversation["participants"].as_array().expect("participants").iter().find(|p| p["purpose"] == "customer").cloned();
    let customer = customer.expect("a customer participant");
    assert_eq!(customer["ani"], "+15550007777");
    assert_eq!(customer["attributes"]["DNIS"], PATCHABLE_DID);

    let attributes = format!("/api/v2/conversations/calls/{}/participants/{}/attributes", placed.conversation_id, customer["id"].as_str().expect("id"));
    let patched = client.call(reqwest::Method::PATCH, &attributes, Some(json!({"attributes": {"Escalate": "yes"}}))).await;
    assert_eq!(patched.status(), 202);
    let unknown = format!("/api/v2/conversations/calls/{}/participants/nobody/attributes", placed.conversation_id);
    assert_error(client.call(reqwest::Method::PATCH, &unknown, Some(json!({"attributes": {}}))).await, 404, "not.found").await;

    let finished = await_call(&emulator, &placed.conversation_id, "flow").await;
    assert_eq!(terminal_queue(&finished), "Gold", "the patched attribute steered the decision");
    let ended = await_call(&emulator, &placed.conversation_id, "end").await;
    assert_eq!(ended.outcome, "answered");
    let conversation = client.get_json(&path).await;
    let purposes: Vec<&str> = conversation["participants"].as_array().expect("participants").iter().filter_map(|p| p["purpose"].as_str()).collect();
    assert_eq!(purposes, ["customer", "ivr", "acd", "agent"]);
    assert!(conversation["endTime"].is_string(), "{conversation}");
    assert_eq!(conversation["participants"][0]["attributes"]["Escalate"], "yes");

    // Another org's token does not see the conversation.
    let other = login(&emulator, "other").await;
    assert_error(other.get(&path).await, 404, "not.found").await;
}

/// On paused time: arrivals come on the emulator's clock, so advancing it places the calls.
#[tokio::test(start_paused = true)]
async fn traffic_streams_start_change_and_stop() {
    let emulator = start_center().await;
    let app = InProcess::new(&emulator);
    let start = json!({"org": "acme", "did": ROUTER_DID, "callsPerMinute": 60, "speedUp": 10, "seed": 3});
    let (status, stream) = app.call("POST", "/_emulator/traffic", Some(start)).await;
    assert_eq!(status, 201, "{stream}");
    let id = stream["id"].as_str().expect("id").to_string();
    // 10 calls per second of the emulator's clock at this rate and speed-up. On paused time this
    // waits no wall-clock time: tokio jumps from timer to timer while the tasks are idle.
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let (_, current) = app.call("GET", &format!("/_emulator/traffic/{id}"), None).await;
    let placed = current["callsPlaced"].as_u64().unwrap_or(0);
    assert!(placed >= 3, "calls were placed: {placed}");
    let (status, _) = app.call("PATCH", &format!("/_emulator/traffic/{id}"), Some(json!({"callsPerHour": 60}))).await;
    assert_eq!(status, 200);
    let (_, listed) = app.call("GET", "/_emulator/traffic", None).await;
    assert_eq!(listed["streams"][0]["callsPerMinute"], 1.0);
    let (status, _) = app.call("DELETE", &format!("/_emulator/traffic/{id}"), None).await;
    assert_eq!(status, 200);
    let (_, listed) = app.call("GET", "/_emulator/traffic", None).await;
    assert_eq!(listed["streams"], json!([]));
    let bad = json!({"org": "acme", "did": "+19999999999", "callsPerMinute": 1});
    let (status, body) = app.call("POST", "/_emulator/traffic", Some(bad)).await;
    assert_eq!((status, body["code"].as_str()), (400, Some("bad.request")), "{body}");
}
