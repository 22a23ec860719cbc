//! Live rollouts on the in-process emulator, through the platform client only (the same calls a
//! real org gets), with controller state in a SQLite journal: init is idempotent and repoints the
//! DID at the Traffic Cop, the schema gate refuses a renamed variable before publishing, abort
//! reaches the very next call, a controller killed between its state save and its row write
//! resumes without a second weight change, and a second controller on the flow is refused.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use switchboard_emulator::{CallRequest, LiveCall, Phase as CallPhase};
use super::support::{candidate, client, emulator_with, journal};
use futures_util::future::BoxFuture;
use switchboard_emulator::RunningEmulator;
use switchboard_platform::{ApiRequest, ApiResponse, OrgClient, Platform, PlatformError};
use switchboard_journal::JournalError;
use switchboard_rollout::controller::Input;
use switchboard_rollout::live::{Driver, Org, RolloutError, Store};
use switchboard_rollout::{Phase, Policy};

const ORG: &str = "acme";
const DID: &str = "+13175550100";
const FLOW: &str = "Main IVR";

const TOPOLOGY: &str = r#"
orgs:
  - name: acme
    queues: [{name: Support}]
    users:
      - {name: Agent A, queues: [Support], on_queue: true}
    flows:
      - name: Main IVR
        variables:
          Account_Number: {type: string}
        start: remember
        blocks:
          remember: {type: set_participant_data, attributes: [{name: Account_Number, value: "12345"}], next: queue}
          queue: {type: transfer_to_queue, queue: Support}
    dids:
      - {number: "+13175550100", flow: Main IVR}
"#;

/// The candidate: the same IVR with one more variable (allowed: a superset).
const CANDIDATE: &str = r#"
name: Main IVR
variables:
  Account_Number: {type: string}
  Language: {type: string}
start: remember
blocks:
  remember: {type: set_participant_data, attributes: [{name: Account_Number, value: "12345"}], next: queue}
  queue: {type: transfer_to_queue, queue: Support}
"#;

/// A candidate that renamed `Account_Number`.
const RENAMED: &str = r#"
name: Main IVR
variables:
  AccountNumber: {type: string}
start: remember
blocks:
  remember: {type: set_participant_data, attributes: [{name: AccountNumber, value: "12345"}], next: queue}
  queue: {type: transfer_to_queue, queue: Support}
"#;

async fn emulator() -> RunningEmulator {
    emulator_with(TOPOLOGY).await
}

