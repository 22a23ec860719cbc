//! Architect jobs at the HTTP level: the presigned upload is guarded by its signature and takes one
//! upload, jobs belong to their org, and strict mode leaves only the real flow path.

use super::support::*;
use serde_json::{Value, json};
use switchboard_emulator::EmulatorOptions;

const FLOW: &str = "name: Jobs Test IVR\nstart: bye\nblocks:\n  bye: {type: disconnect}\n";

async fn register(client: &OrgClient) -> Value {
    let response = client.post("/api/v2/flows/jobs", json!({})).await;
    assert_eq!(response.status(), 200);
    response.json().await.expect("job registration body")
}

async fn upload(url: &str, body: &str) -> reqwest::Response {
    reqwest::Client::new()
        .put(url)
        .header("Content-Type", "application/octet-stream")
        .body(body.to_string())
        .send()
        .await
        .expect("upload reaches the emulator")
}

async fn poll(client: &OrgClient, id: &str) -> Value {
    for _ in 0..200 {
        let job = client.get_json(&format!("/api/v2/flows/jobs/{id}?expand=messages")).await;
        if job["status"] == "Success" || job["status"] == "Failure" {
            return job;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("job {id} did not finish");
}

#[tokio::test]
async fn the_presigned_upload_needs_its_signature_and_takes_one_upload() {
    let emulator = start_default().await;
    let client = login(&emulator, "na-east-1").await;
    let job = register(&client).await;
    let url = job["presignedUrl"].as_str().expect("presignedUrl");
    assert_eq!(job["headers"]["Content-Type"], "application/octet-stream");
    let id = job["id"].as_str().expect("id");

    let unsigned = url.split('?').next().unwrap_or_default();
    assert_error(upload(unsigned, FLOW).await, 403, "not.authorized").await;
    assert_error(upload(&format!("{unsigned}?X-Amz-Signature=forged"), FLOW).await, 403, "not.authorized").await;
    let still_waiting = client.get_json(&format!("/api/v2/flows/jobs/{id}")).await;
    assert_eq!(still_waiting["status"], "Registered", "a refused upload starts nothing");

    assert_eq!(upload(url, FLOW).await.status(), 200);
    assert_error(upload(url, FLOW).await, 409, "conflict").await;
    let done = poll(&client, id).await;
    assert_eq!(done["status"], "Success", "{done}");
    assert_eq!(done["command"], "Publish");
    assert_eq!(done["flow"]["name"], "Jobs Test IVR");
    emulator.shutdown().await;
}

#[tokio::test]
async fn messages_come_with_expand_and_jobs_belong_to_their_org() {
    let emulator = start_default().await;
    let client = login(&emulator, "na-east-1").await;
    let other = login(&emulator, "eu-central-1").await;
    let job = register(&client).await;
    let id = job["id"].as_str().expect("id");
    let broken = "name: Broken\nstart: nowhere\nblocks:\n  bye: {type: disconnect}\n";
    assert_eq!(upload(job["presignedUrl"].as_str().expect("url"), broken).await.status(), 200);
    let failed = poll(&client, id).await;
    assert_eq!(failed["status"], "Failure");
    let messages = failed["messages"].as_array().expect("messages with expand=messages");
    assert!(messages.iter().all(|message| message["type"] == "Error" && message["text"].is_string()), "{messages:?}");
    assert!(messages.iter().any(|message| message["text"].as_str().unwrap_or_default().contains("nowhere")), "{messages:?}");
    let plain = client.get_json(&format!("/api/v2/flows/jobs/{id}")).await;
    assert!(plain.get("messages").is_none(), "messages only with expand=messages: {plain}");
    assert_error(other.get(&format!("/api/v2/flows/jobs/{id}")).await, 404, "not.found").await;
    emulator.shutdown().await;
}

#[tokio::test]
async fn strict_mode_takes_flow_content_only_through_jobs() {
    let emulator = start(EmulatorOptions { strict: true, ..EmulatorOptions::default() }).await;
    let client = login(&emulator, "na-east-1").await;
    let flow_id = client.id_by_name("/api/v2/flows", "Main IVR").await;
    let saved = client.post(&format!("/api/v2/flows/{flow_id}/versions"), json!({"name": "x", "start": "a", "blocks": {}})).await;
    assert_eq!(saved.status(), 405, "saving our own format is an extension strict mode leaves out");
    let job = register(&client).await;
    assert_eq!(upload(job["presignedUrl"].as_str().expect("url"), FLOW).await.status(), 200);
    assert_eq!(poll(&client, job["id"].as_str().expect("id")).await["status"], "Success");
    emulator.shutdown().await;
}
