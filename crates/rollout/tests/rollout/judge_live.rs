//! The live judge on a `--strict` emulator (only the real API): per-version abandonment and speed
//! of answer come from the conversation detail records, so a candidate that sends its callers to
//! a queue nobody staffs is aborted on abandonment, and one that sends them to a slower queue
//! (one agent instead of eight) is aborted on speed of answer by the Mann-Whitney test, each with
//! its evidence.

use super::support::{ORG, candidate, client, journal};
use std::time::Duration;
use switchboard_emulator::{CallRequest, CenterOptions};
use switchboard_emulator::{EmulatorOptions, RunningEmulator, load_topology};
use switchboard_rollout::live::{Driver, Org, RolloutRecord, Store};
use switchboard_rollout::{Phase, Policy};
use switchboard_simulation::distribution::DurationDistribution;

const FLOW: &str = "Main IVR";
const DID: &str = "+13175550100";

fn topology() -> String {
    let fast_agents: String = (1..=8).map(|n| format!("      - {{name: Fast {n}, queues: [Fast], on_queue: true}}\n")).collect();
    format!(
        r#"
orgs:
  - name: acme
    queues: [{{name: Fast}}, {{name: Slow}}, {{name: Unstaffed}}]
    users:
{fast_agents}      - {{name: Slow 1, queues: [Slow], on_queue: true}}
    flows:
      - name: Main IVR
        start: queue
        blocks:
          queue: {{type: transfer_to_queue, queue: Fast}}
    dids:
      - {{number: "{DID}", flow: Main IVR}}
"#
    )
}

fn candidate_to(queue: &str) -> switchboard_model::flow::FlowDefinition {
    candidate(&format!("name: Main IVR\nstart: queue\nblocks:\n  queue: {{type: transfer_to_queue, queue: {queue}}}\n"))
}

async fn strict_emulator(handle_ms: f64, patience_ms: f64) -> RunningEmulator {
    let topology = load_topology(&topology(), "judge.yaml").unwrap_or_else(|error| panic!("topology: {error}"));
    let emulator = switchboard_emulator::spawn(EmulatorOptions { topology: Some(topology), strict: true, ..EmulatorOptions::default() })
        .await
        .unwrap_or_else(|error| panic!("emulator did not start: {error}"));
    emulator.state().contact_center().set_options(CenterOptions {
        handle_time: DurationDistribution::Constant { ms: handle_ms },
        wrap_up: DurationDistribution::Constant { ms: 0.0 },
        patience: DurationDistribution::Constant { ms: patience_ms },
        seed: 7,
    });
    emulator
}

/// Runs a rollout of `candidate` to its end under sped-up traffic (a call every 15 ms at ×50).
async fn release(emulator: &RunningEmulator, name: &str, candidate: &switchboard_model::flow::FlowDefinition, policy: Policy) -> RolloutRecord {
    let client = client(emulator);
    Org::new(&client, FLOW).init(None, |_| {}).await.expect("init");
    let driver = Driver::new(Org::new(&client, FLOW), Store::new(journal(name).await, ORG, FLOW));
    driver.start(candidate, "candidate.yaml", policy).await.expect("start");
    let state = emulator.state();
    let traffic = tokio::spawn(async move {
        loop {
            let request = CallRequest { org: ORG.into(), did: DID.into(), ani: None, attributes: Default::default(), speed_up: 50.0, dtmf: None };
            let _ = state.place_call(request);
            tokio::time::sleep(Duration::from_millis(15)).await;
        }
    });
    let finished = tokio::time::timeout(Duration::from_secs(40), driver.run("test driver", |_, _| {})).await;
    traffic.abort();
    finished.expect("decided in time").expect("run")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_candidate_whose_callers_abandon_is_aborted_on_abandonment_from_the_detail_records() {
    let emulator = strict_emulator(20.0, 2_000.0).await;
    // Never passes a step on its own: only the judge can end it.
    let policy = Policy { steps: vec![25, 50, 100], interval_ms: 300, min_calls_per_step: 100_000, ..Policy::default() };
    let record = release(&emulator, "abandon", &candidate_to("Unstaffed"), policy).await;
    assert_eq!(record.controller.phase, Phase::Aborted);
    assert!(record.abandonment_available);
    let verdict = record.controller.last_verdict().expect("a verdict");
    assert!(verdict.reason.starts_with("abandonment"), "{}", verdict.reason);
    let evidence = &verdict.evidence.abandonment;
    assert!(evidence.e_value >= 1.0 / (0.05 * 0.4), "{evidence:?}");
    assert!(evidence.events_b >= 3 && evidence.events_b <= evidence.trials_b, "{evidence:?}");
    assert_eq!(evidence.events_a, 0, "the staffed queue answered everyone: {evidence:?}");
    println!("aborted: {} ({} candidate calls in all)", verdict.reason, record.controller.candidate_totals.calls);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_candidate_that_routes_to_a_slower_queue_is_aborted_on_speed_of_answer() {
    // Two modelled seconds a call; callers wait as long as it takes.
    let emulator = strict_emulator(2_000.0, 3_600_000.0).await;
    let policy = Policy {
        steps: vec![50, 100],
        interval_ms: 500,
        min_calls_per_step: 100_000,
        min_answered_for_asa: 10,
        ..Policy::default()
    };
    let record = release(&emulator, "asa", &candidate_to("Slow"), policy).await;
    assert_eq!(record.controller.phase, Phase::Aborted);
    let verdict = record.controller.last_verdict().expect("a verdict");
    assert!(verdict.reason.starts_with("slower answers on the candidate"), "{}", verdict.reason);
    let test = verdict.evidence.speed_of_answer.expect("the rank test's evidence");
    assert!(test.effect >= 0.6, "{test:?}");
    assert!(test.p_greater < verdict.evidence.alphas[2], "{test:?} against alpha {}", verdict.evidence.alphas[2]);
    assert!(verdict.evidence.candidate.answered >= 10 && verdict.evidence.active.answered >= 10, "{:?}", verdict.evidence);
    assert_eq!(verdict.evidence.abandonment.events_b, 0, "nobody abandoned: the verdict is on waits alone");
    println!("aborted: {} ({} candidate calls in all)", verdict.reason, record.controller.candidate_totals.calls);
}
