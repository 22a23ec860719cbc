//! What the emulator sends on a tenant's behalf (data actions, health checks) and who may drive
//! its control surface: a tenant's endpoint never reaches `/_emulator/*` (it may reach the fake
//! CRM), the control surface wants its credential whoever asks, `--strict` serves none of it,
//! remote answers and health-check timeouts are bounded, and a data action resolves through the
//! integration it belongs to, whatever that is named.

use super::contact_center::{LOOKUP_DID, place, start_center};
use super::support::*;
use serde_json::{Value, json};
use switchboard_api::integration::TestExecutionResult;
use switchboard_emulator::EmulatorOptions;

/// An integration of `client`'s org whose endpoint is `url`, with one data action sending `method`.
async fn integration_with_action(client: &OrgClient, name: &str, url: &str, method: &str) -> (String, String) {
    let created: Value = client.post("/api/v2/integrations", json!({"name": name, "integrationType": {"id": "custom-rest-actions"}})).await.json().await.expect("integration");
    let integration = created["id"].as_str().expect("integration id").to_string();
    let configured = client.put(&format!("/api/v2/integrations/{integration}/config/current"), json!({"name": name, "version": 0, "properties": {"endpointUrl": url}})).await;
    assert!(configured.status().is_success(), "config: {}", configured.status());
    let action = json!({
        "name": format!("{name} action"),
        "integrationId": integration,
        "config": {"request": {"requestUrlTemplate": url, "requestType": method}, "timeoutSeconds": 5},
    });
    let created: Value = client.post("/api/v2/integrations/actions", action).await.json().await.expect("action");
    (integration, created["id"].as_str().expect("action id").to_string())
}

async fn queue_count(client: &OrgClient) -> u64 {
    client.get_json("/api/v2/routing/queues?pageSize=100").await["total"].as_u64().expect("total")
}

#[tokio::test]
async fn a_data_action_aimed_at_the_control_surface_cannot_wipe_another_org() {
    let emulator = start_default().await;
    let tenant = login(&emulator, "na-east-1").await;
    let victim = login(&emulator, "eu-central-1").await;
    assert_eq!(victim.post("/api/v2/routing/queues", json!({"name": "Victim's own"})).await.status(), 200);
    let before = queue_count(&victim).await;
    for host in [emulator.base_url(), format!("http://localhost:{}", emulator.addr().port())] {
        let (_, action) = integration_with_action(&tenant, &format!("Evil {}", host.len()), &format!("{host}/_emulator/reset?data=true"), "POST").await;
        let result: TestExecutionResult = tenant.post(&format!("/api/v2/integrations/actions/{action}/test"), json!({})).await.json().await.expect("result");
        assert!(!result.success, "{result:?}");
        let message = result.error.as_ref().map(|error| error.message.clone()).unwrap_or_default();
        assert!(message.contains("fake CRM"), "{message}");
    }
    assert_eq!(queue_count(&victim).await, before, "the other org's data is untouched");
    // The fake CRM on the emulator's own listener stays reachable.
    let (_, crm) = integration_with_action(&tenant, "Own CRM", &format!("{}/crm/status", emulator.base_url()), "GET").await;
    let result: TestExecutionResult = tenant.post(&format!("/api/v2/integrations/actions/{crm}/test"), json!({})).await.json().await.expect("result");
    assert!(result.success, "{result:?}");
}

#[tokio::test]
async fn the_control_surface_wants_its_credential_even_from_loopback() {
    let emulator = start_default().await;
    let victim = login(&emulator, "eu-central-1").await;
    assert_eq!(victim.post("/api/v2/routing/queues", json!({"name": "Kept"})).await.status(), 200);
    let before = queue_count(&victim).await;
    let url = format!("{}/_emulator/reset?data=true", emulator.base_url());
    let bare = reqwest::Client::new().post(&url).send().await.expect("answer");
    let body = assert_error(bare, 401, "authentication.required").await;
    assert!(body["message"].as_str().is_some_and(|message| message.contains("x-switchboard-control-token")), "{body}");
    let wrong = reqwest::Client::new().post(&url).header(switchboard_api::emulator::CONTROL_TOKEN_HEADER, "guess").send().await.expect("answer");
    assert_eq!(wrong.status(), 401);
    assert_eq!(queue_count(&victim).await, before);
    // The credential is never in the emulator's Debug output.
    let options = EmulatorOptions { control_token: Some(switchboard_emulator::ControlTokenOption("s3cret-token".into())), ..EmulatorOptions::default() };
    assert!(!format!("{options:?}").contains("s3cret-token"));
    let chosen = start(options).await;
    assert_eq!(chosen.control_token(), "s3cret-token");
    assert_eq!(chosen.control_client().get(format!("{}/_emulator/faults", chosen.base_url())).send().await.expect("answer").status(), 200);
}

