//! The one flow path: publish through an Architect job (register, presigned upload, poll), a
//! broken flow's job failing with messages, and export back through an export job.

use futures_util::TryStreamExt;
use switchboard_model::flow::FlowDefinition;
use switchboard_platform::api::flow::Flow;
use switchboard_platform::{FlowSource, OperationWait, PlatformError, PlatformExt};

use crate::support::{CHILD, client_for, ok, start_default};

fn definition(yaml: &str) -> FlowDefinition {
    match switchboard_model::load::parse_flow_yaml(yaml, "test.yaml") {
        Ok(definition) => definition,
        Err(error) => panic!("fixture does not parse: {error}"),
    }
}

const GREETING: &str = "
name: Job Published IVR
start: hello
blocks:
  hello: {type: play, prompt: Welcome, next: bye}
  bye: {type: disconnect}
";

#[tokio::test]
async fn a_job_creates_publishes_and_exports_a_flow() {
    let emulator = start_default().await;
    let client = client_for(&emulator, CHILD);
    let flow = definition(GREETING);
    let mut seen = Vec::new();
    let published = ok("publish", client.flows().publish(FlowSource::Definition(&flow), OperationWait::default(), |status| seen.push(status.to_string())).await);
    assert_eq!(seen.first().map(String::as_str), Some("Registered"));
    assert_eq!(seen.last().map(String::as_str), Some("Success"), "statuses seen: {seen:?}");
    assert_eq!(published.flow.name.as_deref(), Some("Job Published IVR"));

    let stored = ok("get", client.flows().get(&published.flow.id).await).value;
    assert!(stored.active, "a published flow is active");
    let version = stored.published_version.as_ref().map(|version| version.id.clone());
    assert_eq!(version.as_deref(), Some("1.0"));

    // Publishing again updates the same flow (found by name and type) with a new version.
    let again = ok("publish again", client.flows().publish(FlowSource::Definition(&flow), OperationWait::default(), |_| {}).await);
    assert_eq!(again.flow.id, published.flow.id);
    let found: Vec<Flow> = ok("list", client.flows().list(Some("Job Published IVR"), Some("INBOUNDCALL")).try_collect().await);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].published_version.as_ref().map(|version| version.id.as_str()), Some("2.0"));

    let exported = ok("export", client.flows().export(&published.flow.id, None, OperationWait::default()).await);
    let back = switchboard_model::load_flow(&exported, "exported.yaml");
    assert_eq!(back.ok().as_ref(), Some(&flow), "export gives back what was published:\n{exported}");
    emulator.shutdown().await;
}

#[tokio::test]
async fn a_broken_flow_fails_its_job_with_messages_naming_the_block() {
    let emulator = start_default().await;
    let client = client_for(&emulator, CHILD);
    let broken = definition(
        "
name: Broken IVR
start: transfer
blocks:
  transfer: {type: transfer_to_queue, queue: No Such Queue}
",
    );
    let outcome = client.flows().publish(FlowSource::Definition(&broken), OperationWait::default(), |_| {}).await;
    let Err(PlatformError::FlowJobFailed { messages, .. }) = outcome else {
        panic!("expected a failed job, got {outcome:?}");
    };
    assert!(messages.iter().any(|message| message.contains("transfer") && message.contains("No Such Queue")), "{messages:?}");
    let found: Vec<Flow> = ok("list", client.flows().list(Some("Broken IVR"), None).try_collect().await);
    assert!(found.is_empty(), "a failed job creates nothing");
    emulator.shutdown().await;
}
