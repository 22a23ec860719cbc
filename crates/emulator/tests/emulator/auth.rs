//! OAuth, bearer auth, token expiry and org scoping.

use super::support::*;
use serde_json::{Value, json};
use std::time::Duration;
use switchboard_emulator::EmulatorOptions;

#[tokio::test]
async fn tokens_are_issued_for_basic_and_form_credentials_and_checked() {
    let emulator = start_default().await;
    let base = emulator.base_url();
    let credentials = emulator.credentials().org("na-east-1").expect("org").clone();

    let form = reqwest::Client::new()
        .post(format!("{base}/oauth/token"))
        .form(&[("grant_type", "client_credentials"), ("client_id", &credentials.client_id), ("client_secret", &credentials.client_secret)])
        .send()
        .await
        .expect("send");
    assert_eq!(form.status(), 200);
    let body: Value = form.json().await.expect("json");
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 86_400);

    let wrong = token_response(&base, &credentials.client_id, "not-the-secret").await;
    assert_eq!(wrong.status(), 401);
    let wrong: Value = wrong.json().await.expect("json");
    assert_eq!(wrong["error"], "invalid_client");

    let no_token = reqwest::get(format!("{base}/api/v2/organizations/me")).await.expect("send");
    assert_error(no_token, 401, "authentication.required").await;
    let bogus = reqwest::Client::new().get(format!("{base}/api/v2/organizations/me")).bearer_auth("nope").send().await.expect("send");
    assert_error(bogus, 401, "bad.credentials").await;

    let client = login(&emulator, "na-east-1").await;
    let me = client.get_json("/api/v2/organizations/me").await;
    assert_eq!(me["name"], "na-east-1");
    assert_eq!(me["id"], credentials.id);
}

#[tokio::test]
async fn a_token_of_one_org_cannot_read_or_write_another_orgs_objects() {
    let emulator = start_default().await;
    let east = login(&emulator, "na-east-1").await;
    let europe = login(&emulator, "eu-central-1").await;
    let queue_id = east.id_by_name("/api/v2/routing/queues", "Support").await;

    assert_error(europe.get(&format!("/api/v2/routing/queues/{queue_id}")).await, 404, "not.found").await;
    let write = europe.put(&format!("/api/v2/routing/queues/{queue_id}"), json!({"name": "Hijacked"})).await;
    assert_error(write, 404, "not.found").await;
    let still = east.get_json(&format!("/api/v2/routing/queues/{queue_id}")).await;
    assert_eq!(still["name"], "Support");
    // Each org lists only its own queues.
    let europe_queues = europe.get_json("/api/v2/routing/queues").await;
    assert!(europe_queues["entities"].as_array().expect("entities").iter().all(|queue| queue["id"] != queue_id.as_str()));
}

#[tokio::test]
async fn the_org_tree_shows_a_parent_its_children_and_a_child_only_itself() {
    let emulator = start_default().await;
    let global = login(&emulator, "global").await;
    let tree = global.get_json("/api/v2/organizations").await;
    let names: Vec<&str> = tree["entities"].as_array().expect("entities").iter().filter_map(|org| org["name"].as_str()).collect();
    assert_eq!(names, ["global", "eu-central-1", "eu-central-2", "na-east-1", "na-east-2"]);
    let child = tree["entities"].as_array().expect("entities").iter().find(|org| org["name"] == "na-east-1").expect("child").clone();
    assert_eq!(child["parentOrgId"], global.org_id.as_str());
    assert_eq!(child["type"], "child");

    let east = login(&emulator, "na-east-1").await;
    let own = east.get_json("/api/v2/organizations").await;
    assert_eq!(own["total"], 1);
}

/// On paused time: the token lives exactly its lifetime on the emulator's clock, no sleeping.
#[tokio::test(start_paused = true)]
async fn an_expired_token_is_refused_with_401() {
    let options = EmulatorOptions { token_lifetime: Duration::from_secs(3_600), ..EmulatorOptions::default() };
    let emulator = start(options).await;
    let client = InProcess::login(&emulator, "global").await;
    assert_eq!(client.call("GET", "/api/v2/organizations/me", None).await.0, 200);
    tokio::time::advance(Duration::from_secs(3_599)).await;
    assert_eq!(client.call("GET", "/api/v2/organizations/me", None).await.0, 200, "still valid a second before expiry");
    tokio::time::advance(Duration::from_secs(1)).await;
    let (status, body) = client.call("GET", "/api/v2/organizations/me", None).await;
    assert_eq!((status, body["code"].as_str()), (401, Some("authentication.required")), "{body}");
}
