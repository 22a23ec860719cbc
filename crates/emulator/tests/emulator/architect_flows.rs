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
    let org = state.directory().find_org("acme").expect("org acme");
    state
        .directory()
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
    sink.records.iter().map(|record| switchboard_emulator::path_view(&record.path)).collect()
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

// ---- An Archy YAML flow published through an Architect job, on both clocks. ----

const MENU_IVR_DID: &str = "+13175550901";

/// Publishes Archy YAML the real way: register a job, upload to its presigned URL, poll to the end.
async fn publish_through_job(client: &OrgClient, yaml: &str) -> Value {
    let response = client.post("/api/v2/flows/jobs", json!({})).await;
    assert_eq!(response.status(), 200);
    let job: Value = response.json().await.expect("job registration");
    let (Some(id), Some(url)) = (job["id"].as_str(), job["presignedUrl"].as_str()) else { panic!("job: {job}") };
    let upload = reqwest::Client::new()
        .put(url)
        .header("Content-Type", "application/octet-stream")
        .body(yaml.to_string())
        .send()
        .await
        .expect("upload reaches the emulator");
    assert_eq!(upload.status(), 200);
    // The real platform offers no signal for a job's end but its state, so poll it as a client does.
    poll_until(&format!("job {id} finishing"), std::time::Duration::from_secs(10), || async {
        let status = client.get_json(&format!("/api/v2/flows/jobs/{id}?expand=messages")).await;
        (status["status"] == "Success" || status["status"] == "Failure").then_some(status)
    })
    .await
}

#[tokio::test]
async fn an_archy_flow_published_through_a_job_takes_the_same_path_live_and_simulated() {
    let yaml = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/flows/archy/menu_ivr.yaml"))
        .expect("example Archy flow");
    let definition = switchboard_model::archy::import(&yaml, "menu_ivr.yaml").unwrap_or_else(|error| panic!("import: {error}"));
    // The number is routed to a placeholder of the same name; the job publishes the real content
    // as its next version, which live calls run at once.
    let placeholder = json!({"name": definition.name, "start": "bye", "blocks": {"bye": {"type": "disconnect"}}});
    let topology = json!({"orgs": [{
        "name": "acme",
        "queues": [{"name": "Support"}, {"name": "Billing"}],
        "users": [{"name": "Agent A", "queues": ["Support", "Billing"], "on_queue": true}],
        "flows": [placeholder],
        "dids": [{"number": MENU_IVR_DID, "flow": definition.name}],
    }]});
    let topology = load_topology(&topology.to_string(), "archy.yaml").unwrap_or_else(|error| panic!("topology: {error}"));
    let emulator = start(EmulatorOptions { topology: Some(topology), ..EmulatorOptions::default() }).await;
    let client = login(&emulator, "acme").await;
    let job = publish_through_job(&client, &yaml).await;
    assert_eq!(job["status"], "Success", "{job}");
    let (flow_id, version) = published(&emulator, &definition.name);

    let spec = json!({
        "name": "archy-day",
        "duration_minutes": 2,
        "flows": [{"id": flow_id, "version": version, "definition": serde_json::to_value(&definition).expect("definition")}],
        "queues": [
            {"name": "Support", "agents": 1, "handle": {"type": "constant", "ms": 1000}},
            {"name": "Billing", "agents": 1, "handle": {"type": "constant", "ms": 1000}},
        ],
        "dids": [{"number": MENU_IVR_DID, "flow": definition.name, "calls_per_hour": 300}],
    });
    // Keys → how the call must end: support, billing through the sub-menu, back from the sub-menu,
    // an account number, a short one (back to the menu, then the menu's default), voicemail, hang up.
    let cases = [
        ("2", "queue", Some("Support")),
        ("11", "queue", Some("Billing")),
        ("1*2", "queue", Some("Support")),
        ("3123456#", "queue", Some("Support")),
        ("312#", "queue", Some("Support")),
        ("8", "voicemail", None),
        ("9", "disconnect", None),
    ];
    for (dtmf, kind, queue) in cases {
        let body = json!({"org": "acme", "did": MENU_IVR_DID, "dtmf": dtmf, "speedUp": 1000, "noWait": true});
        let response = control(&emulator, reqwest::Method::POST, "/_emulator/calls", Some(body)).await;
        assert_eq!(response.status(), 201);
        let placed: PlacedCall = response.json().await.expect("placed call");
        let live = await_call(&emulator, &placed.conversation_id, "flow").await;
        let live_path = live.path.expect("finished call has a path");
        assert!(live_path.visits.iter().all(|visit| visit.flow_id == flow_id && visit.flow_version == version));
        let terminal = live_path.terminal.as_ref().expect("terminal");
        assert_eq!((terminal.kind.as_str(), terminal.queue.as_deref()), (kind, queue), "keys {dtmf:?}: {:?}", live_path.blocks());

        let mut day = spec.clone();
        day["callers"] = json!({"dtmf": dtmf});
        let day: ScenarioSpec = serde_json::from_value(day).unwrap_or_else(|error| panic!("scenario: {error}"));
        let scenario = Scenario::from_spec(day, "archy-day", "").unwrap_or_else(|error| panic!("scenario: {error}"));
        let mut sink = VecSink::with_limit(100);
        run(&scenario, 9, &mut sink);
        assert!(!sink.records.is_empty(), "the simulated day had calls");
        for record in &sink.records {
            let simulated = switchboard_emulator::path_view(&record.path);
            assert_eq!(simulated.visits, live_path.visits, "keys {dtmf:?}");
            assert_eq!(simulated.terminal, live_path.terminal, "keys {dtmf:?}");
            assert_eq!(simulated.inputs, live_path.inputs, "keys {dtmf:?}");
        }
    }
}