/// Places a fast call and waits until it has left the IVR; returns its `Flow_Version`.
async fn call_version(emulator: &RunningEmulator) -> String {
    let request = CallRequest { org: ORG.into(), did: DID.into(), ani: None, attributes: Default::default(), speed_up: 50.0, dtmf: None };
    let call: Arc<LiveCall> = emulator.state().place_call(request).unwrap_or_else(|error| panic!("call: {error}"));
    if tokio::time::timeout(Duration::from_secs(20), call.reached(CallPhase::Queued)).await.is_err() {
        panic!("call {} did not leave the IVR", call.id);
    }
    call.lock().attributes.get("Flow_Version").cloned().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn init_is_idempotent_and_the_schema_gate_refuses_a_renamed_variable_before_publishing() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let org = Org::new(&client, FLOW);
    let first = org.init(None, |_| {}).await.expect("init");
    assert!(first.created.iter().any(|item| item == "flow Main IVR_Traffic_Cop"), "{:?}", first.created);
    assert_eq!(first.repointed.len(), 1, "the DID's IVR now reaches the Traffic Cop");
    let second = org.init(None, |_| {}).await.expect("init again");
    assert!(second.created.is_empty(), "a second init creates nothing: {:?}", second.created);
    assert_eq!(second.blue, first.blue);
    // Calls now go through the Traffic Cop to Blue (weight 0).
    let blue = first.blue.clone().expect("blue slot");
    assert_eq!(call_version(&emulator).await, blue.version);

    let green_before = first.green.clone().expect("green slot");
    let driver = Driver::new(Org::new(&client, FLOW), Store::new(journal("schema").await, ORG, FLOW));
    let refused = driver.start(&candidate(RENAMED), "renamed.yaml", Policy::default()).await;
    match refused {
        Err(RolloutError::Schema { problems, .. }) => assert_eq!(problems[0].variable, "Account_Number"),
        other => panic!("expected a schema refusal, got {other:?}"),
    }
    let green_after = org.find_flow("Main IVR_Green").await.expect("list").expect("green");
    assert_eq!(green_after.published_version.map(|version| version.id), Some(green_before.version), "nothing was published");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abort_reaches_the_next_call_and_a_killed_controller_resumes_without_a_second_weight_change() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let init = Org::new(&client, FLOW).init(None, |_| {}).await.expect("init");
    let blue = init.blue.expect("blue");
    let journal = journal("abort").await;
    let driver = Driver::new(Org::new(&client, FLOW), Store::new(journal.clone(), ORG, FLOW));

    // 99 % to the candidate, so calls visibly reach it before the abort.
    let policy = Policy { steps: vec![99, 100], interval_ms: 200, ..Policy::default() };
    let (record, report) = driver.start(&candidate(CANDIDATE), "candidate.yaml", policy.clone()).await.expect("start");
    assert_eq!(record.controller.weight(), 99);
    assert_ne!(report.candidate.version, report.active.version);
    let mut on_candidate = 0;
    for _ in 0..3 {
        if call_version(&emulator).await == report.candidate.version {
            on_candidate += 1;
        }
    }
    assert!(on_candidate >= 1, "calls reach the candidate at 99 %");

    // A second controller on the same flow is refused while one holds the lease.
    let lease = journal.acquire_lease(&driver.store.lease_scope(), "first controller", Duration::from_secs(30)).await.expect("lease");
    match driver.run("second controller", |_, _| {}).await {
        Err(RolloutError::Journal(JournalError::LeaseHeld { holder, .. })) => assert_eq!(holder, "first controller"),
        other => panic!("expected LeaseHeld, got {other:?}"),
    }
    lease.release().await.expect("release");

    let started = Instant::now();
    let (aborted, _) = driver.command(Input::Abort { reason: "operator".into() }).await.expect("abort");
    let abort_ms = started.elapsed().as_millis();
    assert_eq!(aborted.controller.phase, Phase::Aborted);
    // The very next calls go to the active version.
    for _ in 0..10 {
        assert_eq!(call_version(&emulator).await, blue.version, "a call after the abort went to the candidate");
    }
    println!("abort command took {abort_ms} ms (the journal's state first, then the row)");

    // A fresh rollout; the driver is "killed" after saving a promotion but before writing its row.
    let (_, report) = driver.start(&candidate(CANDIDATE), "candidate.yaml", policy).await.expect("second start");
    let store = &driver.store;
    let (record, revision) = store.load().await.expect("load").expect("record");
    let mut killed = record.clone();
    let output = killed.controller.step(Input::Promote, 0).expect("promote");
    store.save(&killed, Some(revision)).await.expect("save without writing the row");
    store.append(&output).await.expect("append");
    let table = killed.table_id.clone();
    let row_before = driver.org.read_row(&table).await.expect("row").expect("row");
    assert_eq!(row_before.traffic_weight, 99, "the killed driver never wrote its row");

    // A new driver resumes: it writes the decided row once and takes no further step.
    let resumed = Driver::new(Org::new(&client, FLOW), Store::new(journal.clone(), ORG, FLOW));
    assert!(resumed.tick().await.expect("tick").is_none());
    assert!(resumed.tick().await.expect("second tick").is_none());
    let row_after = resumed.org.read_row(&table).await.expect("row").expect("row");
    assert_eq!(row_after.traffic_weight, 0);
    assert_eq!(row_after.active_flow_id, report.candidate.flow_id, "the slots swapped");
    let promotions = resumed
        .history()
        .await
        .expect("history")
        .iter()
        .filter(|event| event.get("kind").and_then(|kind| kind.as_str()) == Some("promoted"))
        .count();
    assert_eq!(promotions, 1, "exactly one promotion");
    assert_eq!(call_version(&emulator).await, report.candidate.version, "new calls run on the promoted version");
}

/// A candidate that drops every call (its data action fails and the flow disconnects).
const DROPS_CALLS: &str = r#"
name: Main IVR
variables:
  Account_Number: {type: string}
