//! One flow, two clocks: live emulator calls through a flow with a menu, a task, a loop, digit
//! collection, voicemail and a common module take the same block path as the same flow in the
//! virtual-time simulation, given the same caller keys.

use super::contact_center::{await_call, control};
use super::support::*;
use serde_json::{Value, json};
use switchboard_api::traffic::{CallPathView, PlacedCall};
use switchboard_emulator::{EmulatorOptions, RunningEmulator, load_topology};
use switchboard_model::load::parse_yaml_value;
use switchboard_simulation::scenario::ScenarioSpec;
use switchboard_simulation::{Scenario, VecSink, run};

const DID: &str = "+13175550900";

const IVR: &str = r##"
name: Main IVR
start: welcome
blocks:
  welcome: { type: play, prompt: "Welcome", duration_ms: 500, next: verify }
  verify:
    type: call_common_module
    module: Verify Caller
    inputs: { Common.Ani: "=ANI" }
    outputs: { Common.Verified: Verified }
    next: main_menu
  main_menu:
    type: menu
    prompt: "For sales press 1, support 2, billing 3"
    choices:
      - { dtmf: "1", speech: [sales], next: sales_offers }
      - { dtmf: "2", speech: [support], next: account }
      - { dtmf: "3", speech: [billing], next: billing }
    default: goodbye
  sales_offers: { type: call_task, task: offers, next: sales }
  offers: { type: loop, count: "2", index_variable: Offer, body: offer, next: offers_done }
  offer: { type: play, prompt: "Today's offer", duration_ms: 300, next: next_offer }
  next_offer: { type: loop_next, loop_block: offers }
  offers_done: { type: end_task, implicit: true }
  sales: { type: transfer_to_queue, queue: Sales }
  account: { type: collect_input, prompt: "Account number", variable: Account, min_digits: 4, max_digits: 8, terminator: "#", on_success: verified, on_failure: support_voicemail }
  verified: { type: decision, condition: "=Verified == 'true'", on_true: support, on_false: goodbye }
  support: { type: transfer_to_queue, queue: Support }
  support_voicemail: { type: transfer_to_voicemail, target: Support }
  billing: { type: transfer_to_voicemail, target: Billing }
  goodbye: { type: disconnect, reason: no_choice }
"##;

const MODULE: &str = r#"
name: Verify Caller
flow_type: common_module
start: check
blocks:
  check: { type: decision, condition: "=len(Common.Ani) > 5", on_true: ok, on_false: nope }
  ok: { type: update_data, statements: [{ variable: Common.Verified, type: boolean, value: "=true" }], next: done }
  nope: { type: update_data, statements: [{ variable: Common.Verified, type: boolean, value: "=false" }], next: done }
  done: { type: end_task }
"#;

fn flow(yaml: &str) -> Value {
    parse_yaml_value(yaml, "flow.yaml").unwrap_or_else(|error| panic!("test flow: {error}"))
}

async fn start_ivr() -> RunningEmulator {
    // JSON is YAML, so the topology is built as a value with the flows inlined.
    let topology = json!({"orgs": [{
        "name": "acme",
        "queues": [{"name": "Sales"}, {"name": "Support"}],
        "users": [{"name": "Agent A", "queues": ["Sales", "Support"], "on_queue": true}],
        "flows": [flow(MODULE), flow(IVR)],
        "dids": [{"number": DID, "flow": "Main IVR"}],
    }]});
    let topology = load_topology(&topology.to_string(), "architect.yaml").unwrap_or_else(|error| panic!("topology: {error}"));
    start(EmulatorOptions { topology: Some(topology), ..EmulatorOptions::default() }).await
}

/// (flow id, version id) of a published flow, as live calls record them.
fn published(emulator: &RunningEmulator, name: &str) -> (String, String) {
    let state = emulator.state();
    let org = state.find_org("acme").expect("org acme");
    state
        .with_org(&org, |org| org.published_flow(name).map(|(record, stored)| (record.flow.id.clone(), stored.version.id.clone())))
        .flatten()
        .unwrap_or_else(|| panic!("flow {name} is published"))
}

/// A live call pressing `dtmf`, its flow part awaited with `GET /_emulator/calls/{id}?wait=flow`.
async fn live_call(emulator: &RunningEmulator, dtmf: &str) -> PlacedCall {
    let body = json!({"org": "acme", "did": DID, "dtmf": dtmf, "speedUp": 100, "noWait": true});
    let response = control(emulator, reqwest::Method::POST, "/_emulator/calls", Some(body)).await;
    assert_eq!(response.status(), 201);
    let placed: PlacedCall = response.json().await.expect("placed call");
    await_call(emulator, &placed.conversation_id, "flow").await
}

