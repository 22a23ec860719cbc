//! Seed 004 edge case 2 on the live emulator: `rollout start` gives the data actions of both slots
//! `Cache-Control: no-cache` and a `Flow_Version` input through the real draft API, once — a
//! second rollout finds them prepared and leaves the action's version alone.

use super::support::{candidate, client, emulator_with, journal, ORG};
use switchboard_platform::PlatformExt;
use switchboard_rollout::controller::Input;
use switchboard_rollout::live::{Driver, Org, Store};
use switchboard_rollout::Policy;

const FLOW: &str = "Main IVR";

const TOPOLOGY: &str = r#"
orgs:
  - name: acme
    queues: [{name: Support}]
    users:
      - {name: Agent A, queues: [Support], on_queue: true}
    integrations:
      - {name: CRM, endpoint_url: "http://emulator.invalid/crm/lookup", method: GET, timeout_ms: 2000}
    flows:
      - name: Main IVR
        start: lookup
        blocks:
          lookup: {type: data_action, integration: CRM, inputs: {phone: "Call.Ani"}, on_success: queue, on_error: queue}
          queue: {type: transfer_to_queue, queue: Support}
    dids:
      - {number: "+13175550100", flow: Main IVR}
"#;

const CANDIDATE: &str = r#"
name: Main IVR
start: lookup
blocks:
  lookup: {type: data_action, integration: CRM, inputs: {phone: "Call.Ani"}, on_success: queue, on_error: queue}
  queue: {type: transfer_to_queue, queue: Support}
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_gives_the_slots_data_actions_no_cache_and_a_flow_version_input_once() {
    let emulator = emulator_with(TOPOLOGY).await;
    let client = client(&emulator);
    Org::new(&client, FLOW).init(None, |_| {}).await.expect("init");
    let driver = Driver::new(Org::new(&client, FLOW), Store::new(journal("actions").await, ORG, FLOW));
    let policy = Policy { steps: vec![5, 100], interval_ms: 60_000, ..Policy::default() };

    let (_, report) = driver.start(&candidate(CANDIDATE), "candidate.yaml", policy.clone()).await.expect("start");
    assert_eq!(report.actions.len(), 1, "{:?}", report.actions);
    let change = &report.actions[0];
    assert!(change.changed);
    let action = client.integrations().action(&change.action_id).await.expect("action");
    assert_eq!(action.version, 2, "one draft published over version 1");
    assert_eq!(change.version, action.version);
    let config = action.config.expect("config");
    assert_eq!(config.request.headers.get("Cache-Control").map(String::as_str), Some("no-cache"));
    assert_eq!(config.request.headers.get("X-Flow-Version").map(String::as_str), Some("$!{input.Flow_Version}"));
    assert_eq!(config.request.request_type, "GET", "the rest of the configuration is kept");
    let schema = action.contract.and_then(|contract| contract.input).and_then(|input| input.input_schema).expect("input schema");
    assert_eq!(schema["properties"]["Flow_Version"]["type"], "string");
    match client.integrations().action_draft(&change.action_id).await {
        Err(error) => assert!(error.is_not_found(), "{error}"),
        Ok(draft) => panic!("the draft was left behind: {draft:?}"),
    }

    // Idempotent: the next rollout finds the action prepared and makes no new version.
    driver.command(Input::Abort { reason: "test".into() }).await.expect("abort");
    let (_, again) = driver.start(&candidate(CANDIDATE), "candidate.yaml", policy).await.expect("second start");
    assert_eq!(again.actions.len(), 1);
    assert!(!again.actions[0].changed, "{:?}", again.actions);
    assert_eq!(client.integrations().action(&change.action_id).await.expect("action").version, 2);
}
