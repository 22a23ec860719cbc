//! One org never waits on another (issue 17): an Architect upload is parsed and validated under
//! no lock, writes are ordered per org, and a request that waits on an endpoint the caller chose
//! holds no lock at all. Each test proves it by behaviour: the other org's request finishes while
//! the first org's slow work is provably still pending (a job still `Started`, a health check
//! whose endpoint has accepted the connection and never answers), never by timing.

use super::support::*;
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;

/// An Archy flow of `count` unnamed actions (the importer names each repeat).
fn unnamed_actions(name: &str, count: usize) -> String {
    let mut text = format!("inboundCall:\n  name: {name}\n  startUpRef: ./tasks/task[t]\n  tasks:\n    - task:\n        name: Main\n        refId: t\n        actions:\n");
    for _ in 0..count {
        text.push_str("          - playAudio:\n              audio:\n                tts: hi\n");
    }
    text.push_str("          - disconnect:\n              name: D\n");
    text
}

/// Registers a publish job and uploads `content` to its presigned URL; returns the job id.
async fn upload(client: &OrgClient, content: String) -> String {
    let job = client.post("/api/v2/flows/jobs", json!({})).await.json::<Value>().await.expect("job");
    let url = job["presignedUrl"].as_str().expect("presignedUrl");
    let uploaded = client.http.put(url).header("content-type", "application/octet-stream").body(content).send().await.expect("upload");
    assert_eq!(uploaded.status(), 200);
    job["id"].as_str().expect("id").to_string()
}

async fn job_status(client: &OrgClient, id: &str) -> Value {
    client.get_json(&format!("/api/v2/flows/jobs/{id}?expand=messages")).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_upload_is_accepted_while_another_org_reads_and_publishes() {
    let emulator = start_default().await;
    let heavy = login(&emulator, "na-east-1").await;
    let other = login(&emulator, "na-east-2").await;
    let large = upload(&heavy, unnamed_actions("Large", switchboard_model::limits::FLOW_BLOCKS_MAX - 10)).await;
    let small = upload(&other, unnamed_actions("Small", 1)).await;
    // The other org's GETs answer and its small job finishes while the large one is still being
    // checked; with the check under the store's write lock, both waited for it.
    let seen_while_large_pending = poll_until("the small job", Duration::from_secs(120), || async {
        assert_eq!(other.get("/api/v2/routing/queues").await.status(), 200);
        let small_job = job_status(&other, &small).await;
        if small_job["status"] == "Started" {
            return None;
        }
        Some((small_job, job_status(&heavy, &large).await["status"].clone()))
    })
    .await;
    assert_eq!(seen_while_large_pending.0["status"], "Success", "{}", seen_while_large_pending.0);
    assert_eq!(seen_while_large_pending.1, "Started", "the small job finished while the large one was pending");
    let done = poll_until("the large job", Duration::from_secs(120), || async {
        let job = job_status(&heavy, &large).await;
        (job["status"] != "Started").then_some(job)
    })
    .await;
    assert_eq!(done["status"], "Success", "a flow within the block limit is accepted: {done}");
    emulator.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn uploads_past_a_parser_limit_fail_naming_the_limit() {
    let emulator = start_default().await;
    let client = InProcess::login(&emulator, "na-east-1").await;
    let limit = switchboard_model::limits::FLOW_BLOCKS_MAX;
    let placeholders = format!("inboundCall:\n  name: \"{}\"\n", "{{p}}".repeat(switchboard_model::limits::PLACEHOLDERS_MAX + 1));
    let members = format!(
        "inboundCall:\n  name: M\n  startUpRef: ./tasks/task[t]\n  tasks:\n    - task:\n        name: Main\n        refId: t\n        actions:\n          - updateData:\n              name: U\n              statements:\n                - string:\n                    variable: Flow.x\n                    value:\n                      exp: \"Flow.y{}\"\n          - disconnect:\n              name: D\n",
        ".a".repeat(switchboard_model::limits::NAME_PARTS_MAX)
    );
    let cases = [
        (unnamed_actions("Huge", limit + 1), format!("at most {limit} blocks")),
        (placeholders, "substitution placeholders".to_string()),
        (members, "dotted parts".to_string()),
    ];
    for (content, expected) in cases {
        let (status, job) = client.call("POST", "/api/v2/flows/jobs", Some(json!({}))).await;
        assert_eq!(status, 200, "{job}");
        let url = job["presignedUrl"].as_str().expect("presignedUrl");
        assert_eq!(client.upload("PUT", url, "application/octet-stream", &content).await.0, 200);
        let id = job["id"].as_str().expect("id").to_string();
        let done = poll_until("the job", Duration::from_secs(60), || async {
            let (_, job) = client.call("GET", &format!("/api/v2/flows/jobs/{id}?expand=messages"), None).await;
            (job["status"] != "Started").then_some(job)
        })
        .await;
        assert_eq!(done["status"], "Failure", "{done}");
        let messages = done["messages"].to_string();
        assert!(messages.contains(&expected), "expected `{expected}` in {}", &messages[..messages.len().min(400)]);
    }
    emulator.shutdown().await;
}

/// A listener that accepts connections and never answers; sends on `accepted` per connection.
async fn hanging_endpoint() -> (String, tokio::sync::mpsc::Receiver<()>, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/hangs", listener.local_addr().expect("address"));
    let (sender, accepted) = tokio::sync::mpsc::channel(8);
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
            let _ = sender.send(()).await;
        }
    });
    (url, accepted, task)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_health_check_and_a_conditional_write_hold_no_other_org() {
    let emulator = start_default().await;
    let slow = login(&emulator, "na-east-1").await;
    let other = login(&emulator, "na-east-2").await;
    let (url, mut accepted, endpoint) = hanging_endpoint().await;
    let integration = slow.get_json("/api/v2/integrations").await["entities"][0]["id"].as_str().expect("an integration").to_string();
    let check_path = format!("/api/v2/integrations/{integration}/healthcheck");
    // The longest timeout a health check may ask for (`emulator::limits`): it outlasts the test.
    let check_body = json!({"endpointUrl": url, "method": "GET", "timeoutMs": 60_000});
    let mut slow_check = {
        let client = OrgClient { base: slow.base.clone(), token: slow.token.clone(), http: reqwest::Client::new(), org_id: slow.org_id.clone() };
        tokio::spawn(async move { client.post(&check_path, check_body).await.status() })
    };
    // The barrier: the emulator's health check has reached the endpoint, which never answers. A
    // check that is answered instead (refused, say) fails the test rather than hanging it.
    tokio::select! {
        connected = accepted.recv() => connected.expect("the health check connects"),
        answered = &mut slow_check => panic!("the health check was answered before it reached the endpoint: {answered:?}"),
    }

    // A conditional write of the same org does not wait for the pending health check...
    let queue_id = slow.id_by_name("/api/v2/routing/queues", "Sales").await;
    let queue_path = format!("/api/v2/routing/queues/{queue_id}");
    let mut queue = slow.get_json(&queue_path).await;
    queue["description"] = json!("changed while a health check hangs");
    let request = slow.http.put(format!("{}{queue_path}", slow.base)).bearer_auth(&slow.token).header("if-match", "*").json(&queue);
    let conditional = tokio::spawn(async move { request.send().await.map(|response| response.status().as_u16()) });
    // ...and another org's write completes while that health check is still pending.
    let created = other.post("/api/v2/routing/queues", json!({"name": "Created while another org waits"})).await;
    assert_eq!(created.status(), 200, "{:?}", created.text().await);
    assert_eq!(conditional.await.expect("joined").expect("answered"), 200);
    assert!(!slow_check.is_finished(), "the health check was still pending throughout");
    slow_check.abort();
    endpoint.abort();
    emulator.shutdown().await;
}