start: remember
blocks:
  remember: {type: set_participant_data, attributes: [{name: Account_Number, value: "12345"}], next: dropped}
  dropped: {type: disconnect, reason: error}
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_judge_aborts_a_candidate_that_drops_calls_on_live_calls_from_the_analytics_api() {
    let emulator = emulator().await;
    emulator.state().contact_center().set_options(switchboard_emulator::CenterOptions {
        handle_time: switchboard_simulation::distribution::DurationDistribution::Constant { ms: 20.0 },
        wrap_up: switchboard_simulation::distribution::DurationDistribution::Constant { ms: 10.0 },
        patience: switchboard_simulation::distribution::DurationDistribution::Constant { ms: 60_000.0 },
        seed: 3,
    });
    let client = client(&emulator);
    let init = Org::new(&client, FLOW).init(None, |_| {}).await.expect("init");
    let blue = init.blue.expect("blue");
    let driver = Driver::new(Org::new(&client, FLOW), Store::new(journal("judge").await, ORG, FLOW));
    let policy = Policy { steps: vec![25, 50, 100], interval_ms: 300, min_calls_per_step: 10, ..Policy::default() };
    driver.start(&candidate(DROPS_CALLS), "drops.yaml", policy).await.expect("start");

    // Sped-up traffic in the background: a call every 15 ms.
    let traffic_state = emulator.state();
    let traffic = tokio::spawn(async move {
        for _ in 0..600 {
            let request = CallRequest { org: ORG.into(), did: DID.into(), ani: None, attributes: Default::default(), speed_up: 50.0, dtmf: None };
            let _ = traffic_state.place_call(request);
            tokio::time::sleep(Duration::from_millis(15)).await;
        }
    });
    let finished = tokio::time::timeout(Duration::from_secs(30), driver.run("test driver", |_, _| {})).await.expect("decided in time").expect("run");
    traffic.abort();
    assert_eq!(finished.controller.phase, Phase::Aborted);
    let verdict = finished.controller.last_verdict().expect("a verdict");
    assert!(verdict.reason.contains("flow disconnects"), "{}", verdict.reason);
    assert!(verdict.evidence.disconnects.e_value >= 1.0 / (0.05 * 0.4), "evidence: {:?}", verdict.evidence.disconnects);
    println!("aborted: {} (candidate calls {}, active calls {})", verdict.reason, finished.controller.candidate_totals.calls, finished.controller.active_totals.calls);
    assert_eq!(call_version(&emulator).await, blue.version, "after the abort calls go to the active version");
}

/// The client, except that data-table row writes fail while `fail_rows` is set.
struct FailingRowWrites {
    inner: OrgClient,
    fail_rows: AtomicBool,
}

impl Platform for FailingRowWrites {
    fn label(&self) -> &str {
        self.inner.label()
    }

    fn execute(&self, request: ApiRequest) -> BoxFuture<'_, switchboard_platform::Result<ApiResponse>> {
        if self.fail_rows.load(Ordering::SeqCst) && request.method.as_str() == "PUT" && request.path.contains("/rows/") {
            return Box::pin(async { Err(PlatformError::Server { status: 503, body: "row write failed".into() }) });
        }
        self.inner.execute(request)
    }
}

/// The invariant: the driver saves the controller's state in the journal before it writes the
/// row, abort included. A row write that fails after an abort leaves the abort decided in the
/// journal, and the next tick writes its row (weight 0) once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abort_saves_its_state_before_the_row_and_a_failed_row_write_is_made_on_the_next_tick() {
    let emulator = emulator().await;
    let client = client(&emulator);
    Org::new(&client, FLOW).init(None, |_| {}).await.expect("init");
    let journal = journal("abort-order").await;
    let driver = Driver::new(Org::new(&client, FLOW), Store::new(journal.clone(), ORG, FLOW));
    let policy = Policy { steps: vec![99, 100], interval_ms: 200, ..Policy::default() };
    let (record, _) = driver.start(&candidate(CANDIDATE), "candidate.yaml", policy).await.expect("start");
    let table = record.table_id.clone();

    let flaky = FailingRowWrites { inner: client.clone(), fail_rows: AtomicBool::new(true) };
    let aborting = Driver::new(Org::new(&flaky, FLOW), Store::new(journal.clone(), ORG, FLOW));
    let outcome = aborting.command(Input::Abort { reason: "operator".into() }).await;
    assert!(matches!(outcome, Err(RolloutError::Platform(PlatformError::Server { status: 503, .. }))), "{outcome:?}");
    let (saved, _) = aborting.store.load().await.expect("load").expect("record");
    assert_eq!(saved.controller.phase, Phase::Aborted, "the abort is in the journal although its row write failed");
    assert!(saved.written_revision < saved.controller.revision, "and the journal knows its row is not written yet");
    assert_eq!(driver.org.read_row(&table).await.expect("row").expect("row").traffic_weight, 99);

    flaky.fail_rows.store(false, Ordering::SeqCst);
    assert!(aborting.tick().await.expect("tick").is_none(), "a finished rollout takes no step");
    assert_eq!(driver.org.read_row(&table).await.expect("row").expect("row").traffic_weight, 0, "the decided row, written on resume");
    let (after, _) = aborting.store.load().await.expect("load").expect("record");
    assert_eq!(after.written_revision, after.controller.revision);
}
