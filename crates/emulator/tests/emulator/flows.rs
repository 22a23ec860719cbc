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

async fn wait_for_publish(client: &OrgClient, flow_id: &str) -> Value {
    // Publishing completes in the background; poll the flow like a real client would.
    for _ in 0..100 {
        let flow = client.get_json(&format!("/api/v2/flows/{flow_id}")).await;
        if flow["currentOperation"]["complete"] == true {
            return flow;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("publish of {flow_id} did not complete");
}

#[tokio::test]
async fn a_flow_is_saved_checked_in_and_published_through_an_operation() {
    let emulator = start_default().await;
    let client = login(&emulator, "na-east-1").await;
    let created = client.post("/api/v2/flows", json!({"name": "Billing IVR", "type": "inboundcall"})).await;
    assert_eq!(created.status(), 200);
    let flow: Value = created.json().await.expect("json");
    let flow_id = flow["id"].as_str().expect("id").to_string();
    assert_eq!(flow["type"], "INBOUNDCALL");
    assert!(flow["lockedClient"]["id"].is_string(), "a new flow is locked by its creator: {flow}");

    let saved = client.post(&format!("/api/v2/flows/{flow_id}/versions"), definition("Hello")).await;
    assert_eq!(saved.status(), 200);
    let version: Value = saved.json().await.expect("json");
    assert_eq!(version["id"], "1.0");

    let checkin = client.post(&format!("/api/v2/flows/actions/checkin?flow={flow_id}"), json!({})).await;
    assert_eq!(checkin.status(), 200);
    let after_checkin = client.get_json(&format!("/api/v2/flows/{flow_id}")).await;
    assert!(after_checkin.get("lockedClient").is_none());
    assert_eq!(after_checkin["checkedInVersion"]["id"], "1.0");
    // Saving now needs the lock again.
    assert_error(client.post(&format!("/api/v2/flows/{flow_id}/versions"), definition("Hi")).await, 409, "conflict").await;

    let publish = client.post(&format!("/api/v2/flows/actions/publish?flow={flow_id}"), json!({})).await;
    assert_eq!(publish.status(), 200);
    let operation: Value = publish.json().await.expect("json");
    assert_eq!(operation["actionName"], "PUBLISH");
    assert_eq!(operation["complete"], false);
    let published = wait_for_publish(&client, &flow_id).await;
    assert_eq!(published["currentOperation"]["actionStatus"], "SUCCESS");
    assert_eq!(published["publishedVersion"]["id"], "1.0");
    assert_eq!(published["active"], true);

    let configuration = client.get_json(&format!("/api/v2/flows/{flow_id}/versions/1.0/configuration")).await;
    assert_eq!(configuration["blocks"]["greet"]["prompt"], "Hello");
    // The store's lookup the contact-center runtime uses sees the published definition.
    let prompt = emulator.state().with_org(&client.org_id, |org| {
        org.published_flow("Billing IVR").map(|(_, stored)| stored.definition.start.clone())
    });
    assert_eq!(prompt, Some(Some("greet".to_string())));

    let by_type = client.get_json("/api/v2/flows?type=INBOUNDCALL&name=Billing*").await;
    assert_eq!(by_type["total"], 1);
    let none = client.get_json("/api/v2/flows?type=WORKFLOW").await;
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
