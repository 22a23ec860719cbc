//! Hub-and-spoke references (seed 002): a regional org's flow that names the hub's global queue
//! by id is sound when the review knows the hub, and a dangling reference otherwise.

use std::sync::Arc;
use std::time::Duration;
use switchboard_emulator::{EmulatorOptions, RunningEmulator};
use switchboard_platform::{ClientConfig, OrgClient, Platform};
use switchboard_review::{Check, FlowRef, Outcome, ReviewConfig};

fn client_for(emulator: &RunningEmulator, org: &str) -> OrgClient {
    let credentials = emulator.credentials().org(org).unwrap_or_else(|| panic!("no org {org}"));
    let mut config = ClientConfig::new(emulator.base_url(), credentials.client_id.clone(), credentials.client_secret.clone());
    config.org_label = org.to_string();
    config.retry.base_delay = Duration::from_millis(20);
    OrgClient::new(config).unwrap_or_else(|error| panic!("client: {error}"))
}

fn escalation_review() -> ReviewConfig {
    let mut config = ReviewConfig::new("na-east-1", vec![FlowRef::Org("Escalation".into())]);
    config.checks = [Check::StaticValidation].into_iter().collect();
    config
}

#[tokio::test]
async fn a_spoke_flow_naming_the_hubs_queue_passes_only_when_the_hub_is_shared() {
    let emulator = switchboard_emulator::spawn(EmulatorOptions::default()).await.unwrap_or_else(|error| panic!("emulator: {error}"));
    let spoke = client_for(&emulator, "na-east-1");
    let hub: Arc<dyn Platform> = Arc::new(client_for(&emulator, "global"));

    let alone = switchboard_review::run(&spoke, &escalation_review(), std::future::pending::<()>()).await;
    assert_eq!(alone.outcome, Outcome::Fail, "{:#?}", alone.findings);
    let dangling: Vec<_> = alone.findings.iter().filter(|finding| finding.code == "unknown-queue").collect();
    assert_eq!(dangling.len(), 1, "{:#?}", alone.findings);

    let mut with_hub = escalation_review();
    with_hub.shared_orgs.push(hub);
    let review = switchboard_review::run(&spoke, &with_hub, std::future::pending::<()>()).await;
    assert_eq!(review.outcome, Outcome::Pass, "{:#?}", review.findings);
    emulator.shutdown().await;
}
