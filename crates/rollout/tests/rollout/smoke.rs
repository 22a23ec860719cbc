//! The smoke test on the live emulator: `rollout start` places synthetic calls to the hidden smoke
//! DID (through `/_emulator`'s call placing, the test-only mechanism) before any weight moves. A
//! candidate that disconnects at its start fails it — refused with the calls as evidence, the
//! weight still 0, the failure in the journal — and a healthy one passes.

use super::support::{ORG, candidate, client, emulator_with, journal, strict_emulator_with};
use futures_util::future::BoxFuture;
use std::time::Duration;
use switchboard_emulator::AppState;
use switchboard_emulator::{CallRequest, Phase as CallPhase, placed_call};
use switchboard_platform::api::traffic::PlacedCall;
use switchboard_rollout::live::{Driver, Org, RolloutError, SmokeDialer, Store};
use switchboard_rollout::smoke::SmokeOutcome;
use switchboard_rollout::Policy;

const FLOW: &str = "Main IVR";
const SMOKE_DID: &str = "+13175550199";

const TOPOLOGY: &str = r#"
orgs:
  - name: acme
    queues: [{name: Support}]
    users:
      - {name: Agent A, queues: [Support], on_queue: true}
    flows:
      - name: Main IVR
        start: greet
        blocks:
          greet: {type: play, prompt: "Welcome", duration_ms: 100, next: queue}
          queue: {type: transfer_to_queue, queue: Support}
    dids:
      - {number: "+13175550100", flow: Main IVR}
"#;

const HEALTHY: &str = r#"
name: Main IVR
start: greet
blocks:
  greet: {type: play, prompt: "Welcome back", duration_ms: 100, next: queue}
  queue: {type: transfer_to_queue, queue: Support}
"#;

/// Hangs up on every caller at its first block.
const DISCONNECTS: &str = r#"
name: Main IVR
start: bye
blocks:
  bye: {type: disconnect}
  queue: {type: transfer_to_queue, queue: Support}
"#;

/// Calls through the emulator's own call placing, sped up 50×.
struct EmulatorDialer {
    state: AppState,
}

impl SmokeDialer for EmulatorDialer {
    fn dial<'a>(&'a self, did: &'a str) -> BoxFuture<'a, Result<PlacedCall, String>> {
        Box::pin(async move {
            let request = CallRequest { org: ORG.into(), did: did.into(), ani: None, attributes: Default::default(), speed_up: 50.0, dtmf: None };
            let call = self.state.place_call(request).map_err(|error| error.to_string())?;
            let _ = tokio::time::timeout(Duration::from_secs(20), call.reached(CallPhase::Queued)).await;
            Ok(placed_call(&call))
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_candidate_that_disconnects_at_its_start_fails_the_smoke_test_and_the_weight_stays_zero() {
    let emulator = emulator_with(TOPOLOGY).await;
    let client = client(&emulator);
    let init = Org::new(&client, FLOW).init(Some(SMOKE_DID), |_| {}).await.expect("init");
    let green = init.green.expect("green");
    let driver = Driver::new(Org::new(&client, FLOW), Store::new(journal("smoke").await, ORG, FLOW))
        .with_smoke_dialer(EmulatorDialer { state: emulator.state() });
    let policy = Policy { steps: vec![5, 100], interval_ms: 60_000, ..Policy::default() };

    match driver.start(&candidate(DISCONNECTS), "disconnects.yaml", policy.clone()).await {
        Err(RolloutError::SmokeFailed { report }) => {
            assert_eq!(report.calls.len(), 3);
            assert_eq!(report.expected, vec!["queue".to_string()]);
            for call in &report.calls {
                assert!(!call.passed);
                assert_eq!(call.end, "disconnect", "{call:?}");
                assert_eq!(call.last_block.as_deref(), Some("bye"), "the call ran the candidate: {call:?}");
            }
            println!("refused: {report}");
        }
        other => panic!("expected a smoke-test refusal, got {other:?}"),
    }
    let table = driver.org.table_id().await.expect("table").expect("table id");
    let row = driver.org.read_row(&table).await.expect("row").expect("row");
    assert_eq!(row.traffic_weight, 0, "no weight moved");
    assert!(driver.store.load().await.expect("load").is_none(), "no rollout was started");
    let history = driver.history().await.expect("history");
    assert!(history.iter().any(|event| event["kind"] == "smoke_failed" && event["report"]["passed"] == false), "{history:?}");

    // A healthy candidate passes, and only then does the weight move.
    let (record, report) = driver.start(&candidate(HEALTHY), "healthy.yaml", policy).await.expect("start");
    assert_eq!(report.candidate.flow_id, green.flow_id, "the idle slot is still Green");
    match report.smoke {
        Some(SmokeOutcome::Passed { report }) => {
            assert_eq!(report.calls.len(), 3);
            assert!(report.calls.iter().all(|call| call.passed && call.last_block.as_deref() == Some("queue")), "{report:?}");
        }
        other => panic!("expected a passed smoke test, got {other:?}"),
    }
    assert_eq!(record.controller.weight(), 5);
}

/// The real-org path, on a `--strict` emulator (no control surface, as a real org has none).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_way_to_place_calls_the_smoke_test_is_reported_not_applicable() {
    let emulator = strict_emulator_with(TOPOLOGY).await;
    let client = client(&emulator);
    Org::new(&client, FLOW).init(Some(SMOKE_DID), |_| {}).await.expect("init");
    let driver = Driver::new(Org::new(&client, FLOW), Store::new(journal("smoke-na").await, ORG, FLOW));
    let (_, report) = driver.start(&candidate(HEALTHY), "healthy.yaml", Policy { steps: vec![5, 100], ..Policy::default() }).await.expect("start");
    match report.smoke {
        Some(SmokeOutcome::NotApplicable { reason }) => assert!(reason.contains("synthetic inbound call"), "{reason}"),
        other => panic!("expected not applicable, got {other:?}"),
    }
}
