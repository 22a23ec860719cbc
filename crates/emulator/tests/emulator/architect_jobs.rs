//! Architect jobs at the HTTP level: the presigned upload is guarded by its signature and takes one
//! upload, jobs belong to their org, and strict mode leaves only the real flow path. In-process on
//! paused time: a job's processing delay is on the emulator's clock, so polling waits for nothing.

use super::support::*;
use serde_json::{Value, json};
use switchboard_emulator::EmulatorOptions;

const FLOW: &str = "name: Jobs Test IVR\nstart: bye\nblocks:\n  bye: {type: disconnect}\n";

async fn register(client: &InProcess) -> Value {
    let (status, job) = client.call("POST", "/api/v2/flows/jobs", Some(json!({}))).await;
    assert_eq!(status, 200, "{job}");
    job
}

async fn upload(client: &InProcess, url: &str, body: &str) -> (u16, Value) {
    client.upload("PUT", url, "application/octet-stream", body).await
}

/// Polls the job as a client does; on paused time the interval costs no wall-clock time.
async fn poll(client: &InProcess, id: &str) -> Value {
    poll_until(&format!("job {id} finishing"), std::time::Duration::from_secs(10), || async {
        let (_, job) = client.call("GET", &format!("/api/v2/flows/jobs/{id}?expand=messages"), None).await;
        (job["status"] == "Success" || job["status"] == "Failure").then_some(job)
    })
    .await
}

fn assert_refused((status, body): (u16, Value), expected: u16, code: &str) {
    assert_eq!((status, body["code"].as_str()), (expected, Some(code)), "{body}");
}

#[tokio::test(start_paused = true)]
async fn the_presigned_upload_needs_its_signature_and_takes_one_upload() {
    let emulator = start_default().await;
    let client = InProcess::login(&emulator, "na-east-1").await;
    let job = register(&client).await;
    let url = job["presignedUrl"].as_str().expect("presignedUrl");
    assert_eq!(job["headers"]["Content-Type"], "application/octet-stream");
    let id = job["id"].as_str().expect("id");

    let unsigned = url.split('?').next().unwrap_or_default();
    assert_refused(upload(&client, unsigned, FLOW).await, 403, "not.authorized");
    assert_refused(upload(&client, &format!("{unsigned}?X-Amz-Signature=forged"), FLOW).await, 403, "not.authorized");
    let (_, still_waiting) = client.call("GET", &format!("/api/v2/flows/jobs/{id}"), None).await;
    assert_eq!(still_waiting["status"], "Registered", "a refused upload starts nothing");

    assert_eq!(upload(&client, url, FLOW).await.0, 200);
    assert_refused(upload(&client, url, FLOW).await, 409, "conflict");
    let done = poll(&client, id).await;
    assert_eq!(done["status"], "Success", "{done}");
    assert_eq!(done["command"], "Publish");
    assert_eq!(done["flow"]["name"], "Jobs Test IVR");
    emulator.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn messages_come_with_expand_and_jobs_belong_to_their_org() {
    let emulator = start_default().await;
    let client = InProcess::login(&emulator, "na-east-1").await;
    let other = InProcess::login(&emulator, "eu-central-1").await;
    let job = register(&client).await;
    let id = job["id"].as_str().expect("id");
    let broken = "name: Broken\nstart: nowhere\nblocks:\n  bye: {type: disconnect}\n";
    assert_eq!(upload(&client, job["presignedUrl"].as_str().expect("url"), broken).await.0, 200);
    let failed = poll(&client, id).await;
    assert_eq!(failed["status"], "Failure");
    let messages = failed["messages"].as_array().expect("messages with expand=messages");
    assert!(messages.iter().all(|message| message["type"] == "Error" && message["text"].is_string()), "{messages:?}");
    assert!(messages.iter().any(|message| message["text"].as_str().unwrap_or_default().contains("nowhere")), "{messages:?}");
    let (_, plain) = client.call("GET", &format!("/api/v2/flows/jobs/{id}"), None).await;
    assert!(plain.get("messages").is_none(), "messages only with expand=messages: {plain}");
    assert_refused(other.call("GET", &format!("/api/v2/flows/jobs/{id}"), None).await, 404, "not.found");
    emulator.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn strict_mode_takes_flow_content_only_through_jobs() {
    let emulator = start(EmulatorOptions { strict: true, ..EmulatorOptions::default() }).await;
    let client = InProcess::login(&emulator, "na-east-1").await;
    let (_, flows) = client.call("GET", "/api/v2/flows?name=Main%20IVR", None).await;
    let flow_id = flows["entities"].as_array().and_then(|flows| flows.iter().find(|flow| flow["name"] == "Main IVR")).and_then(|flow| flow["id"].as_str()).expect("Main IVR").to_string();
    let (status, _) = client.call("POST", &format!("/api/v2/flows/{flow_id}/versions"), Some(json!({"name": "x", "start": "a", "blocks": {}}))).await;
    assert_eq!(status, 405, "saving our own format is an extension strict mode leaves out");
    let job = register(&client).await;
    assert_eq!(upload(&client, job["presignedUrl"].as_str().expect("url"), FLOW).await.0, 200);
    assert_eq!(poll(&client, job["id"].as_str().expect("id")).await["status"], "Success");
    emulator.shutdown().await;
}
