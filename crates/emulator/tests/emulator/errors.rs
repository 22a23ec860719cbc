//! Bad input: malformed bodies get the Genesys 400, bad topology files name file:line:column.

use super::support::*;
use switchboard_emulator::{EmulatorError, load_topology};

#[tokio::test]
async fn malformed_json_is_a_400_with_a_genesys_body() {
    let emulator = start_default().await;
    let client = login(&emulator, "na-east-1").await;
    let response = client
        .http
        .post(format!("{}/api/v2/routing/queues", client.base))
        .bearer_auth(&client.token)
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .expect("send");
    assert_error(response, 400, "bad.request").await;
    let wrong_shape = client.post("/api/v2/routing/queues", serde_json::json!({"name": 5})).await;
    assert_error(wrong_shape, 400, "bad.request").await;
    assert_error(client.get("/api/v2/nothing/here").await, 404, "not.found").await;
}

#[test]
fn bad_topology_yaml_names_file_line_and_column() {
    let text = "orgs:\n  - name: global\n    queues:\n      - name: Sales\n        colour: blue\n";
    match load_topology(text, "topology.yaml") {
        Err(EmulatorError::Topology { file, line, .. }) => {
            assert_eq!(file, "topology.yaml");
            assert_eq!(line, 5);
        }
        other => panic!("expected a located topology error, got {other:?}"),
    }
    let dangling = "orgs:\n  - name: child\n    parent: nobody\n";
    let error = load_topology(dangling, "t.yaml").expect_err("unknown parent");
    assert!(error.to_string().contains("parent `nobody`"), "{error}");
}

#[test]
fn a_valid_topology_loads_and_seeds_its_orgs() {
    let text = "orgs:\n  - name: hq\n  - name: branch\n    parent: hq\n    queues: [{name: Desk}]\n    users: [{name: Ann, queues: [Desk], on_queue: true}]\n";
    let topology = load_topology(text, "t.yaml").expect("valid");
    assert_eq!(topology.orgs.len(), 2);
    assert_eq!(topology.orgs[1].users[0].queues, ["Desk"]);
}
