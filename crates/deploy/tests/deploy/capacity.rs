//! Capacity-aware weights (seed 002 edge case 3) against a `--strict` emulator: a data table
//! whose weight column is written `{capacity: queue/NAME}` gets the queue's on-queue agent
//! count, read through the real queue observation query; when an agent goes off queue, the next
//! plan updates the weight and apply writes the new count.

use std::path::PathBuf;

use futures_util::TryStreamExt;
use serde_json::{Value, json};
use switchboard_deploy::apply::ApplyOptions;
use switchboard_deploy::config::Repository;
use switchboard_emulator::EmulatorOptions;
use switchboard_platform::PlatformExt;
use switchboard_platform::api::user::RoutingStatus;

use crate::support;

const MANIFEST: &str = "environments:
  dev:
    target:
      emulator: true
orgs:
  - name: na-east-1
groups:
  - group: na
    org_ids: [na-east-1]
    components: [weights]
";

const WEIGHTS: &str = "description: Weights a Traffic Cop reads; they follow the agents on queue.
resources:
  - datatable:
      name: Queue Weights
      columns:
        weight: integer
      rows:
        - key: sales
          weight: {capacity: queue/Sales}
        - key: billing
          weight: {capacity: queue/Billing}
";

/// A throwaway config repository, removed on drop.
struct Repo(PathBuf);

impl Drop for Repo {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn repo(components: &str) -> Repo {
    let dir = std::env::temp_dir().join(format!("switchboard-capacity-{}-{}", std::process::id(), components.len()));
    let write = |path: PathBuf, text: &str| std::fs::write(&path, text).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    std::fs::create_dir_all(dir.join("components")).unwrap_or_else(|error| panic!("{}: {error}", dir.display()));
    write(dir.join("switchboard.yaml"), MANIFEST);
    write(dir.join("components/weights.yaml"), components);
    Repo(dir)
}

async fn weights(client: &switchboard_platform::OrgClient) -> Vec<(String, Value)> {
    let tables: Vec<_> = client.datatables().list(false).try_collect().await.unwrap_or_else(|error| panic!("tables: {error}"));
    let Some(table) = tables.into_iter().find(|table| table.name == "Queue Weights") else { panic!("no Queue Weights table") };
    let rows: Vec<_> = client.datatables().rows(&table.id).try_collect().await.unwrap_or_else(|error| panic!("rows: {error}"));
    let mut found: Vec<(String, Value)> = rows.iter().map(|row| (row["key"].as_str().unwrap_or_default().to_string(), row["weight"].clone())).collect();
    found.sort_by(|left, right| left.0.cmp(&right.0));
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn weights_follow_the_agents_on_queue() {
    let emulator = support::start(EmulatorOptions { strict: true, ..EmulatorOptions::default() }).await;
    let repo = repo(WEIGHTS);
    let repository = Repository::load(&repo.0).unwrap_or_else(|error| panic!("repository: {error}"));
    let desired = repository.render("dev").unwrap_or_else(|error| panic!("render: {error}"));
    let providers = support::providers(&emulator, &desired);
    let temp = support::journal("capacity").await;
    let approve = ApplyOptions { approve: true, ..ApplyOptions::default() };

    // Seeded agents: Sales has agents 2, 3, 5, 6 (2 and 3 on queue); Billing 1, 2, 4, 5 (1, 2, 4 on queue).
    let plan = support::plan(&temp.journal, &desired, &providers).await;
    assert!(plan.problems.is_empty(), "{:?}", plan.problems);
    assert!(plan.needs_approval(), "a new table of weights sets routing weights: it needs approval");
    assert_eq!(support::apply(&temp.journal, &plan, &providers, &approve).await.failed(), 0);
    let client = support::client(&emulator, "na-east-1");
    assert_eq!(weights(&client).await, [("billing".to_string(), json!(3)), ("sales".to_string(), json!(2))]);
    assert!(!support::plan(&temp.journal, &desired, &providers).await.has_changes(), "same agents, same weights");

    // Agent 2 (Sales and Billing) goes off queue: both weights drop by one at the next apply.
    let users: Vec<_> = client.users().list().try_collect().await.unwrap_or_else(|error| panic!("users: {error}"));
    let Some(agent) = users.iter().find(|user| user.email.as_deref() == Some("agent2@na-east-1.example.com")) else { panic!("no agent 2") };
    let off = RoutingStatus { status: "OFF_QUEUE".into(), ..RoutingStatus::default() };
    client.users().set_routing_status(&agent.id, &off).await.unwrap_or_else(|error| panic!("routing status: {error}"));
    let plan = support::plan(&temp.journal, &desired, &providers).await;
    let change = plan.orgs.iter().flat_map(|org| &org.changes).find(|change| change.key.kind == "datatable");
    let Some(change) = change else { panic!("no data table change planned") };
    assert_eq!(change.action, switchboard_deploy::plan::Action::Update, "{change:#?}");
    assert!(!change.approval.is_empty(), "a weight is a routing weight: changing it needs approval");
    assert_eq!(support::apply(&temp.journal, &plan, &providers, &approve).await.failed(), 0);
    assert_eq!(weights(&client).await, [("billing".to_string(), json!(2)), ("sales".to_string(), json!(1))]);
}

#[test]
fn a_malformed_capacity_target_is_reported_with_file_and_line() {
    let repo = repo(&WEIGHTS.replace("{capacity: queue/Billing}", "{capacity: Billing}"));
    let repository = Repository::load(&repo.0).unwrap_or_else(|error| panic!("repository: {error}"));
    let error = repository.render("dev").err().unwrap_or_else(|| panic!("rendered a malformed capacity"));
    let text = error.to_string();
    assert!(text.contains("weights.yaml:11") && text.contains("capacity `Billing`"), "{text}");
}