#[tokio::test]
async fn concurrent_renames_to_one_name_leave_one_queue_with_it() {
    let emulator = start_default().await;
    let client = login(&emulator, "na-east-1").await;
    let mut paths = Vec::new();
    for index in 0..20 {
        let created: Value = client.post("/api/v2/routing/queues", json!({"name": format!("Rename source {index}")})).await.json().await.expect("queue");
        paths.push(format!("/api/v2/routing/queues/{}", created["id"].as_str().expect("id")));
    }
    let renames = paths.iter().map(|path| async {
        let mut queue = client.get_json(path).await;
        queue["name"] = json!("Ärger");
        client.put(path, queue).await.status().as_u16()
    });
    let statuses = futures_util::future::join_all(renames).await;
    assert_eq!(statuses.iter().filter(|status| **status == 200).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|status| [200, 400].contains(status)), "{statuses:?}");
    // Names are unique ignoring case in every script, not only ASCII.
    let folded = client.post("/api/v2/routing/queues", json!({"name": "äRGER"})).await;
    assert_error(folded, 400, "bad.request").await;
    let listing = client.get_json("/api/v2/routing/queues?pageSize=500").await;
    let named = listing["entities"].as_array().expect("entities").iter().filter(|queue| queue["name"] == "Ärger").count();
    assert_eq!(named, 1);
    emulator.shutdown().await;
}

#[tokio::test]
async fn a_deleted_oauth_clients_tokens_stop_working_at_once() {
    let emulator = start_default().await;
    let admin = login(&emulator, "na-east-1").await;
    let created: Value = admin.post("/api/v2/oauth/clients", json!({"name": "short-lived", "authorizedGrantType": "CLIENT-CREDENTIALS"})).await.json().await.expect("client");
    let (id, secret) = (created["id"].as_str().expect("id"), created["secret"].as_str().expect("secret"));
    let token: Value = token_response(&admin.base, id, secret).await.json().await.expect("token");
    let client = OrgClient { base: admin.base.clone(), token: token["access_token"].as_str().expect("token").to_string(), http: reqwest::Client::new(), org_id: admin.org_id.clone() };
    assert_eq!(client.get("/api/v2/routing/queues").await.status(), 200);
    assert_eq!(admin.call(Method::DELETE, &format!("/api/v2/oauth/clients/{id}"), None).await.status(), 204);
    assert_error(client.get("/api/v2/routing/queues").await, 401, "bad.credentials").await;
    assert_eq!(admin.get("/api/v2/routing/queues").await.status(), 200, "the other client's token still works");
    emulator.shutdown().await;
}