#[tokio::test]
async fn a_strict_emulator_serves_no_control_route() {
    let emulator = start(EmulatorOptions { strict: true, ..EmulatorOptions::default() }).await;
    let control = emulator.control_client();
    for (method, path) in [
        (reqwest::Method::GET, "/_emulator/faults"),
        (reqwest::Method::POST, "/_emulator/reset"),
        (reqwest::Method::GET, "/_emulator/counters"),
        (reqwest::Method::POST, "/_emulator/calls"),
        (reqwest::Method::GET, "/_emulator/traffic"),
        (reqwest::Method::GET, "/_emulator/capacity"),
        (reqwest::Method::GET, "/_emulator/integrations/sessions"),
    ] {
        let answer = control.request(method.clone(), format!("{}{path}", emulator.base_url())).json(&json!({})).send().await.expect("answer");
        assert_eq!(answer.status(), 404, "{method} {path}");
    }
    assert_eq!(control.get(format!("{}/health", emulator.base_url())).send().await.expect("answer").status(), 200);
    assert_eq!(control.get(format!("{}/metrics", emulator.base_url())).send().await.expect("answer").status(), 200);
}

#[tokio::test]
async fn a_health_check_refuses_absurd_timeouts_and_the_control_surface() {
    let emulator = start_default().await;
    let client = login(&emulator, "na-east-2").await;
    let integration = client.id_by_name("/api/v2/integrations", "CRM Lookup").await;
    let path = format!("/api/v2/integrations/{integration}/healthcheck");
    let crm = format!("{}/crm/status", emulator.base_url());
    for timeout in [json!(0), json!(u64::MAX), json!(60_001)] {
        let body = assert_error(client.post(&path, json!({"endpointUrl": crm, "timeoutMs": timeout})).await, 400, "invalid.value").await;
        assert!(body["message"].as_str().is_some_and(|message| message.contains("timeoutMs")), "{body}");
    }
    let body = assert_error(client.post(&path, json!({"endpointUrl": crm, "expectedStatusCode": 9})).await, 400, "invalid.value").await;
    assert!(body["message"].as_str().is_some_and(|message| message.contains("expectedStatusCode")), "{body}");
    let reset = format!("{}/_emulator/reset?data=true", emulator.base_url());
    let body = assert_error(client.post(&path, json!({"endpointUrl": reset, "method": "POST"})).await, 400, "invalid.value").await;
    assert!(body["message"].as_str().is_some_and(|message| message.contains("endpointUrl")), "{body}");
    let healthy: Value = client.post(&path, json!({"endpointUrl": crm, "timeoutMs": 2000})).await.json().await.expect("json");
    assert_eq!(healthy["healthy"], true, "{healthy}");
}

/// A one-route server on loopback answering `body_bytes` bytes of JSON-ish text.
async fn big_answer(body_bytes: usize) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = axum::Router::new().route("/big", axum::routing::get(move || async move { "7".repeat(body_bytes) }));
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}/big"), server)
}

#[tokio::test]
async fn a_data_action_answer_over_the_limit_is_refused_not_buffered() {
    let emulator = start_default().await;
    let client = login(&emulator, "na-east-1").await;
    let (url, server) = big_answer(6 * 1024 * 1024).await;
    let (_, action) = integration_with_action(&client, "Huge", &url, "GET").await;
    let result: TestExecutionResult = client.post(&format!("/api/v2/integrations/actions/{action}/test"), json!({})).await.json().await.expect("result");
    assert!(!result.success, "{result:?}");
    let message = result.error.as_ref().map(|error| error.message.clone()).unwrap_or_default();
    assert!(message.contains("larger than"), "{message}");
    server.abort();
}

#[tokio::test]
async fn a_data_action_resolves_through_its_integration_whatever_it_is_named() {
    let emulator = start_center().await;
    let client = login(&emulator, "acme").await;
    // As deploy would name it: the flow still calls the action `CRM`, whose integration is renamed.
    let integration = client.id_by_name("/api/v2/integrations", "CRM").await;
    let renamed = client.call(reqwest::Method::PATCH, &format!("/api/v2/integrations/{integration}"), Some(json!({"name": "Acme CRM (sandbox)"}))).await;
    assert_eq!(renamed.status(), 200);
    let call = place(&emulator, LOOKUP_DID, json!({"ani": "+15550001234"})).await;
    let path = call.path.as_ref().expect("path");
    assert!(path.data_actions.iter().any(|attempt| attempt.outcome == "success"), "{:?}", path.data_actions);
    assert_eq!(path.terminal.as_ref().and_then(|terminal| terminal.queue.clone()).as_deref(), Some("Support"));
}

/// A loopback server whose one route redirects to `target`.
async fn redirecting_to(target: String) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = axum::Router::new().route("/hop", axum::routing::any(move || async move { axum::response::Redirect::temporary(&target) }));
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}/hop"), server)
}

#[tokio::test]
async fn a_redirect_onto_the_control_surface_is_refused_at_the_hop() {
    let emulator = start_default().await;
    let tenant = login(&emulator, "na-east-1").await;
    let victim = login(&emulator, "eu-central-1").await;
    assert_eq!(victim.post("/api/v2/routing/queues", json!({"name": "Still here"})).await.status(), 200);
    let before = queue_count(&victim).await;
    let (url, server) = redirecting_to(format!("{}/_emulator/reset?data=true", emulator.base_url())).await;
    let (_, action) = integration_with_action(&tenant, "Hopper", &url, "POST").await;
    let result: TestExecutionResult = tenant.post(&format!("/api/v2/integrations/actions/{action}/test"), json!({})).await.json().await.expect("result");
    assert!(!result.success, "{result:?}");
    assert_eq!(queue_count(&victim).await, before, "the other org's data is untouched");
    server.abort();
}
