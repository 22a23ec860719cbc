//! `state_dir`: what was written survives a restart.

use super::support::*;
use serde_json::json;
use switchboard_emulator::EmulatorOptions;

#[tokio::test]
async fn a_restart_with_the_same_state_dir_keeps_state() {
    let dir = TempDir::new("restart");
    let options = EmulatorOptions { state_dir: Some(dir.0.clone()), ..EmulatorOptions::default() };
    let first = start(options.clone()).await;
    let client = login(&first, "na-east-1").await;
    let created = client.post("/api/v2/routing/queues", json!({"name": "Persisted"})).await;
    assert_eq!(created.status(), 200);
    let credentials = first.credentials().clone();
    first.shutdown().await;

    let second = start(options).await;
    assert_eq!(second.credentials(), &credentials, "credentials come back from the saved state");
    let client = login(&second, "na-east-1").await;
    let queues = client.get_json("/api/v2/routing/queues?name=Persisted").await;
    assert_eq!(queues["total"], 1);
    second.shutdown().await;
}

#[tokio::test]
async fn a_corrupt_state_file_is_reported_with_its_path() {
    let dir = TempDir::new("corrupt");
    std::fs::write(dir.0.join("emulator-state.json"), "{not json").expect("write");
    let options = EmulatorOptions { state_dir: Some(dir.0.clone()), ..EmulatorOptions::default() };
    let error = switchboard_emulator::spawn(options).await.err().expect("refuses corrupt state");
    let message = error.to_string();
    assert!(message.contains("emulator-state.json") && message.contains("line 1"), "{message}");
}

#[tokio::test]
async fn a_state_database_that_is_not_one_is_reported_with_its_path() {
    let dir = TempDir::new("not-sqlite");
    std::fs::write(dir.0.join("emulator-state.sqlite3"), "this is not a database, it is text padded out to a page ".repeat(40)).expect("write");
    let options = EmulatorOptions { state_dir: Some(dir.0.clone()), ..EmulatorOptions::default() };
    let error = switchboard_emulator::spawn(options).await.err().expect("refuses a corrupt database");
    assert!(error.to_string().contains("emulator-state.sqlite3"), "{error}");
}

/// A delete is saved too: the queue stays gone after a restart.
#[tokio::test]
async fn a_delete_survives_a_restart() {
    let dir = TempDir::new("delete");
    let options = EmulatorOptions { state_dir: Some(dir.0.clone()), ..EmulatorOptions::default() };
    let first = start(options.clone()).await;
    let client = login(&first, "na-east-1").await;
    let queues = client.get_json("/api/v2/routing/queues?name=Sales").await;
    let id = queues["entities"][0]["id"].as_str().expect("Sales queue").to_string();
    let deleted = client.call(reqwest::Method::DELETE, &format!("/api/v2/routing/queues/{id}"), None).await;
    assert!(deleted.status().is_success(), "{}", deleted.status());
    drop(first);

    let second = start(options).await;
    let client = login(&second, "na-east-1").await;
    let queues = client.get_json("/api/v2/routing/queues?name=Sales").await;
    assert_eq!(queues["total"], 0, "the deleted queue stays deleted");
    let queues = client.get_json("/api/v2/routing/queues?name=Support").await;
    assert_eq!(queues["total"], 1, "the others are still there");
    second.shutdown().await;
}

/// Integrations that point at the emulator's own CRM follow it to a new port after a restart.
#[tokio::test]
async fn own_crm_endpoints_follow_the_emulator_to_a_new_port() {
    let dir = TempDir::new("crm-port");
    let options = EmulatorOptions { state_dir: Some(dir.0.clone()), ..EmulatorOptions::default() };
    let first = start(options.clone()).await;
    let first_base = first.base_url();
    first.shutdown().await;

    let second = start(options).await;
    assert_ne!(second.base_url(), first_base, "ephemeral ports differ");
    let client = login(&second, "na-east-1").await;
    let integrations = client.get_json("/api/v2/integrations").await;
    let id = integrations["entities"][0]["id"].as_str().expect("an integration").to_string();
    let integration = client.get_json(&format!("/api/v2/integrations/{id}?expand=config.current")).await;
    let endpoint = integration.to_string();
    assert!(endpoint.contains(&format!("{}/crm/lookup", second.base_url())), "points at the new port: {endpoint}");
    assert!(!endpoint.contains(&first_base), "no trace of the old port: {endpoint}");
    second.shutdown().await;
}

#[tokio::test]
async fn oauth_clients_seats_and_licences_survive_a_restart() {
    let dir = TempDir::new("capacity");
    let options = EmulatorOptions { state_dir: Some(dir.0.clone()), ..EmulatorOptions::default() };
    let first = start(options.clone()).await;
    let client = login(&first, "na-east-1").await;
    let created: serde_json::Value =
        client.post("/api/v2/oauth/clients", json!({"name": "kept", "authorizedGrantType": "CLIENT-CREDENTIALS"})).await.json().await.expect("client");
    let (id, secret) = (created["id"].as_str().expect("id").to_string(), created["secret"].as_str().expect("secret").to_string());
    let capacity = first
        .control_client()
        .put(format!("{}/_emulator/capacity", first.base_url()))
        .json(&json!({"org": "na-east-1", "seats": {"wem": 2}, "limits": {"platform.api": {"client.credentials.token.rate.per.minute": 55}}}))
        .send()
        .await
        .expect("capacity");
    assert_eq!(capacity.status(), 200);
    let users = client.get_json("/api/v2/license/users").await;
    let user = users["entities"][0]["id"].as_str().expect("a user").to_string();
    let assigned = client.post("/api/v2/license/organization", json!({"assignments": [{"licenseId": "wem", "userIdsAdd": [user]}]})).await;
    assert_eq!(assigned.status(), 200);
    first.shutdown().await;

    let second = start(options).await;
    let token = token_response(&second.base_url(), &id, &secret).await;
    assert_eq!(token.status(), 200, "the created client still gets tokens");
    let client = login(&second, "na-east-1").await;
    let holder = client.get_json(&format!("/api/v2/license/users/{user}")).await;
    assert_eq!(holder["licenses"].as_array().map(Vec::len), Some(2), "{holder}");
    let limits = client.get_json("/api/v2/organizations/limits/namespaces/platform.api").await;
    assert_eq!(limits["entities"][0]["value"], 55, "{limits}");
    let seats = client.get_json("/api/v2/license/organization").await;
    let wem = seats["licenses"].as_array().and_then(|all| all.iter().find(|seats| seats["id"] == "wem").cloned()).expect("wem seats");
    assert_eq!((wem["seats"].as_u64(), wem["assigned"].as_u64()), (Some(2), Some(1)));
    second.shutdown().await;
}
