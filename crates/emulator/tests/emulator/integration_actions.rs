//! Data-action tests (`POST /api/v2/integrations/actions/{id}/test`) take the flows' execution
//! path: real latency, fault rules, the real `TestExecutionResult`; integration sessions opened by
//! flows close at flow end, leak for a keeping integration, and the seed's terminate closes them.

use super::contact_center::{LOOKUP_DID, control, place, start_center};
use super::support::*;
use serde_json::{Value, json};
use std::time::Instant;
use switchboard_api::integration::{IntegrationSessionList, TerminateResponse, TestExecutionResult};

async fn crm_action(client: &OrgClient) -> String {
    client.id_by_name("/api/v2/integrations/actions", "CRM").await
}

async fn run_test(client: &OrgClient, action: &str, inputs: Value) -> (TestExecutionResult, u128) {
    let started = Instant::now();
    let response = client.post(&format!("/api/v2/integrations/actions/{action}/test"), inputs).await;
    assert_eq!(response.status(), 200, "a test answers 200 whatever the endpoint did");
    let result = response.json().await.expect("TestExecutionResult");
    (result, started.elapsed().as_millis())
}

async fn fault(emulator: &switchboard_emulator::RunningEmulator, rule: Value) {
    assert_eq!(control(emulator, reqwest::Method::POST, "/_emulator/faults", Some(rule)).await.status(), 201);
}

#[tokio::test]
async fn a_test_call_reaches_the_endpoint_and_reports_every_step() {
    let emulator = start_center().await;
    let client = login(&emulator, "acme").await;
    let action = crm_action(&client).await;
    let (result, _) = run_test(&client, &action, json!({"phone": "+15551234567"})).await;
    assert!(result.success, "{result:?}");
    let names: Vec<&str> = result.operations.iter().map(|operation| operation.name.as_str()).collect();
    assert_eq!(names, ["Resolve request URL template", "Resolve request headers", "Execute request", "Resolve response"]);
    assert_eq!(result.operations.iter().map(|operation| operation.step).collect::<Vec<_>>(), [1, 2, 3, 4]);
    let final_result = result.final_result.as_ref().expect("finalResult");
    assert_eq!(final_result["phone"], "+15551234567", "{final_result}");
    let request = result.request_step().expect("Execute request step");
    assert_eq!(request.result.as_ref().map(|result| result["statusCode"].clone()), Some(json!(200)));

    // `flatten=true` gives the flow's view: dotted names, text values (here a flat object already).
    let flat: TestExecutionResult = client
        .post(&format!("/api/v2/integrations/actions/{action}/test?flatten=true"), json!({"phone": "+15551234567"}))
        .await
        .json()
        .await
        .expect("flattened result");
    assert_eq!(flat.final_result.as_ref().map(|result| result["phone"].clone()), Some(json!("+15551234567")));
    // The draft test takes the same path.
    let draft = client.post(&format!("/api/v2/integrations/actions/{action}/draft/test"), json!({"phone": "+15551234567"})).await;
    assert_eq!(draft.status(), 200);
}

#[tokio::test]
async fn a_test_call_takes_as_long_as_the_endpoint_and_fault_rules_apply() {
    let emulator = start_center().await;
    let client = login(&emulator, "acme").await;
    let action = crm_action(&client).await;
    fault(&emulator, json!({"path": "/crm/lookup", "latencyMs": 400, "count": 1})).await;
    let (slow, elapsed) = run_test(&client, &action, json!({"phone": "+15551234567"})).await;
    assert!(slow.success);
    let latency = slow.request_step().and_then(|step| step.result.as_ref()).and_then(|result| result["latencyMs"].as_u64()).expect("latencyMs");
    assert!(latency >= 400, "the injected latency is measured: {latency}");
    assert!(elapsed >= 400, "the answer waited for the endpoint: {elapsed} ms");

    fault(&emulator, json!({"path": "/crm/lookup", "status": 503, "count": 1})).await;
    let (failed, _) = run_test(&client, &action, json!({"phone": "+15551234567"})).await;
    assert!(!failed.success);
    let error = failed.error.as_ref().expect("error");
    assert_eq!(error.status, 503, "{error:?}");
    assert!(error.message.contains("REST call for action execute failed"), "{}", error.message);
    let request = failed.request_step().expect("Execute request step");
    assert!(!request.success);
    assert!(failed.final_result.is_none());
}

#[tokio::test]
async fn a_test_call_times_out_at_the_actions_timeout() {
    let emulator = start_center().await;
    let client = login(&emulator, "acme").await;
    let action = crm_action(&client).await;
    // The topology gives the action a 2 s timeout; the endpoint never answers.
    fault(&emulator, json!({"path": "/crm/lookup", "hang": true, "count": 1})).await;
    let (result, elapsed) = run_test(&client, &action, json!({"phone": "+15551234567"})).await;
    assert!(!result.success);
    assert_eq!(result.error.as_ref().map(|error| error.status), Some(504));
    assert!((2_000..10_000).contains(&elapsed), "ended at the action's timeout: {elapsed} ms");
}

