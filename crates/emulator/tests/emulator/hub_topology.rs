//! The default topology is hub-and-spoke: the parent org `global` holds the shared components,
//! the regions hold their own and reference the hub's queues by id. `--topology-scale` builds a
//! large estate of the same shape, and it survives a restart with `--state-dir`.

use super::support::*;
use std::collections::BTreeSet;
use std::time::Instant;
use switchboard_emulator::EmulatorOptions;
use switchboard_emulator::{ScaleSpec, scaled};

fn names(listing: &serde_json::Value) -> BTreeSet<String> {
    listing["entities"].as_array().into_iter().flatten().filter_map(|entity| entity["name"].as_str().map(str::to_string)).collect()
}

#[tokio::test]
async fn the_hub_holds_the_shared_directory_queues_module_table_and_integration() {
    let emulator = start_default().await;
    let hub = login(&emulator, "global").await;
    let queues = names(&hub.get_json("/api/v2/routing/queues").await);
    assert_eq!(queues, BTreeSet::from(["Global Escalations".to_string(), "Global Overflow".to_string(), "Global VIP".to_string()]));

    let users = hub.get_json("/api/v2/users?pageSize=100").await;
    let titles: Vec<&str> = users["entities"].as_array().into_iter().flatten().filter_map(|user| user["title"].as_str()).collect();
    assert!(titles.contains(&"Administrator") && titles.iter().filter(|title| **title == "Supervisor").count() == 2, "{titles:?}");
    let agent = hub.id_by_name("/api/v2/users?pageSize=100", "Global Agent 1").await;
    let presence = hub.get_json(&format!("/api/v2/users/{agent}/presences/PURECLOUD")).await;
    assert_eq!(presence["presenceDefinition"]["systemPresence"], "On Queue", "multi-region agents start on queue");
    let escalations = hub.id_by_name("/api/v2/routing/queues", "Global Escalations").await;
    let members = hub.get_json(&format!("/api/v2/routing/queues/{escalations}/members")).await;
    assert!(members["entities"].as_array().is_some_and(|members| members.len() == 2), "{members}");

    let flows = hub.get_json("/api/v2/flows").await;
    let module = flows["entities"].as_array().into_iter().flatten().find(|flow| flow["name"] == "Shared Greeting").expect("the shared module");
    assert_eq!(module["type"], "COMMONMODULE");
    assert!(module["publishedVersion"]["id"].is_string(), "published: {module}");
    assert!(names(&hub.get_json("/api/v2/integrations").await).contains("CRM Lookup"));
    assert!(names(&hub.get_json("/api/v2/flows/datatables").await).contains("Holiday Calendar"));
    emulator.shutdown().await;
}

#[tokio::test]
async fn regions_reference_hub_queues_by_id_from_a_strategy_and_a_flow() {
    let emulator = start_default().await;
    let hub = login(&emulator, "global").await;
    let region = login(&emulator, "na-east-1").await;
    let overflow = hub.id_by_name("/api/v2/routing/queues", "Global Overflow").await;
    let escalations = hub.id_by_name("/api/v2/routing/queues", "Global Escalations").await;

    let strategy_id = region.id_by_name("/api/v2/routing/strategies", "Support Overflow").await;
    let strategy = region.get_json(&format!("/api/v2/routing/strategies/{strategy_id}")).await;
    let targets: Vec<&str> = strategy["targets"].as_array().into_iter().flatten().filter_map(|target| target["id"].as_str()).collect();
    assert!(targets.contains(&overflow.as_str()), "the strategy targets the hub's overflow queue: {strategy}");
    // The reference is cross-org: the region cannot read that queue, the hub can.
    assert_eq!(region.get(&format!("/api/v2/routing/queues/{overflow}")).await.status(), 404);
    assert_eq!(hub.get(&format!("/api/v2/routing/queues/{overflow}")).await.status(), 200);

    let flow_id = region.id_by_name("/api/v2/flows", "Escalation").await;
    let flow = region.get_json(&format!("/api/v2/flows/{flow_id}")).await;
    let version = flow["publishedVersion"]["id"].as_str().expect("published").to_string();
    let configuration = region.get_json(&format!("/api/v2/flows/{flow_id}/versions/{version}/configuration")).await;
    assert_eq!(configuration["blocks"]["to_global"]["queue"], escalations.as_str(), "{configuration}");
    emulator.shutdown().await;
}

