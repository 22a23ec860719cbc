//! Data tables: draft-04 schema with a string key, columns added but never removed; rows with
//! `showbrief`.

use super::support::*;
use serde_json::{Value, json};

fn schema(columns: &[(&str, &str)]) -> Value {
    let mut properties = json!({"key": {"type": "string", "title": "key"}});
    for (name, kind) in columns {
        properties[*name] = json!({"type": kind});
    }
    json!({"$schema": "http://json-schema.org/draft-04/schema#", "type": "object", "required": ["key"], "properties": properties})
}

#[tokio::test]
async fn columns_can_be_added_but_not_removed_and_rows_read_back() {
    let emulator = start_default().await;
    let client = login(&emulator, "eu-central-1").await;
    let missing_key = client.post("/api/v2/flows/datatables", json!({"name": "Bad", "schema": {"properties": {"x": {"type": "string"}}}})).await;
    assert_error(missing_key, 400, "invalid.value").await;

    let created = client.post("/api/v2/flows/datatables", json!({"name": "Deployment_Control", "schema": schema(&[("Active_Flow_ID", "string")])})).await;
    assert_eq!(created.status(), 200);
    let table: Value = created.json().await.expect("json");
    let path = format!("/api/v2/flows/datatables/{}", table["id"].as_str().expect("id"));

    let added = client.put(&path, json!({"name": "Deployment_Control", "schema": schema(&[("Active_Flow_ID", "string"), ("Traffic_Weight", "integer")])})).await;
    assert_eq!(added.status(), 200);
    let removed = client.put(&path, json!({"name": "Deployment_Control", "schema": schema(&[("Traffic_Weight", "integer")])})).await;
    let error = assert_error(removed, 400, "invalid.value").await;
    assert!(error["message"].as_str().expect("message").contains("Active_Flow_ID"), "{error}");
    let current = client.get_json(&path).await;
    assert!(current["schema"]["properties"]["Traffic_Weight"].is_object());

    let row = json!({"key": "Environment_State", "Active_Flow_ID": "blue", "Traffic_Weight": 5});
    assert_eq!(client.post(&format!("{path}/rows"), row.clone()).await.status(), 200);
    assert_error(client.post(&format!("{path}/rows"), row.clone()).await, 409, "conflict").await;
    let wrong_type = client.post(&format!("{path}/rows"), json!({"key": "x", "Traffic_Weight": "five"})).await;
    assert_error(wrong_type, 400, "invalid.value").await;

    let brief = client.get_json(&format!("{path}/rows")).await;
    assert_eq!(brief["entities"], json!([{"key": "Environment_State"}]));
    let full = client.get_json(&format!("{path}/rows?showbrief=false")).await;
    assert_eq!(full["entities"][0], row);
    let one = client.get_json(&format!("{path}/rows/Environment_State?showbrief=false")).await;
    assert_eq!(one["Traffic_Weight"], 5);

    let changed = client.put(&format!("{path}/rows/Environment_State"), json!({"Active_Flow_ID": "green", "Traffic_Weight": 100})).await;
    assert_eq!(changed.status(), 200);
    let live = emulator.state().directory().with_org(&client.org_id, |org| org.datatable_row("Deployment_Control", "Environment_State").cloned());
    assert_eq!(live.flatten().and_then(|row| row.get("Active_Flow_ID").cloned()), Some(json!("green")));
}
