//! Apply on the example repo: convergence, idempotence by the emulator's request counters, a
//! hand edit made mid-apply kept and reported, pre-flight refusal before any write.

use std::sync::Arc;

use switchboard_deploy::apply::{ApplyOptions, Progress};
use switchboard_deploy::plan::Action;
use switchboard_emulator::EmulatorOptions;
use switchboard_platform::PlatformExt;

use crate::support::{self, client};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_converges_and_a_second_apply_writes_nothing() {
    let emulator = support::start(EmulatorOptions { strict: true, ..EmulatorOptions::default() }).await;
    let desired = support::example("dev");
    // Strict serves no /_emulator route: the providers' own requests are counted.
    let (providers, recorder) = support::recorded_providers(&emulator, &desired);
    let temp = support::journal("idempotent").await;
    let first = support::plan(&temp.journal, &desired, &providers).await;
    assert!(first.problems.is_empty(), "{:?}", first.problems);
    let summary = first.summary();
    assert!(summary.create >= 13, "{summary:?}");
    let report = support::apply(&temp.journal, &first, &providers, &ApplyOptions::default()).await;
    assert_eq!(report.failed(), 0, "{report:#?}");
    // The cross-org reference resolved to the parent's queue id.
    let na = client(&emulator, "na-east-1");
    let global = client(&emulator, "global");
    let escalations = global.queues().list_all().await.unwrap_or_default().into_iter().find(|queue| queue.name == "Global Escalations").map(|queue| queue.id);
    let tables: Vec<_> = futures_util::TryStreamExt::try_collect::<Vec<_>>(na.datatables().list(false)).await.unwrap_or_default();
    let table = tables.iter().find(|table| table.name == "NA East 1 Routing").map(|table| table.id.clone()).unwrap_or_default();
    let row = na.datatables().row(&table, "escalation").await.unwrap_or_default();
    assert_eq!(row.get("queue_id").and_then(|value| value.as_str()), escalations.as_deref());

    let before = recorder.counters();
    let second = support::plan(&temp.journal, &desired, &providers).await;
    assert!(!second.has_changes(), "second plan: {:#?}", second.orgs.iter().flat_map(|org| org.changes.iter().filter(|change| change.action != Action::Unchanged)).collect::<Vec<_>>());
    let report = support::apply(&temp.journal, &second, &providers, &ApplyOptions::default()).await;
    assert_eq!(report.written(), 0);
    let after = recorder.counters();
    assert_eq!(support::writes(&after), support::writes(&before), "the second apply wrote to the platform");
}

/// Edits a queue's description by hand when the apply reaches org `na-east-1`.
struct HandEdit {
    emulator_url: String,
    client: switchboard_platform::OrgClient,
    queue: String,
}

impl Progress for HandEdit {
    fn org_started(&self, org: &str, _steps: usize) {
        if org != "na-east-1" {
            return;
        }
        let _ = &self.emulator_url;
        tokio::task::block_in_place(|| {
            tokio::runtime::Handle::current().block_on(async {
                let queues = self.client.queues();
                let found = queues.list_all().await.unwrap_or_default().into_iter().find(|queue| queue.name == self.queue);
                let Some(mut queue) = found else { panic!("no queue {}", self.queue) };
                queue.description = Some("Edited by hand during the apply".to_string());
                if let Err(error) = queues.update(&queue.id.clone(), &queue).await {
                    panic!("hand edit: {error}");
                }
            })
        });
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hand_edit_made_during_an_apply_survives_and_is_reported() {
    let emulator = support::start(EmulatorOptions { strict: true, ..EmulatorOptions::default() }).await;
    let mut desired = support::example("dev");
    let providers = support::providers(&emulator, &desired);
    let temp = support::journal("hand-edit").await;
    let first = support::plan(&temp.journal, &desired, &providers).await;
    support::apply(&temp.journal, &first, &providers, &ApplyOptions::default()).await;
    // The config changes the queue's timeout (ours) and its description (ours too) ...
    for org in &mut desired.orgs {
        for resource in org.resources.iter_mut().filter(|resource| resource.key.kind == "queue" && resource.key.name.ends_with(" Support")) {
            resource.body["mediaSettings"]["call"]["alertingTimeoutSeconds"] = serde_json::json!(45);
        }
    }
    let second = support::plan(&temp.journal, &desired, &providers).await;
    // ... and someone edits the description by hand after the plan, while the apply runs.
    let options = ApplyOptions {
        progress: Arc::new(HandEdit { emulator_url: emulator.base_url(), client: client(&emulator, "na-east-1"), queue: "NA East 1 Support".into() }),
        ..ApplyOptions::default()
    };
    let report = support::apply(&temp.journal, &second, &providers, &options).await;
    assert_eq!(report.failed(), 0, "{report:#?}");
    let na = report.orgs.iter().find(|org| org.org == "na-east-1").expect("na-east-1 report");
    assert_eq!(na.conflicts.len(), 1, "{na:#?}");
    assert_eq!(na.conflicts[0].field, "description");
    let queue = client(&emulator, "na-east-1").queues().list_all().await.unwrap_or_default().into_iter().find(|queue| queue.name == "NA East 1 Support").expect("queue");
    assert_eq!(queue.description.as_deref(), Some("Edited by hand during the apply"));
    assert_eq!(queue.media_settings.get("call").and_then(|call| call.alerting_timeout_seconds), Some(45));
    // Other orgs got the whole change.
    let other = client(&emulator, "na-east-2").queues().list_all().await.unwrap_or_default().into_iter().find(|queue| queue.name == "NA East 2 Support").expect("queue");
    assert_eq!(other.media_settings.get("call").and_then(|call| call.alerting_timeout_seconds), Some(45));
    // The next plan still reports the hand edit as a conflict, and leaves it alone.
    let third = support::plan(&temp.journal, &desired, &providers).await;
    let change = third.orgs.iter().find(|org| org.org == "na-east-1").and_then(|org| org.changes.iter().find(|change| change.key.name == "NA East 1 Support")).expect("change");
    assert_eq!(change.action, Action::Conflict, "{change:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_cross_org_dependency_aborts_before_any_write() {
    let emulator = support::start(EmulatorOptions { strict: true, ..EmulatorOptions::default() }).await;
    let mut desired = support::example("dev");
    // The parent no longer declares its callback queue, and it does not exist live.
    if let Some(global) = desired.orgs.iter_mut().find(|org| org.org == "global") {
        global.resources.retain(|resource| resource.key.name != "Global Callbacks");
    }
    // Strict serves no /_emulator route: the providers' own requests are counted.
    let (providers, recorder) = support::recorded_providers(&emulator, &desired);
    let temp = support::journal("missing").await;
    let plan = support::plan(&temp.journal, &desired, &providers).await;
    assert_eq!(plan.problems.len(), 3, "{:#?}", plan.problems);
    assert!(plan.problems[0].to_string().contains("global:queue/Global Callbacks"), "{}", plan.problems[0]);
    assert!(plan.problems[0].to_string().starts_with("components/regional.yaml:"), "{}", plan.problems[0]);
    let before = recorder.counters();
    let outcome = switchboard_deploy::apply::apply(&plan, &providers, &temp.journal, &ApplyOptions::default()).await;
    assert!(matches!(outcome, Err(switchboard_deploy::apply::ApplyError::Preflight(_))), "{outcome:?}");
    assert_eq!(support::writes(&recorder.counters()), support::writes(&before));
}
