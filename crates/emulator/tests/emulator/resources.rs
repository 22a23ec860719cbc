//! The remaining resources: presence and routing status, queue members, DIDs through IVRs,
//! the health check that really calls its endpoint, usage, strategies, health and metrics.

use super::support::*;
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn presence_and_routing_status_move_together_and_show_on_queue_members() {
    let emulator = start_default().await;
    let client = login(&emulator, "eu-central-2").await;
    let user_id = client.id_by_name("/api/v2/users", "Agent 5 (eu-central-2)").await;
    let status = client.get_json(&format!("/api/v2/users/{user_id}/routingstatus")).await;
    assert_eq!(status["status"], "OFF_QUEUE", "agent 5 starts off queue");

    let on_queue = client.get_json("/api/v2/presencedefinitions?pageSize=25").await["entities"]
        .as_array()
        .expect("entities")
        .iter()
        .find(|definition| definition["systemPresence"] == "On Queue")
        .expect("On Queue")["id"]
        .clone();
    let changed = client
        .call(Method::PATCH, &format!("/api/v2/users/{user_id}/presences/PURECLOUD"), Some(json!({"presenceDefinition": {"id": on_queue}})))
        .await;
    assert_eq!(changed.status(), 200);
    assert_eq!(client.get_json(&format!("/api/v2/users/{user_id}/routingstatus")).await["status"], "IDLE");

    let put = client.put(&format!("/api/v2/users/{user_id}/routingstatus"), json!({"status": "OFF_QUEUE"})).await;
    assert_eq!(put.status(), 200);
    let presence = client.get_json(&format!("/api/v2/users/{user_id}/presences/PURECLOUD")).await;
    assert_eq!(presence["presenceDefinition"]["systemPresence"], "Available");
    assert_error(client.put(&format!("/api/v2/users/{user_id}/routingstatus"), json!({"status": "NAPPING"})).await, 400, "invalid.value").await;

    let queues = client.get_json(&format!("/api/v2/users/{user_id}/queues")).await;
    let queue_id = queues["entities"][0]["id"].as_str().expect("queue id").to_string();
    let members = client.get_json(&format!("/api/v2/routing/queues/{queue_id}/members?pageSize=100")).await;
    let member = members["entities"].as_array().expect("entities").iter().find(|member| member["id"] == user_id.as_str()).expect("member").clone();
    assert_eq!(member["routingStatus"]["status"], "OFF_QUEUE");
    // The real member listing pages by links only (no `total`); one page of 100 holds them all.
    assert!(members.get("total").is_none() && members.get("nextUri").is_none(), "{members}");
    let member_count = members["entities"].as_array().map(|entities| entities.len() as u64);
    let queue = client.get_json(&format!("/api/v2/routing/queues/{queue_id}")).await;
    assert_eq!(queue["memberCount"].as_u64(), member_count);

    let removed = client.post(&format!("/api/v2/routing/queues/{queue_id}/members?delete=true"), json!([{"id": user_id}])).await;
    assert_eq!(removed.status(), 200);
    let after = client.get_json(&format!("/api/v2/routing/queues/{queue_id}")).await;
    assert_eq!(after["memberCount"].as_u64(), member_count.map(|count| count - 1));
}

#[tokio::test]
async fn an_ivr_maps_its_numbers_to_a_flow_and_owns_their_dids() {
    let emulator = start_default().await;
    let client = login(&emulator, "na-east-1").await;
    let flow_id = client.id_by_name("/api/v2/flows", "Main IVR").await;
    let created = client
        .post("/api/v2/architect/ivrs", json!({"name": "Hotline", "dnis": ["+13175559999"], "openHoursFlow": {"id": flow_id}}))
        .await;
    assert_eq!(created.status(), 200);
    let dids = client.get_json("/api/v2/telephony/providers/edges/dids?phoneNumber=%2B13175559999").await;
    assert_eq!(dids["total"], 1);
    assert_eq!(dids["entities"][0]["ownerType"], "IVR_CONFIG", "the real DID ownerType enum");
    let taken = client.post("/api/v2/architect/ivrs", json!({"name": "Clash", "dnis": ["+1 317 555 9999"]})).await;
    assert_error(taken, 400, "invalid.value").await;
    let routed = emulator.state().directory().with_org(&client.org_id, |org| org.flow_for_number("+1 (317) 555-9999").map(|record| record.flow.name.clone()));
    assert_eq!(routed, Some(Some("Main IVR".to_string())));
}