#[tokio::test]
async fn bad_test_requests_are_4xx_naming_the_problem() {
    let emulator = start_center().await;
    let client = login(&emulator, "acme").await;
    assert_error(client.post("/api/v2/integrations/actions/nope/test", json!({})).await, 404, "not.found").await;
    let action = crm_action(&client).await;
    let body = assert_error(client.post(&format!("/api/v2/integrations/actions/{action}/test"), json!([1, 2])).await, 400, "invalid.value").await;
    assert!(body["message"].as_str().is_some_and(|message| message.contains("body")), "{body}");
    let bad_flag = client.post(&format!("/api/v2/integrations/actions/{action}/test?flatten=maybe"), json!({})).await;
    assert_eq!(bad_flag.status(), 400);
}

async fn sessions(emulator: &switchboard_emulator::RunningEmulator) -> IntegrationSessionList {
    control(emulator, reqwest::Method::GET, "/_emulator/integrations/sessions?org=acme", None).await.json().await.expect("session list")
}

#[tokio::test]
async fn sessions_close_at_flow_end_unless_the_integration_keeps_them_and_terminate_closes_those() {
    let emulator = start_center().await;
    let client = login(&emulator, "acme").await;
    let integration = client.id_by_name("/api/v2/integrations", "CRM").await;

    place(&emulator, LOOKUP_DID, json!({"ani": "+15551234567"})).await;
    let list = sessions(&emulator).await;
    let crm = list.integrations.iter().find(|counts| counts.integration_id == integration).expect("CRM sessions");
    assert_eq!((crm.opened, crm.terminated, crm.open), (1, 1, 0), "{crm:?}");

    // Middleware that keeps its connections: the flow ends, the session does not.
    let mut record = client.get_json(&format!("/api/v2/integrations/{integration}")).await;
    record["config"]["current"]["properties"]["terminateSessions"] = json!(false);
    assert_eq!(client.put(&format!("/api/v2/integrations/{integration}"), record).await.status(), 200);
    place(&emulator, LOOKUP_DID, json!({"ani": "+15551234567"})).await;
    place(&emulator, LOOKUP_DID, json!({"ani": "+15557654321"})).await;
    let list = sessions(&emulator).await;
    let crm = list.integrations.iter().find(|counts| counts.integration_id == integration).expect("CRM sessions");
    assert_eq!((crm.opened, crm.terminated, crm.open), (3, 1, 2), "two leaked: {crm:?}");

    let terminated: TerminateResponse =
        client.post(&format!("/api/v2/integrations/{integration}/terminate"), json!({})).await.json().await.expect("terminate answer");
    assert_eq!(terminated.terminated_now, 2);
    assert_eq!((terminated.sessions.opened, terminated.sessions.terminated, terminated.sessions.open), (3, 3, 0));
    let counts = client.get_json(&format!("/api/v2/integrations/{integration}/sessions")).await;
    assert_eq!((counts["opened"].as_u64(), counts["open"].as_u64()), (Some(3), Some(0)), "{counts}");
    assert_error(client.post("/api/v2/integrations/nope/terminate", json!({})).await, 404, "not.found").await;
    let unknown = client.post(&format!("/api/v2/integrations/{integration}/terminate"), json!({"conversation": "x"})).await;
    assert_eq!(unknown.status(), 400, "unknown fields are refused");
}

#[tokio::test]
async fn strict_mode_has_no_terminate_but_serves_the_real_test_call() {
    let emulator = start(switchboard_emulator::EmulatorOptions { strict: true, ..switchboard_emulator::EmulatorOptions::default() }).await;
    let client = login(&emulator, "na-east-1").await;
    let integrations = client.get_json("/api/v2/integrations").await;
    let integration = integrations["entities"][0]["id"].as_str().expect("an integration").to_string();
    assert_eq!(client.post(&format!("/api/v2/integrations/{integration}/terminate"), json!({})).await.status(), 404);
    assert_eq!(client.post(&format!("/api/v2/integrations/{integration}/healthcheck"), json!({})).await.status(), 404);
    assert_eq!(client.get(&format!("/api/v2/integrations/{integration}/sessions")).await.status(), 404);
    // The real API changes an integration with PATCH (and its configuration with PUT on
    // `config/current`); PUT on the integration itself is an extension strict mode does not serve.
    let refused = client.put(&format!("/api/v2/integrations/{integration}"), json!({"name": "Renamed"})).await;
    assert_eq!(refused.status(), 405);
    let body: serde_json::Value = refused.json().await.expect("a Genesys error body");
    assert_eq!(body["status"], 405, "{body}");
    assert_eq!(client.get_json(&format!("/api/v2/integrations/{integration}")).await["name"], integrations["entities"][0]["name"], "nothing changed");
    let patched = client.call(reqwest::Method::PATCH, &format!("/api/v2/integrations/{integration}"), Some(json!({"notes": "patched"}))).await;
    assert_eq!(patched.status(), 200);
    let actions = client.get_json("/api/v2/integrations/actions").await;
    let action = actions["entities"][0]["id"].as_str().expect("an action").to_string();
    let tested = client.post(&format!("/api/v2/integrations/actions/{action}/test"), json!({"phone": "+15551234567"})).await;
    assert_eq!(tested.status(), 200);
}
