//! The real paging envelope, walked to the end; the users bulk read by id.

use super::support::*;
use serde_json::json;

#[tokio::test]
async fn queues_page_with_the_real_envelope_and_links() {
    let emulator = start_default().await;
    let client = login(&emulator, "na-east-2").await;
    for name in ["Retention", "Collections"] {
        let created = client.post("/api/v2/routing/queues", json!({"name": name})).await;
        assert_eq!(created.status(), 200);
    }
    let first = client.get_json("/api/v2/routing/queues?pageSize=2&name=*").await;
    assert_eq!(first["pageSize"], 2);
    assert_eq!(first["pageNumber"], 1);
    assert_eq!(first["total"], 5);
    assert_eq!(first["pageCount"], 3);
    assert_eq!(first["selfUri"], "/api/v2/routing/queues?pageSize=2&pageNumber=1&name=*");
    assert_eq!(first["nextUri"], "/api/v2/routing/queues?pageSize=2&pageNumber=2&name=*");
    assert_eq!(first["lastUri"], "/api/v2/routing/queues?pageSize=2&pageNumber=3&name=*");
    assert!(first.get("previousUri").is_none());

    let mut names = Vec::new();
    let mut next = Some("/api/v2/routing/queues?pageSize=2".to_string());
    while let Some(path) = next {
        let page = client.get_json(&path).await;
        for queue in page["entities"].as_array().expect("entities") {
            names.push(queue["name"].as_str().expect("name").to_string());
        }
        next = page["nextUri"].as_str().map(str::to_string);
    }
    assert_eq!(names, ["Billing", "Collections", "Retention", "Sales", "Support"]);

    let last = client.get_json("/api/v2/routing/queues?pageSize=2&pageNumber=3").await;
    assert_eq!(last["entities"].as_array().expect("entities").len(), 1);
    assert_eq!(last["previousUri"], "/api/v2/routing/queues?pageSize=2&pageNumber=2");
    assert!(last.get("nextUri").is_none());

    assert_error(client.get("/api/v2/routing/queues?pageSize=0").await, 400, "invalid.value").await;
}

#[tokio::test]
async fn users_are_read_in_bulk_by_id_with_their_state() {
    let emulator = start_default().await;
    let client = login(&emulator, "na-east-2").await;
    let all = client.get_json("/api/v2/users?pageSize=100").await;
    let ids: Vec<String> = all["entities"].as_array().expect("entities").iter().filter_map(|user| user["id"].as_str().map(str::to_string)).collect();
    assert!(ids.len() >= 3, "{ids:?}");
    // The real API's bulk read: repeated `id`, unknown ids left out, the state expanded.
    let path = format!("/api/v2/users?pageSize=100&id={}&id={}&id=no-such-user&expand=presence,routingStatus", ids[0], ids[2]);
    let bulk = client.get_json(&path).await;
    let mut found: Vec<String> = bulk["entities"].as_array().expect("entities").iter().filter_map(|user| user["id"].as_str().map(str::to_string)).collect();
    found.sort();
    let mut wanted = vec![ids[0].clone(), ids[2].clone()];
    wanted.sort();
    assert_eq!(found, wanted);
    for user in bulk["entities"].as_array().expect("entities") {
        assert!(user["presence"]["presenceDefinition"].is_object(), "{user}");
        assert!(user["routingStatus"]["status"].is_string(), "{user}");
    }
    // Comma-separated ids read the same.
    let joined = client.get_json(&format!("/api/v2/users?id={},{}", ids[0], ids[2])).await;
    assert_eq!(joined["total"], 2);
}