#[tokio::test]
async fn a_scaled_estate_is_deterministic_and_survives_a_restart() {
    let spec: ScaleSpec = "6:80".parse().expect("spec");
    assert_eq!(scaled(spec), scaled(spec), "same seed, same estate");
    let dir = TempDir::new("scaled");
    let options = EmulatorOptions { topology: Some(scaled(spec)), state_dir: Some(dir.0.clone()), ..EmulatorOptions::default() };
    let first = start(options.clone()).await;
    assert_eq!(first.credentials().orgs.len(), 6);
    let region = login(&first, "region-003").await;
    let before = region.get_json("/api/v2/users?pageSize=1").await["total"].clone();
    assert!(before.as_u64().is_some_and(|total| total > 40), "{before}");
    first.shutdown().await;

    let started = Instant::now();
    let second = start(options).await;
    println!("restart of a 6x80 estate from its state dir: {:?}", started.elapsed());
    let region = login(&second, "region-003").await;
    assert_eq!(region.get_json("/api/v2/users?pageSize=1").await["total"], before);
    second.shutdown().await;
}

const CROSS_ORG_YAML: &str = r#"
orgs:
  - name: hub
    queues: [{ name: Shared }]
  - name: spoke
    parent: hub
    queues: [{ name: Local }]
    users: [{ name: Lee, title: Supervisor }]
    strategies:
      - name: Overflow
        targets:
          - { queue: Local, weight: 70 }
          - { queue: Shared, org: hub, weight: 30, priority: 2 }
  - name: sibling
    parent: hub
"#;

#[tokio::test]
async fn a_topology_file_declares_cross_org_strategy_targets() {
    let topology = switchboard_emulator::load_topology(CROSS_ORG_YAML, "estate.yaml").expect("valid topology");
    let emulator = start(EmulatorOptions { topology: Some(topology), ..EmulatorOptions::default() }).await;
    let hub = login(&emulator, "hub").await;
    let spoke = login(&emulator, "spoke").await;
    let shared = hub.id_by_name("/api/v2/routing/queues", "Shared").await;
    let local = spoke.id_by_name("/api/v2/routing/queues", "Local").await;
    let strategy_id = spoke.id_by_name("/api/v2/routing/strategies", "Overflow").await;
    let strategy = spoke.get_json(&format!("/api/v2/routing/strategies/{strategy_id}")).await;
    let targets: Vec<(&str, u64)> =
        strategy["targets"].as_array().into_iter().flatten().filter_map(|target| Some((target["id"].as_str()?, target["weight"].as_u64()?))).collect();
    assert_eq!(targets, vec![(local.as_str(), 70), (shared.as_str(), 30)]);
    let lee = spoke.id_by_name("/api/v2/users", "Lee").await;
    assert_eq!(spoke.get_json(&format!("/api/v2/users/{lee}")).await["title"], "Supervisor");
    emulator.shutdown().await;
}

#[test]
fn a_strategy_may_not_target_a_sibling_or_a_missing_queue() {
    let sibling = CROSS_ORG_YAML.replace("org: hub", "org: sibling");
    let error = switchboard_emulator::load_topology(&sibling, "estate.yaml").expect_err("a sibling is not an ancestor");
    assert!(error.to_string().contains("org `sibling` is not this org or one of its ancestors"), "{error}");
    let missing = CROSS_ORG_YAML.replace("queue: Shared", "queue: Nowhere");
    let error = switchboard_emulator::load_topology(&missing, "estate.yaml").expect_err("no such queue");
    assert!(error.to_string().contains("queue `Nowhere` is not defined in org `hub`"), "{error}");
}
