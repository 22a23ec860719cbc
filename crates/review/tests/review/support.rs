//! An emulator with a small contact center (one org, a CRM integration behind a data action, a
//! flow that calls it), clients for it, and the emulator's control surface (tests only).

use serde_json::Value;
use std::time::Duration;
use switchboard_emulator::{EmulatorOptions, RunningEmulator, load_topology};
use switchboard_platform::{ClientConfig, OrgClient};
use switchboard_review::static_checks::FlowText;

pub const ORG: &str = "acme";
pub const LOOKUP_DID: &str = "+13175550100";

/// The reviewed flow: a CRM lookup with bounded, backed-off retries and a fallback queue.
pub const LOOKUP_FLOW: &str = r#"name: Lookup
start: lookup
blocks:
  lookup:
    type: data_action
    integration: CRM
    inputs: {phone: "+15551234567"}
    timeout_ms: 2000
    retry: {max_attempts: 3, backoff: exponential, initial_delay_ms: 100, max_delay_ms: 1000}
    on_success: support
    on_error: fallback
  support: {type: transfer_to_queue, queue: Support}
  fallback: {type: transfer_to_queue, queue: Fallback}
"#;

pub const TOPOLOGY: &str = r#"
orgs:
  - name: acme
    queues: [{name: Support}, {name: Fallback}]
    users:
      - {name: Agent A, queues: [Support, Fallback], on_queue: true}
    integrations:
      - {name: CRM, endpoint_url: "http://emulator.invalid/crm/lookup", method: GET, timeout_ms: 2000}
    flows:
      - name: Lookup
        start: lookup
        blocks:
          lookup:
            type: data_action
            integration: CRM
            inputs: {phone: "=ANI"}
            timeout_ms: 2000
            retry: {max_attempts: 3, backoff: exponential, initial_delay_ms: 100, max_delay_ms: 1000}
            on_success: support
            on_error: fallback
          support: {type: transfer_to_queue, queue: Support}
          fallback: {type: transfer_to_queue, queue: Fallback}
      - name: Drill
        start: lookup
        blocks:
          lookup:
            type: data_action
            integration: CRM
            inputs: {phone: "=ANI"}
            timeout_ms: 350
            retry: {max_attempts: 3, backoff: exponential, initial_delay_ms: 100, max_delay_ms: 400}
            on_success: support
            on_error: fallback
          support: {type: transfer_to_queue, queue: Support}
          fallback: {type: transfer_to_queue, queue: Fallback}
      - name: Forever
        start: lookup
        blocks:
          lookup: {type: data_action, integration: CRM, inputs: {phone: "=ANI"}, timeout_ms: 350, on_success: support, on_error: pause}
          pause: {type: wait, duration_ms: 1000, next: lookup}
          support: {type: transfer_to_queue, queue: Support}
    dids:
      - {number: "+13175550100", flow: Lookup}
"#;

pub async fn start() -> RunningEmulator {
    let topology = load_topology(TOPOLOGY, "review.yaml").unwrap_or_else(|error| panic!("test topology: {error}"));
    switchboard_emulator::spawn(EmulatorOptions { topology: Some(topology), ..EmulatorOptions::default() })
        .await
        .unwrap_or_else(|error| panic!("emulator did not start: {error}"))
}

pub fn client(emulator: &RunningEmulator) -> OrgClient {
    let credentials = emulator.credentials().org(ORG).unwrap_or_else(|| panic!("no org {ORG}"));
    let mut config = ClientConfig::new(emulator.base_url(), credentials.client_id.clone(), credentials.client_secret.clone());
    config.org_label = ORG.to_string();
    config.control_token = Some(emulator.control_token().into());
    config.retry.base_delay = Duration::from_millis(20);
    config.retry.max_delay = Duration::from_millis(200);
    OrgClient::new(config).unwrap_or_else(|error| panic!("client: {error}"))
}

pub fn own_client_id(emulator: &RunningEmulator) -> String {
    emulator.credentials().org(ORG).map(|org| org.client_id.clone()).unwrap_or_default()
}

pub fn flow_text(name: &str, text: &str) -> FlowText {
    FlowText { origin: format!("{name}.yaml"), text: text.to_string() }
}

pub async fn control(emulator: &RunningEmulator, method: reqwest::Method, path: &str, body: Option<Value>) -> reqwest::Response {
    let mut request = emulator.control_client().request(method, format!("{}{path}", emulator.base_url()));
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap_or_else(|error| panic!("control request {path}: {error}"))
}

/// Installs a fault rule (`FaultRule` JSON, camelCase).
pub async fn fault(emulator: &RunningEmulator, rule: Value) {
    let response = control(emulator, reqwest::Method::POST, "/_emulator/faults", Some(rule)).await;
    assert_eq!(response.status(), 201, "fault rule accepted");
}

/// Places a call on `did` and waits until its flow part is over.
pub async fn place_call(emulator: &RunningEmulator, did: &str) {
    let body = serde_json::json!({"org": ORG, "did": did, "ani": "+15550001234"});
    let response = control(emulator, reqwest::Method::POST, "/_emulator/calls", Some(body)).await;
    assert_eq!(response.status(), 201, "call placed");
    let placed: Value = response.json().await.unwrap_or_default();
    let id = placed["conversationId"].as_str().unwrap_or_default().to_string();
    let waited = control(emulator, reqwest::Method::GET, &format!("/_emulator/calls/{id}?wait=flow"), None).await;
    assert_eq!(waited.status(), 200, "call {id} finished its flow");
}

/// Seats and limit overrides (`PUT /_emulator/capacity`).
pub async fn set_capacity(emulator: &RunningEmulator, body: Value) {
    let response = control(emulator, reqwest::Method::PUT, "/_emulator/capacity", Some(body)).await;
    assert!(response.status().is_success(), "capacity accepted: {}", response.status());
}
