//! Flows: create (locked), save a definition, check in, publish as an asynchronous operation,
//! and locks that keep other holders out.

use super::support::*;
use serde_json::{Value, json};
use std::time::Duration;

fn definition(prompt: &str) -> Value {
    json!({
        "name": "Billing IVR",
        "start": "greet",
        "blocks": {
            "greet": {"type": "play", "prompt": prompt, "next": "queue"},
            "queue": {"type": "transfer_to_queue", "queue": "Billing"}
        }
    })
}

/// Publishing completes in the background; poll the flow like a real client would. In-process on
/// paused time, the publish delay is on the emulator's clock, so the polling waits for nothing.
async fn wait_for_publish_in_process(client: &InProcess, flow_id: &str) -> Value {
    poll_until(&format!("publish of {flow_id}"), Duration::from_secs(5), || async {
        let (_, flow) = client.call("GET", &format!("/api/v2/flows/{flow_id}"), None).await;
        (flow["currentOperation"]["complete"] == true).then_some(flow)
    })
    .await
}

#[tokio::test(start_paused = true)]
async fn a_flow_is_saved_checked_in_and_published_through_an_operation() {
    let emulator = start_default().await;
    let client = InProcess::login(&emulator, "na-east-1").await;
    let org_id = emulator.credentials().org("na-east-1").expect("org").id.clone();
    let (status, flow) = client.call("POST", "/api/v2/flows", Some(json!({"name": "Billing IVR", "type": "inboundcall"}))).await;
    assert_eq!(status, 200, "{flow}");
    let flow_id = flow["id"].as_str().expect("id").to_string();
    assert_eq!(flow["type"], "INBOUNDCALL");
    assert!(flow["lockedClient"]["id"].is_string(), "a new flow is locked by its creator: {flow}");

    let (status, version) = client.call("POST", &format!("/api/v2/flows/{flow_id}/versions"), Some(definition("Hello"))).await;
    assert_eq!(status, 200, "{version}");
    assert_eq!(version["id"], "1.0");

    let (status, _) = client.call("POST", &format!("/api/v2/flows/actions/checkin?flow={flow_id}"), Some(json!({}))).await;
    assert_eq!(status, 200);
    let (_, after_checkin) = client.call("GET", &format!("/api/v2/flows/{flow_id}"), None).await;
    assert!(after_checkin.get("lockedClient").is_none());
    assert_eq!(after_checkin["checkedInVersion"]["id"], "1.0");
    // Saving now needs the lock again.
    let (status, refused) = client.call("POST", &format!("/api/v2/flows/{flow_id}/versions"), Some(definition("Hi"))).await;
    assert_eq!((status, refused["code"].as_str()), (409, Some("conflict")), "{refused}");

    let (status, operation) = client.call("POST", &format!("/api/v2/flows/actions/publish?flow={flow_id}"), Some(json!({}))).await;
    assert_eq!(status, 200);
    assert_eq!(operation["actionName"], "PUBLISH");
    assert_eq!(operation["complete"], false);
    let published = wait_for_publish_in_process(&client, &flow_id).await;
    assert_eq!(published["currentOperation"]["actionStatus"], "SUCCESS");
    assert_eq!(published["publishedVersion"]["id"], "1.0");
    assert_eq!(published["active"], true);

    let (_, configuration) = client.call("GET", &format!("/api/v2/flows/{flow_id}/versions/1.0/configuration"), None).await;
    assert_eq!(configuration["blocks"]["greet"]["prompt"], "Hello");
    // The store's lookup the contact-center runtime uses sees the published definition.
    let prompt = emulator.state().directory().with_org(&org_id, |org| {
        org.published_flow("Billing IVR").map(|(_, stored)| stored.definition.start.clone())
    });
    assert_eq!(prompt, Some(Some("greet".to_string())));

    let (_, by_type) = client.call("GET", "/api/v2/flows?type=INBOUNDCALL&name=Billing*", None).await;
    assert_eq!(by_type["total"], 1);
    let (_, none) = client.call("GET", "/api/v2/flows?type=WORKFLOW", None).await;
    assert_eq!(none["total"], 0);
}