/// Every simulated call of a short day whose callers press `dtmf`, with the live flow ids.
fn simulated_paths(ivr: &(String, String), module: &(String, String), dtmf: &str) -> Vec<CallPathView> {
    let spec = json!({
        "name": "same-path",
        "duration_minutes": 2,
        "flows": [
            {"id": module.0, "version": module.1, "definition": flow(MODULE)},
            {"id": ivr.0, "version": ivr.1, "definition": flow(IVR)},
        ],
        "queues": [
            {"name": "Sales", "agents": 1, "handle": {"type": "constant", "ms": 1000}},
            {"name": "Support", "agents": 1, "handle": {"type": "constant", "ms": 1000}},
        ],
        "dids": [{"number": DID, "flow": "Main IVR", "calls_per_hour": 600}],
        "callers": {"dtmf": dtmf},
    });
    let spec: ScenarioSpec = serde_json::from_value(spec).unwrap_or_else(|error| panic!("scenario: {error}"));
    let scenario = Scenario::from_spec(spec, "same-path", "").unwrap_or_else(|error| panic!("scenario: {error}"));
    let mut sink = VecSink::with_limit(1_000);
    run(&scenario, 5, &mut sink);
    sink.records.iter().map(|record| switchboard_emulator::contact_center::routes::path_view(&record.path)).collect()
}

#[tokio::test]
async fn live_calls_and_the_simulation_take_the_same_path_for_the_same_keys() {
    let emulator = start_ivr().await;
    let ivr = published(&emulator, "Main IVR");
    let module = published(&emulator, "Verify Caller");
    let cases = [
        ("1", "queue", &["welcome", "verify", "check", "ok", "done", "main_menu", "sales_offers", "offers", "offer", "next_offer", "offers", "offer", "next_offer", "offers", "offers_done", "sales"][..]),
        ("21234#", "queue", &["welcome", "verify", "check", "ok", "done", "main_menu", "account", "verified", "support"][..]),
        ("2 12#", "voicemail", &["welcome", "verify", "check", "ok", "done", "main_menu", "account", "support_voicemail"][..]),
        ("3", "voicemail", &["welcome", "verify", "check", "ok", "done", "main_menu", "billing"][..]),
        ("9", "disconnect", &["welcome", "verify", "check", "ok", "done", "main_menu", "goodbye"][..]),
        ("", "disconnect", &["welcome", "verify", "check", "ok", "done", "main_menu", "goodbye"][..]),
    ];
    for (dtmf, kind, blocks) in cases {
        let live = live_call(&emulator, dtmf).await;
        assert!(live.flow_finished, "{dtmf:?}: {live:?}");
        let live_path = live.path.expect("finished call has a path");
        assert_eq!(live_path.blocks(), blocks, "live, keys {dtmf:?}");
        let terminal = live_path.terminal.as_ref().expect("terminal");
        assert_eq!(terminal.kind, kind, "keys {dtmf:?}");
        // The module's blocks run in the module's flow; the rest in the IVR.
        let module_blocks: Vec<&str> =
            live_path.visits.iter().filter(|visit| visit.flow_id == module.0).map(|visit| visit.block.as_str()).collect();
        assert_eq!(module_blocks, ["check", "ok", "done"]);

        let simulated = simulated_paths(&ivr, &module, dtmf);
        assert!(!simulated.is_empty(), "the simulated day had calls");
        for path in &simulated {
            assert_eq!(path.visits, live_path.visits, "simulated vs live, keys {dtmf:?}");
            assert_eq!(path.terminal, live_path.terminal, "keys {dtmf:?}");
            assert_eq!(path.inputs, live_path.inputs, "keys {dtmf:?}");
        }
    }
}

#[tokio::test]
async fn a_voicemail_ends_the_live_call_and_a_call_without_keys_gets_a_seeded_choice() {
    let emulator = start_ivr().await;
    let live = live_call(&emulator, "3").await;
    let ended = await_call(&emulator, &live.conversation_id, "end").await;
    assert_eq!(ended.outcome, "voicemail");
    let terminal = ended.path.and_then(|path| path.terminal).expect("terminal");
    assert_eq!(terminal.voicemail.as_deref(), Some("Billing"));

    // No script: the menu gets a random choice among its choices (never the no-input default).
    let body = json!({"org": "acme", "did": DID, "speedUp": 100});
    let response = control(&emulator, reqwest::Method::POST, "/_emulator/calls", Some(body)).await;
    let placed: PlacedCall = response.json().await.expect("placed call");
    let path = placed.path.expect("flow finished");
    let menu = path.inputs.iter().find(|input| input.block == "main_menu").expect("menu input recorded");
    assert_eq!(menu.source, "random");
    assert!(matches!(menu.input.as_deref(), Some("1" | "2" | "3")), "{menu:?}");

    let body = json!({"org": "acme", "did": DID, "dtmf": "1x"});
    let response = control(&emulator, reqwest::Method::POST, "/_emulator/calls", Some(body)).await;
    assert_eq!(response.status(), 400);
    let error: Value = response.json().await.expect("error body");
    assert!(error.to_string().contains("'x' is not a DTMF key"), "{error}");
}
