//! The default topology is a working contact center: its IVR passes validation against what the
//! org holds, and a call on a default DID really looks the caller up in the built-in CRM.

use super::contact_center::control;
use super::support::*;
use serde_json::json;
use std::collections::BTreeSet;
use switchboard_api::traffic::PlacedCall;
use switchboard_model::flow::FlowDefinition;
use switchboard_model::validate::{Catalog, validate};

#[tokio::test]
async fn the_default_ivr_validates_and_a_call_runs_its_crm_lookup() {
    let emulator = start_default().await;
    let client = login(&emulator, "na-east-1").await;
    let flow_id = client.id_by_name("/api/v2/flows", "Main IVR").await;
    let flow = client.get_json(&format!("/api/v2/flows/{flow_id}")).await;
    let version = flow["publishedVersion"]["id"].as_str().expect("a published version").to_string();
    let configuration = client.get_json(&format!("/api/v2/flows/{flow_id}/versions/{version}/configuration")).await;
    let definition: FlowDefinition = serde_json::from_value(configuration).expect("our flow format");

    let names = |listing: serde_json::Value| -> BTreeSet<String> {
        listing["entities"].as_array().into_iter().flatten().filter_map(|entity| entity["name"].as_str().map(str::to_string)).collect()
    };
    let catalog = Catalog {
        integrations: Some(names(client.get_json("/api/v2/integrations").await)),
        queues: Some(names(client.get_json("/api/v2/routing/queues").await)),
        ..Catalog::default()
    };
    let diagnostics = validate(&definition, &catalog);
    assert!(diagnostics.is_empty(), "the default IVR is clean: {diagnostics:?}");

    let placed = control(&emulator, reqwest::Method::POST, "/_emulator/calls", Some(json!({"org": "na-east-1", "did": "+13175550000", "ani": "+15550000007"}))).await;
    assert_eq!(placed.status(), 201);
    let placed: PlacedCall = placed.json().await.expect("placed call");
    let call: PlacedCall = control(&emulator, reqwest::Method::GET, &format!("/_emulator/calls/{}?wait=flow", placed.conversation_id), None)
        .await
        .json()
        .await
        .expect("call body");
    let path = call.path.expect("the flow part is over");
    let lookup = path.data_actions.first().expect("the IVR called the CRM");
    assert_eq!((lookup.integration.as_str(), lookup.outcome.as_str()), ("CRM Lookup", "success"), "{lookup:?}");
    assert!(call.attributes.contains_key("Customer_Tier"), "the CRM's answer reached participant data: {:?}", call.attributes);
    emulator.shutdown().await;
}
