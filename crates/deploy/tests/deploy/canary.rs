//! The org canary on the example repo against a `--strict` emulator (real API paths only): the
//! canary orgs are chosen per group and journaled, applied first, their calls read from the
//! conversation aggregates; with no calls in the window the verdict is inconclusive, so the
//! change is held in the canary orgs and the other orgs are left untouched.

use std::time::Duration;

use switchboard_deploy::apply::ApplyOptions;
use switchboard_deploy::canary::{CanaryClock, CanarySettings, GenesysMetrics, Outcome, apply_with_canary, choose_canary};
use switchboard_emulator::EmulatorOptions;
use switchboard_platform::Platform;

use crate::support;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_calls_to_judge_the_canary_holds_and_the_other_orgs_stay_untouched() {
    let emulator = support::start(EmulatorOptions { strict: true, ..EmulatorOptions::default() }).await;
    let desired = support::example("dev");
    let providers = support::providers(&emulator, &desired);
    let temp = support::journal("canary-held").await;
    let plan = support::plan(&temp.journal, &desired, &providers).await;
    let platforms = desired
        .orgs
        .iter()
        .map(|org| (org.org.clone(), std::sync::Arc::new(support::client(&emulator, &org.target_org)) as std::sync::Arc<dyn Platform>))
        .collect();
    let metrics = GenesysMetrics::new(platforms);
    let settings = CanarySettings { percent: 10, steps: vec![100], window: Duration::from_millis(300), abandonment_relative_increase: 0.15, asa_increase_seconds: 10.0, alpha: 0.05 };
    let report = apply_with_canary(&plan, &providers, &temp.journal, &ApplyOptions::default(), &settings, &metrics, CanaryClock::default())
        .await
        .unwrap_or_else(|error| panic!("canary: {error}"));

    assert_eq!(report.canary_orgs, choose_canary(&plan, 10), "the choice is the deterministic one");
    let stages: std::collections::BTreeSet<usize> = plan.orgs.iter().map(|org| org.stage).collect();
    assert_eq!(report.canary_orgs.len(), stages.len(), "one org per group at 10 %");
    assert_eq!(report.steps.len(), 1, "held at the first step: {report:#?}");
    let first = &report.steps[0];
    assert_eq!(first.apply.failed(), 0, "{:#?}", first.apply);
    let applied: Vec<&str> = first.apply.orgs.iter().map(|org| org.org.as_str()).collect();
    assert_eq!(applied, report.canary_orgs.iter().map(String::as_str).collect::<Vec<_>>(), "only the canary orgs were applied");
    let verdict = first.verdict.clone().unwrap_or_else(|| panic!("no verdict: {report:#?}"));
    assert_eq!(verdict.outcome, Outcome::Inconclusive, "no calls: nothing to judge");
    assert_eq!(report.decision, "held");
    assert!(report.rollbacks.is_empty());
    assert_eq!(report.changed_orgs(), report.canary_orgs);

    // The untouched orgs still have every change pending; the canary orgs have none.
    let again = support::plan(&temp.journal, &desired, &providers).await;
    for org in &again.orgs {
        let pending = org.changes.iter().any(|change| change.action.writes());
        assert_eq!(pending, !report.canary_orgs.contains(&org.org), "{}: pending changes = {pending}", org.org);
    }
    // The choice and the verdict are in the journal.
    let events = temp.journal.events(switchboard_deploy::canary::EVENT_NAMESPACE, "dev").await.unwrap_or_else(|error| panic!("events: {error}"));
    let phases: Vec<&str> = events.iter().filter_map(|event| event.value.get("phase").and_then(|phase| phase.as_str())).collect();
    assert_eq!(phases, ["chosen", "verdict", "decision"]);
    assert_eq!(events[0].value["orgs"], serde_json::json!(report.canary_orgs));
    assert_eq!(events[2].value["decision"], "held");
}
