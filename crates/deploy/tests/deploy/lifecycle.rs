//! Rollback, export round trip, rate-limit bursts with expiring tokens, and the PostgreSQL lease.

use std::path::PathBuf;
use std::time::Duration;

use switchboard_deploy::apply::{ApplyError, ApplyOptions};
use switchboard_deploy::config::{Repository, TargetSpec};
use switchboard_deploy::plan::Action;
use switchboard_emulator::EmulatorOptions;
use switchboard_journal::Journal;

use crate::support;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollback_restores_byte_identical_resources_in_the_touched_orgs() {
    let emulator = support::start(EmulatorOptions { strict: true, ..EmulatorOptions::default() }).await;
    let mut desired = support::example("dev");
    let providers = support::providers(&emulator, &desired);
    let temp = support::journal("rollback").await;
    let first = support::plan(&temp.journal, &desired, &providers).await;
    support::apply(&temp.journal, &first, &providers, &ApplyOptions::default()).await;
    let before = support::plan(&temp.journal, &desired, &providers).await;
    assert!(!before.has_changes());
    // A second deployment changes queues, a table row and a flow greeting in the regions.
    for org in desired.orgs.iter_mut().filter(|org| org.org != "global") {
        for resource in &mut org.resources {
            match resource.key.kind.as_str() {
                "queue" => resource.body["description"] = serde_json::json!("Changed by deployment two"),
                "datatable" => resource.body["rows"]["escalation"]["priority"] = serde_json::json!(9),
                "flow" => {
                    let yaml = resource.body["yaml"].as_str().unwrap_or_default().replace("Thank you for calling", "Welcome to");
                    resource.body["yaml"] = serde_json::json!(yaml);
                }
                _ => {}
            }
        }
    }
    let second = support::plan(&temp.journal, &desired, &providers).await;
    assert_eq!(second.summary().update, 9, "{:?}", second.summary());
    let report = support::apply(&temp.journal, &second, &providers, &ApplyOptions::default()).await;
    assert_eq!(report.failed(), 0, "{report:#?}");
    let rolled = switchboard_deploy::rollback::rollback(&report.deployment, &providers, &temp.journal, "test").await.unwrap_or_else(|error| panic!("rollback: {error}"));
    assert!(rolled.proven(), "{rolled:#?}");
    assert_eq!(rolled.orgs.iter().map(|org| org.restored).sum::<usize>(), 9);
    // The original config matches again: nothing to change, and the state is what it was.
    let original = support::example("dev");
    let after = support::plan(&temp.journal, &original, &providers).await;
    assert!(!after.has_changes(), "{:#?}", after.summary());
    for (org, (left, right)) in before.orgs.iter().flat_map(|org| org.changes.iter().map(move |change| (org.org.as_str(), change))).zip(after.orgs.iter().flat_map(|org| &org.changes)).map(|((org, left), right)| (org, (left, right))) {
        let Some(provider) = providers.get(org) else { panic!("provider") };
        // Byte for byte, once set-valued fields (members) are in one order.
        let text = |seen: &Option<switchboard_deploy::LiveObject>| seen.as_ref().map(|seen| serde_json::to_string(&provider.comparable(&seen.kind, seen.body.clone())).unwrap_or_default());
        let (left_body, right_body) = (text(&left.seen), text(&right.seen));
        if left.key.kind != "flow" {
            assert_eq!(left_body, right_body, "{}", left.key);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_then_plan_shows_no_changes() {
    let emulator = support::start(EmulatorOptions { strict: true, ..EmulatorOptions::default() }).await;
    let desired = support::example("dev");
    let providers = support::providers(&emulator, &desired);
    let temp = support::journal("export").await;
    let first = support::plan(&temp.journal, &desired, &providers).await;
    support::apply(&temp.journal, &first, &providers, &ApplyOptions::default()).await;
    let dir: PathBuf = std::env::temp_dir().join(format!("switchboard-export-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (Some(child), Some(parent)) = (providers.get("na-east-1"), providers.get("global")) else { panic!("providers") };
    let report = switchboard_deploy::export::export("na-east-1", child.as_ref(), &[("global", parent.as_ref())], &dir, &switchboard_deploy::export::ExportTarget { target: TargetSpec { emulator: true, ..TargetSpec::default() }, ..Default::default() })
        .await
        .unwrap_or_else(|error| panic!("export: {error}"));
    assert!(report.resources >= 8, "{report:?}");
    let exported = Repository::load(&dir).and_then(|repository| repository.render("export")).unwrap_or_else(|error| panic!("exported repo: {error}"));
    let text = std::fs::read_to_string(dir.join("components/exported.yaml")).unwrap_or_default();
    assert!(text.contains("$ref{global:queue/Global Escalations}"), "{text}");
    assert!(text.contains("$ref{user/agent1@na-east-1.example.com}"), "{text}");
    let fresh = support::journal("export-plan").await;
    let plan = support::plan(&fresh.journal, &exported, &providers).await;
    assert!(plan.problems.is_empty(), "{:?}", plan.problems);
    let changed: Vec<String> = plan.orgs.iter().flat_map(|org| org.changes.iter().filter(|change| change.action != Action::Unchanged).map(|change| format!("{} {:?} {:?}", change.key, change.action, change.fields))).collect();
    assert!(changed.is_empty(), "{changed:#?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_bursts_and_expiring_tokens_do_not_fail_an_apply() {
    // Not strict: the bursts are fault rules (`/_emulator/faults`), which strict does not serve.
    let emulator = support::start(EmulatorOptions { token_lifetime: Duration::from_secs(1), ..EmulatorOptions::default() }).await;
    let desired = support::example("dev");
    let providers = support::providers(&emulator, &desired);
    let temp = support::journal("bursts").await;
    let plan = support::plan(&temp.journal, &desired, &providers).await;
    // Every third write and read of queues and tables answers 429 for a while.
    for path in ["/api/v2/routing/queues/**", "/api/v2/flows/datatables/**"] {
        support::add_fault(&emulator, serde_json::json!({"path": path, "status": 429, "retryAfterSeconds": 1, "probability": 0.3, "count": 12, "seed": 7})).await;
    }
    let report = support::apply(&temp.journal, &plan, &providers, &ApplyOptions::default()).await;
    assert_eq!(report.failed(), 0, "{report:#?}");
    let after = support::plan(&temp.journal, &desired, &providers).await;
    assert!(!after.has_changes(), "{:?}", after.summary());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_applies_on_one_postgresql_journal_refuse_each_other() {
    let server = match switchboard_journal::testsupport::PostgresServer::start() {
        Ok(Some(server)) => server,
        Ok(None) => return,
        Err(error) => panic!("postgres: {error}"),
    };
    let url = server.fresh_database().await.unwrap_or_else(|error| panic!("database: {error}"));
    let first = Journal::open(&url).await.unwrap_or_else(|error| panic!("journal: {error}"));
    let second = Journal::open(&url).await.unwrap_or_else(|error| panic!("journal: {error}"));
    let emulator = support::start(EmulatorOptions::default()).await;
    let desired = support::example("dev");
    let providers = support::providers(&emulator, &desired);
    let plan = support::plan(&first, &desired, &providers).await;
    // The first apply holds the environment's lease (taken as apply does) ...
    let lease = first.acquire_lease(&switchboard_deploy::record::lease_scope("dev"), "ci-runner-1", Duration::from_secs(60)).await.unwrap_or_else(|error| panic!("lease: {error}"));
    // ... so a second apply through another connection refuses, naming the holder.
    let refused = switchboard_deploy::apply::apply(&plan, &providers, &second, &ApplyOptions { holder: "ci-runner-2".into(), ..ApplyOptions::default() }).await;
    match refused {
        Err(ApplyError::Journal(error)) => assert!(error.to_string().contains("ci-runner-1"), "{error}"),
        other => panic!("expected a lease refusal, got {other:?}"),
    }
    lease.release().await.unwrap_or_else(|error| panic!("release: {error}"));
    let report = support::apply(&second, &plan, &providers, &ApplyOptions { holder: "ci-runner-2".into(), ..ApplyOptions::default() }).await;
    assert_eq!(report.failed(), 0);
}
