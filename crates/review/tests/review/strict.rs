//! The review's real-org paths, run against a `--strict` emulator (the real platform's surface
//! only: no `/_emulator/*`, no session counts, no licence seats). Fault drills fall back to
//! virtual time even with the control credential at hand, session hygiene is not applicable,
//! and the licence part of quota headroom is reported as not readable, never as a pass.

use super::support::*;
use switchboard_emulator::{EmulatorOptions, RunningEmulator, load_topology};
use switchboard_review::drills::LiveCalls;
use switchboard_review::{Check, CheckStatus, FlowRef, ReviewConfig};

async fn start_strict() -> RunningEmulator {
    let topology = load_topology(TOPOLOGY, "review.yaml").unwrap_or_else(|error| panic!("test topology: {error}"));
    switchboard_emulator::spawn(EmulatorOptions { topology: Some(topology), strict: true, ..EmulatorOptions::default() })
        .await
        .unwrap_or_else(|error| panic!("emulator did not start: {error}"))
}

#[tokio::test]
async fn a_strict_emulator_takes_the_real_org_paths() {
    let emulator = start_strict().await;
    let client = client(&emulator);
    // The client carries the control credential, yet a strict emulator serves no control surface.
    let live = LiveCalls::detect(std::sync::Arc::new(client.clone()), &emulator.base_url()).await;
    assert!(live.is_none(), "a strict emulator is no live-call target");

    let mut config = ReviewConfig::new("sandbox", vec![FlowRef::Org("Drill".into())]);
    config.checks = [Check::FailureModes, Check::SessionHygiene, Check::QuotaHeadroom].into_iter().collect();
    config.live.sla_ms = 300;
    config.live.budget_ms = 5_000;
    config.live.hygiene_window_ms = 0;
    config.live.live_calls = live;
    config.own_client_id = Some(own_client_id(&emulator));
    let review = switchboard_review::run(&client, &config, std::future::pending::<()>()).await;
    let status = |check: Check| review.checks.iter().find(|run| run.check == check).map(|run| run.status.clone());

    // Drills: virtual time only, never a live call.
    assert_eq!(status(Check::FailureModes), Some(CheckStatus::Ran), "{:#?}", review.checks);
    let evidence: Vec<String> = review.findings.iter().filter(|finding| finding.check == Check::FailureModes).flat_map(|finding| finding.evidence.clone()).collect();
    assert!(evidence.iter().all(|line| !line.contains("live call ")), "{evidence:#?}");
    // Hygiene: the real platform has no session counts.
    assert!(matches!(status(Check::SessionHygiene), Some(CheckStatus::NotApplicable(_))), "{:#?}", review.checks);
    // Quota: limits read, licence seats reported as not readable.
    assert_eq!(status(Check::QuotaHeadroom), Some(CheckStatus::Ran), "{:#?}", review.checks);
    assert!(review.findings.iter().any(|finding| finding.code == "quota-not-readable"), "{:#?}", review.findings);
    emulator.shutdown().await;
}