#[tokio::test]
async fn the_healthcheck_calls_the_endpoint_and_usage_counts_requests() {
    let emulator = start_default().await;
    let client = login(&emulator, "na-east-2").await;
    let integration_id = client.id_by_name("/api/v2/integrations", "CRM Lookup").await;
    let path = format!("/api/v2/integrations/{integration_id}/healthcheck");
    let healthy: Value = client
        .post(&path, json!({"endpointUrl": format!("{}/crm/status", client.base), "expectedStatusCode": 200, "timeoutMs": 2000}))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(healthy["healthy"], true, "{healthy}");
    assert_eq!(healthy["statusCode"], 200);
    let unhealthy: Value = client
        .post(&path, json!({"endpointUrl": format!("{}/crm/status", client.base), "expectedStatusCode": 204}))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(unhealthy["healthy"], false);
    // A closed port: unhealthy with an error, not a 500.
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let closed: Value =
        client.post(&path, json!({"endpointUrl": format!("http://127.0.0.1:{closed_port}/status")})).await.json().await.expect("json");
    assert_eq!(closed["healthy"], false);
    assert!(closed["error"].is_string(), "{closed}");

    let sessions = client.get_json("/api/v2/usage/sessions/current").await;
    assert_eq!(sessions["total"], 100);
    assert_eq!(sessions["used"].as_u64().expect("used") + sessions["available"].as_u64().expect("available"), 100);

    let execution = client.post("/api/v2/usage/query", json!({"interval": "2024-01-01T00:00:00Z/2030-01-01T00:00:00Z"})).await;
    assert_eq!(execution.status(), 202);
    let execution: Value = execution.json().await.expect("json");
    let results = client.get_json(execution["resultsUri"].as_str().expect("resultsUri")).await;
    assert_eq!(results["queryStatus"], "Complete");
    let healthchecks: u64 = results["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|row| row["templateUri"] == "api/v2/integrations/{id}/healthcheck")
        .map(|row| row["requests"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(healthchecks, 3);
}

#[tokio::test]
async fn strategies_keep_weighted_targets_and_metrics_and_health_are_served() {
    let emulator = start_default().await;
    let client = login(&emulator, "global").await;
    let created = client
        .post("/api/v2/routing/strategies", json!({"name": "Canary", "settings": {"enabled": true}, "targets": [
            {"type": "Queue", "id": "blue", "weight": 95, "priority": 1},
            {"type": "Queue", "id": "green", "weight": 5, "priority": 1}
        ]}))
        .await;
    assert_eq!(created.status(), 200);
    let strategy: Value = created.json().await.expect("json");
    let path = format!("/api/v2/routing/strategies/{}", strategy["id"].as_str().expect("id"));
    let patched = client.call(Method::PATCH, &path, Some(json!({"targets": [{"type": "Queue", "id": "green", "weight": 100, "priority": 1}]}))).await;
    assert_eq!(patched.status(), 200);
    assert_eq!(client.get_json(&path).await["targets"][0]["weight"], 100);

    let health: Value = reqwest::get(format!("{}/health", client.base)).await.expect("send").json().await.expect("json");
    assert_eq!(health["ready"], true);
    let metrics = reqwest::get(format!("{}/metrics", client.base)).await.expect("send").text().await.expect("text");
    assert!(metrics.contains("switchboard_emulator_http_requests_total{route=\"/api/v2/routing/strategies/{id}\",method=\"PATCH\",status=\"200\"} 1"), "{metrics}");
}
