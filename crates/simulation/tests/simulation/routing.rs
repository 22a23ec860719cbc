//! Routing in flows: randomize weights, live data tables, Flow_Version across transfers, and the
//! example day's totals.

use std::collections::BTreeMap;
use switchboard_simulation::metrics::Tally;
use switchboard_simulation::runtime::TerminalOutcome;
use crate::support::{EXAMPLE, load_example};
use switchboard_simulation::{CallOutcome, CallRecord, load_scenario, run};

#[test]
fn randomize_weights_are_respected() {
    let text = r#"
duration_minutes: 600
flows:
  - definition:
      name: Split
      start: pick
      blocks:
        pick:
          type: randomize
          branches: [{ weight: 20, next: a }, { weight: 30, next: b }]
          default: c
        a: { type: disconnect, reason: a }
        b: { type: disconnect, reason: b }
        c: { type: disconnect, reason: c }
queues: []
dids:
  - { number: "+1", flow: Split, calls_per_hour: 3000 }
"#;
    let scenario = load_scenario(text, "split.yaml").unwrap_or_else(|error| panic!("{error}"));
    let mut counts: BTreeMap<String, f64> = BTreeMap::new();
    let mut sink = |record: &CallRecord| {
        if let CallOutcome::FlowDisconnect { reason } = &record.outcome {
            *counts.entry(reason.to_string()).or_default() += 1.0;
        }
    };
    run(&scenario, 11, &mut sink);
    let total: f64 = counts.values().sum();
    assert!(total > 25_000.0, "{total}");
    // Pearson's χ² with 2 degrees of freedom; 13.82 is the 0.999 quantile.
    let chi_square: f64 = [("a", 0.2), ("b", 0.3), ("c", 0.5)]
        .iter()
        .map(|(reason, share)| {
            let expected = total * share;
            (counts.get(*reason).copied().unwrap_or(0.0) - expected).powi(2) / expected
        })
        .sum();
    assert!(chi_square < 13.82, "χ² = {chi_square}, counts {counts:?}");
}

#[test]
fn the_example_day_routes_by_the_live_table_and_keeps_flow_version() {
    let scenario = load_example(EXAMPLE);
    let cutover_ms = 720 * 60_000;
    let (mut blue_before, mut green_before, mut blue_after, mut green_after) = (0u64, 0u64, 0u64, 0u64);
    let mut sum = Tally::default();
    let mut sink = |record: &CallRecord| {
        let version = record.participant_data.get("Flow_Version").map(String::as_str);
        let ivr = record.path.visits.iter().find(|visit| &*visit.flow_id != "traffic-cop");
        let Some(ivr) = ivr else { panic!("call {} never left the Traffic Cop", record.call_id) };
        // The attribute is stamped by the IVR version the Cop chose, never by the Cop itself.
        assert_eq!(version, Some(&*ivr.flow_version), "call {}", record.call_id);
        // The Cop's look-up happens at arrival, so the arrival time decides the route.
        let blue = &*ivr.flow_id == "main-ivr-blue";
        match (record.arrived_at_ms < cutover_ms, blue) {
            (true, true) => blue_before += 1,
            (true, false) => green_before += 1,
            (false, true) => blue_after += 1,
            (false, false) => green_after += 1,
        }
        if let Some(TerminalOutcome::Queue { .. }) = record.path.terminal.as_ref().map(|terminal| &terminal.outcome) {
            sum.offered += 1;
        }
        match record.outcome {
            CallOutcome::Answered { .. } => sum.answered += 1,
            CallOutcome::Abandoned { .. } => sum.abandoned += 1,
            CallOutcome::FlowDisconnect { .. } => sum.flow_disconnects += 1,
            CallOutcome::Voicemail { .. } => sum.voicemails += 1,
        }
    };
    let report = run(&scenario, 3, &mut sink);
    assert_eq!(blue_after, 0, "after the cutover every call goes to Green");
    let canary_share = green_before as f64 / (blue_before + green_before) as f64;
    assert!((0.08..0.12).contains(&canary_share), "canary share {canary_share}");
    assert!(green_after > 0);
    // Report totals equal the sum over recorded calls, and queues add up to the totals.
    assert_eq!(report.totals.tally.offered, sum.offered);
    assert_eq!(report.totals.tally.answered, sum.answered);
    assert_eq!(report.totals.tally.abandoned, sum.abandoned);
    assert_eq!(report.totals.tally.offered, sum.answered + sum.abandoned);
    assert_eq!(report.calls, sum.offered + sum.flow_disconnects);
    for queue in &report.queues {
        let offered: u64 = queue.intervals.iter().map(|interval| interval.offered).sum();
        let answered: u64 = queue.intervals.iter().map(|interval| interval.answered).sum();
        let handled: u64 = queue.intervals.iter().map(|interval| interval.handled).sum();
        assert_eq!(
            (offered, answered, handled),
            (queue.metrics.tally.offered, queue.metrics.tally.answered, queue.metrics.tally.answered)
        );
    }
    // Per flow version: Blue and Green are separate rows of the same flow name and add up to it.
    let versions: Vec<(&str, u64)> =
        report.flow_versions.iter().map(|row| (row.version.as_str(), row.metrics.tally.entered)).collect();
    let main = report.flows.iter().find(|row| row.name == "Main IVR").expect("Main IVR row");
    assert_eq!(versions[1].1 + versions[2].1, main.metrics.tally.entered);
    assert_eq!(versions[0].1, report.calls);
}
