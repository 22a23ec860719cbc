//! Fault drills on live emulator calls: each scenario's fault rule on the CRM path, one sped-up
//! call on the published flow, the call's recorded path judged. A sound flow passes every scenario
//! on live calls; a flow that retries for ever is caught by its live call, with the requests the
//! integration saw as evidence; a flow not published is drilled in virtual time and says so.

use super::support::*;
use futures_util::TryStreamExt;
use switchboard_platform::PlatformExt;
use switchboard_review::drills::LiveCalls;
use switchboard_review::{Check, CheckStatus, FlowRef, Outcome, Review, ReviewConfig};

async fn drill(emulator: &switchboard_emulator::RunningEmulator, flows: Vec<FlowRef>, budget_ms: u64) -> Review {
    let client = client(emulator);
    let mut config = ReviewConfig::new("sandbox", flows);
    config.checks = [Check::FailureModes].into_iter().collect();
    config.live.sla_ms = 300;
    config.live.budget_ms = budget_ms;
    config.live.live_calls = Some(LiveCalls::detect(std::sync::Arc::new(client.clone()), &emulator.base_url()).await.expect("the emulator's control surface answers"));
    switchboard_review::run(&client, &config, std::future::pending::<()>()).await
}

async fn fault_rules(emulator: &switchboard_emulator::RunningEmulator) -> serde_json::Value {
    control(emulator, reqwest::Method::GET, "/_emulator/faults", None).await.json().await.unwrap_or_default()
}

async fn crm_sessions_opened(emulator: &switchboard_emulator::RunningEmulator) -> u64 {
    let client = client(emulator);
    let integrations: Vec<_> = client.integrations().list().try_collect().await.expect("integrations");
    let crm = integrations.iter().find(|integration| integration.name.as_deref() == Some("CRM")).expect("the CRM integration");
    client.integrations().session_counts(&crm.id).await.expect("session counts").opened
}

#[tokio::test]
async fn a_sound_flow_passes_every_scenario_on_live_calls() {
    let emulator = start().await;
    let before = crm_sessions_opened(&emulator).await;
    let review = drill(&emulator, vec![FlowRef::Org("Drill".into())], 5_000).await;
    assert_eq!(review.outcome, Outcome::Pass, "{:#?}", review.findings);
    let run = review.checks.iter().find(|run| run.check == Check::FailureModes).expect("failure modes ran");
    assert_eq!(run.status, CheckStatus::Ran);
    assert_eq!(run.subjects, vec!["flow:Drill".to_string()]);
    // Five scenarios, five live calls, each opening a session with the CRM; the rules are gone.
    assert!(crm_sessions_opened(&emulator).await >= before + 5, "every scenario placed a live call");
    assert_eq!(fault_rules(&emulator).await["rules"], serde_json::json!([]), "the drill removed its fault rules");
    emulator.shutdown().await;
}

#[tokio::test]
async fn a_live_call_that_retries_for_ever_is_caught_with_its_requests_as_evidence() {
    let emulator = start().await;
    let review = drill(&emulator, vec![FlowRef::Org("Forever".into())], 1_500).await;
    assert_eq!(review.outcome, Outcome::Fail);
    let forever: Vec<_> = review.findings.iter().filter(|finding| finding.code == "fault-retries-forever").collect();
    assert!(!forever.is_empty(), "{:#?}", review.findings);
    let evidence = forever[0].evidence.join("\n");
    assert!(forever[0].message.starts_with("503 always:"), "{}", forever[0].message);
    assert!(evidence.contains("live call "), "{evidence}");
    // The one data action has one attempt per visit; the live call made far more requests.
    let requests: u64 = evidence
        .lines()
        .find_map(|line| line.strip_prefix("the integration saw ")?.split(' ').next()?.parse().ok())
        .expect("the request count in the evidence");
    assert!(requests > 5, "{evidence}");
    assert!(evidence.contains("virtual-time pre-check: same verdict"), "{evidence}");
    assert_eq!(fault_rules(&emulator).await["rules"], serde_json::json!([]), "no rule left behind");
    emulator.shutdown().await;
}

#[tokio::test]
async fn a_flow_only_in_a_file_is_drilled_in_virtual_time_and_says_so() {
    let emulator = start().await;
    let unpublished = LOOKUP_FLOW.replace("name: Lookup", "name: Draft").replace("timeout_ms: 2000", "timeout_ms: 350");
    let review = drill(&emulator, vec![FlowRef::Text(flow_text("draft", &unpublished))], 5_000).await;
    assert_eq!(review.outcome, Outcome::Pass, "a warning only: {:#?}", review.findings);
    let notes: Vec<_> = review.findings.iter().filter(|finding| finding.code == "fault-drill-virtual-only").collect();
    assert_eq!(notes.len(), 1, "{:#?}", review.findings);
    assert!(notes[0].message.contains("not published"), "{}", notes[0].message);
    emulator.shutdown().await;
}

#[tokio::test]
async fn an_interrupted_live_drill_takes_its_fault_rules_off() {
    let emulator = start().await;
    let client = client(&emulator);
    let mut config = ReviewConfig::new("sandbox", vec![FlowRef::Org("Forever".into())]);
    config.checks = [Check::FailureModes].into_iter().collect();
    config.live.sla_ms = 300;
    config.live.budget_ms = 30_000;
    config.live.live_calls = LiveCalls::detect(std::sync::Arc::new(client.clone()), &emulator.base_url()).await;
    // Ctrl-C arrives once the first drill's rule is on the CRM path.
    let cancel = async {
        while fault_rules(&emulator).await["rules"].as_array().is_none_or(Vec::is_empty) {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    };
    let review = switchboard_review::run(&client, &config, cancel).await;
    assert_eq!(review.outcome, Outcome::CouldNotRun);
    let run = review.checks.iter().find(|run| run.check == Check::FailureModes).expect("failure modes listed");
    assert_eq!(run.status, CheckStatus::CouldNotRun("interrupted".into()));
    assert_eq!(fault_rules(&emulator).await["rules"], serde_json::json!([]), "the interrupted drill's rule was removed");
    emulator.shutdown().await;
}