#[tokio::test]
async fn a_flow_locked_by_another_owner_cannot_be_checked_out_or_published() {
    let emulator = start_default().await;
    let client = login(&emulator, "na-east-2").await;
    let flow_id = client.id_by_name("/api/v2/flows", "Main IVR").await;
    let lock = client.call(reqwest::Method::PATCH, &format!("/api/v2/flow/{flow_id}/lock"), Some(json!({"action": "acquire", "owner": "CI-CD-Pipeline"}))).await;
    assert_eq!(lock.status(), 200);
    let locked: Value = lock.json().await.expect("json");
    assert_eq!(locked["lockedUser"]["id"], "CI-CD-Pipeline");

    assert_error(client.post(&format!("/api/v2/flows/actions/checkout?flow={flow_id}"), json!({})).await, 409, "conflict").await;
    assert_error(client.post(&format!("/api/v2/flows/actions/publish?flow={flow_id}"), json!({})).await, 409, "conflict").await;

    assert_eq!(client.post(&format!("/api/v2/flows/actions/unlock?flow={flow_id}"), json!({})).await.status(), 200);
    let checkout = client.post(&format!("/api/v2/flows/actions/checkout?flow={flow_id}"), json!({})).await;
    assert_eq!(checkout.status(), 200);
    let revert = client.post(&format!("/api/v2/flows/actions/revert?flow={flow_id}"), json!({})).await;
    assert_eq!(revert.status(), 200);
    let deactivated: Value = client.post(&format!("/api/v2/flows/actions/deactivate?flow={flow_id}"), json!({})).await.json().await.expect("json");
    assert_eq!(deactivated["active"], false);
}

/// The emulator's flow checks are the model's graph rules (`model::validate::validate_graph`),
/// not a copy: a saved version naming a block it lacks is refused, and validation reports a flow
/// with no way out, which the emulator's own old check (start and successors exist) let through.
#[tokio::test(start_paused = true)]
async fn flow_checks_are_the_models_graph_rules() {
    let emulator = start_default().await;
    let client = InProcess::login(&emulator, "na-east-1").await;
    let (status, flow) = client.call("POST", "/api/v2/flows", Some(json!({"name": "Loop IVR", "type": "inboundcall"}))).await;
    assert_eq!(status, 200, "{flow}");
    let flow_id = flow["id"].as_str().expect("id").to_string();

    let dangling = json!({"name": "Loop IVR", "start": "greet", "blocks": {"greet": {"type": "play", "prompt": "Hi", "next": "nowhere"}}});
    let (status, refused) = client.call("POST", &format!("/api/v2/flows/{flow_id}/versions"), Some(dangling)).await;
    assert_eq!(status, 400, "{refused}");
    assert!(refused.to_string().contains("missing-block") && refused.to_string().contains("nowhere"), "{refused}");

    // Every name resolves, but the call can never leave: a graph error only the model knew.
    let endless = json!({"name": "Loop IVR", "start": "greet", "blocks": {
        "greet": {"type": "play", "prompt": "Hi", "next": "pause"},
        "pause": {"type": "wait", "duration_ms": 1000, "next": "greet"}
    }});
    let (status, saved) = client.call("POST", &format!("/api/v2/flows/{flow_id}/versions"), Some(endless)).await;
    assert_eq!(status, 200, "{saved}");
    let (status, validation) = client.call("POST", &format!("/api/v2/flow/{flow_id}/validate"), None).await;
    assert_eq!(status, 200, "{validation}");
    assert_eq!(validation["valid"], false, "{validation}");
    assert_eq!(validation["version"], saved["id"], "{validation}");
    assert!(validation["errors"].to_string().contains("no-terminal"), "{validation}");
}
