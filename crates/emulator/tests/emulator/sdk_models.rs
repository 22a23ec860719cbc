//! Contract test against the official SDK's models: records every resource, listing, error body,
//! token answer and notification event the emulator serves (events from a real WebSocket), then
//! `tests/contract/sdk_models.py` compares each body with its PureCloudPlatformClientV2 model
//! (unknown keys, value types, keys always present). Needs SWITCHBOARD_PYTHON or the workspace
//! venv; `SWITCHBOARD_SKIP_SDK_CONTRACT=1` skips.

use super::notifications::{connect, create_channel, next_event, subscribe};
use super::support::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::PathBuf;
use switchboard_emulator::RunningEmulator;

/// Emulator routes with no real-platform counterpart: not compared, listed with the reason.
const EXTENSIONS: &[&str] = &[
    "/_emulator/* (control API: calls, traffic, faults, counters, reset; documented extension)",
    "/crm/* (the emulator's own CRM, an external service, not the Platform API)",
    "/health, /health/live, /health/ready, /metrics (operational endpoints, not the Platform API)",
    "GET /api/v2/organizations (seed-only listing of the emulator's orgs; the real API has none)",
    "/api/v2/routing/strategies (extension for cross-org references; no real endpoint)",
    "GET /api/v2/flows/{id}/versions/{version}/configuration (free-form flow document; SDK type `object`)",
    "GET /api/v2/flows/datatables/{id}/rows/{key} (a row is free-form `dict(str, object)` in the SDK)",
    "PUT/GET the Architect jobs' presigned upload and download URLs (file transfer, not JSON)",
    "GET /api/v2/flows/{id}/latestconfiguration (free-form flow document; SDK type `object`)",
    "GET /api/v2/license/organization (seat report extension; the SDK has only the POST there)",
    "POST /api/v2/integrations/{id}/terminate, GET /api/v2/integrations/{id}/sessions (seed 001 session extension)",
    "POST /api/v2/integrations/{id}/healthcheck (seed 001 extension)",
    "GET /api/v2/organizations/limits/namespaces (SDK type `object`)",
];

struct Recorder {
    samples: Vec<Value>,
}

impl Recorder {
    fn add(&mut self, label: &str, model: &str, body: Value) {
        self.samples.push(json!({ "label": label, "model": model, "body": body }));
    }

    async fn get(&mut self, org: &OrgClient, path: &str, model: &str) -> Value {
        let body = org.get_json(path).await;
        self.add(&format!("GET {path}"), model, body.clone());
        body
    }

    /// Records a listing and the first entity of it fetched by id.
    async fn listing(&mut self, org: &OrgClient, path: &str, listing_model: &str, model: &str) -> Option<String> {
        let listing = self.get(org, path, listing_model).await;
        let id = listing["entities"][0]["id"].as_str()?.to_string();
        self.get(org, &format!("{path}/{id}"), model).await;
        Some(id)
    }
}

fn python() -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let python = std::env::var_os("SWITCHBOARD_PYTHON").map(PathBuf::from).unwrap_or_else(|| root.join(".venv/bin/python"));
    let probe = std::process::Command::new(&python).args(["-c", "import PureCloudPlatformClientV2"]).output();
    match probe {
        Ok(output) if output.status.success() => Some(python),
        _ => None,
    }
}

async fn record_resources(recorder: &mut Recorder, org: &OrgClient, base: &str) {
    let credentials_probe = token_response(base, "nobody", "wrong").await;
    let status = credentials_probe.status().as_u16();
    recorder.add(&format!("POST /oauth/token (bad secret, {status})"), "OAuthErrorResponse", credentials_probe.json().await.unwrap_or(Value::Null));

    recorder.get(org, "/api/v2/organizations/me", "Organization").await;
    create_what_the_topology_lacks(recorder, org).await;
    if let Some(queue) = recorder.listing(org, "/api/v2/routing/queues", "QueueEntityListing", "Queue").await {
        recorder.get(org, &format!("/api/v2/routing/queues/{queue}/members"), "QueueMemberEntityListing").await;
        let query = json!({"filter": {"type": "or", "predicates": [{"type": "dimension", "dimension": "queueId", "operator": "matches", "value": queue}]}, "metrics": ["oOnQueueUsers", "oOffQueueUsers", "oMemberUsers", "oWaiting"]});
        let observed = org.post("/api/v2/analytics/queues/observations/query", query).await;
        recorder.add("POST queue observations", "QueueObservationQueryResponse", observed.json().await.unwrap_or(Value::Null));
    }
    if let Some(user) = recorder.listing(org, "/api/v2/users", "UserEntityListing", "User").await {
        recorder.get(org, &format!("/api/v2/users/{user}/presences/PURECLOUD"), "UserPresence").await;
        recorder.get(org, &format!("/api/v2/users/{user}/routingstatus"), "RoutingStatus").await;
        recorder.get(org, &format!("/api/v2/users/{user}/queues"), "UserQueueEntityListing").await;
    }
    recorder.get(org, "/api/v2/presencedefinitions", "OrganizationPresenceEntityListing").await;
    if let Some(flow) = recorder.listing(org, "/api/v2/flows", "FlowEntityListing", "Flow").await {
        record_architect_jobs(recorder, org, &flow).await;
        let versions = recorder.get(org, &format!("/api/v2/flows/{flow}/versions"), "FlowVersionEntityListing").await;
        if let Some(version) = versions["entities"][0]["id"].as_str() {
            recorder.get(org, &format!("/api/v2/flows/{flow}/versions/{version}"), "FlowVersion").await;
        }
    }
    if let Some(table) = recorder.listing(org, "/api/v2/flows/datatables", "DataTablesDomainEntityListing", "DataTable").await {
        recorder.get(org, &format!("/api/v2/flows/datatables/{table}/rows"), "DataTableRowEntityListing").await;
    }
    if let Some(integration) = recorder.listing(org, "/api/v2/integrations", "IntegrationEntityListing", "Integration").await {
        recorder.get(org, &format!("/api/v2/integrations/{integration}/config/current"), "IntegrationConfiguration").await;
    }
    recorder.listing(org, "/api/v2/integrations/actions", "ActionEntityListing", "Action").await;
    recorder.listing(org, "/api/v2/architect/ivrs", "IVREntityListing", "IVR").await;
    recorder.listing(org, "/api/v2/telephony/providers/edges/dids", "DIDEntityListing", "DID").await;
    recorder.listing(org, "/api/v2/telephony/providers/edges/trunkbasesettings", "TrunkBaseEntityListing", "TrunkBase").await;
    recorder.get(org, "/api/v2/notifications/availabletopics", "AvailableTopicEntityListing").await;
    record_review_reads(recorder, org).await;

    let interval = "2026-01-01T00:00:00.000Z/2026-01-02T00:00:00.000Z";
    let usage = org.post("/api/v2/usage/query", json!({ "interval": interval, "granularity": "Day" })).await;
    let usage: Value = usage.json().await.unwrap_or(Value::Null);
    recorder.add("POST /api/v2/usage/query", "UsageExecutionResult", usage.clone());
    if let Some(execution) = usage["executionId"].as_str() {
        recorder.get(org, &format!("/api/v2/usage/query/{execution}/results"), "ApiUsageQueryResult").await;
    }
    let query = json!({ "interval": interval, "groupBy": ["queueId"], "metrics": ["nOffered", "tHandle"] });
    let aggregates = org.post("/api/v2/analytics/conversations/aggregates/query", query.clone()).await;
    recorder.add("POST conversations aggregates", "ConversationAggregateQueryResponse", aggregates.json().await.unwrap_or(Value::Null));
    let flow_query = json!({ "interval": interval, "groupBy": ["flowId"], "metrics": ["nFlow"] });
    let aggregates = org.post("/api/v2/analytics/flows/aggregates/query", flow_query).await;
    recorder.add("POST flows aggregates", "FlowAggregateQueryResponse", aggregates.json().await.unwrap_or(Value::Null));

    for (label, response) in [
        ("GET unknown queue (404)", org.get("/api/v2/routing/queues/00000000-0000-0000-0000-000000000000").await),
        ("POST queue with a bad body (400)", org.post("/api/v2/routing/queues", json!({ "name": 7 })).await),
        ("GET without a token (401)", reqwest::Client::new().get(format!("{base}/api/v2/routing/queues")).send().await.expect("reaches")),
    ] {
        recorder.add(label, "ErrorBody", response.json().await.unwrap_or(Value::Null));
    }
}

/// The data-action draft cycle the rollout uses: start a draft, change its headers and contract,
/// publish it.
async fn record_action_draft(recorder: &mut Recorder, org: &OrgClient, action: &str) {
    let draft: Value = org.post(&format!("/api/v2/integrations/actions/{action}/draft"), json!({})).await.json().await.unwrap_or(Value::Null);
    recorder.add("POST data action draft", "Action", draft.clone());
    let update = json!({
        "version": draft["version"],
        "config": {"request": {"requestUrlTemplate": "https://crm.example/lookup", "requestType": "GET", "headers": {"Cache-Control": "no-cache"}}},
        "contract": {"input": {"inputSchema": {"type": "object", "properties": {"Flow_Version": {"type": "string"}}}}},
    });
    let patched: Value =
        org.call(reqwest::Method::PATCH, &format!("/api/v2/integrations/actions/{action}/draft"), Some(update)).await.json().await.unwrap_or(Value::Null);
    recorder.add("PATCH data action draft", "Action", patched.clone());
    let published = org.post(&format!("/api/v2/integrations/actions/{action}/draft/publish"), json!({"version": patched["version"]})).await;
    recorder.add("POST data action draft publish", "Action", published.json().await.unwrap_or(Value::Null));
}

/// What the reliability review reads: the data-action test, licences, limits, OAuth clients and
/// their usage.
async fn record_review_reads(recorder: &mut Recorder, org: &OrgClient) {
    let actions = org.get_json("/api/v2/integrations/actions").await;
    if let Some(action) = actions["entities"][0]["id"].as_str() {
        let tested = org.post(&format!("/api/v2/integrations/actions/{action}/test"), json!({"phone": "+15551234567"})).await;
        recorder.add("POST data action test", "TestExecutionResult", tested.json().await.unwrap_or(Value::Null));
        record_action_draft(recorder, org, action).await;
    }
    let users = recorder.get(org, "/api/v2/license/users", "UserLicensesEntityListing").await;
    if let Some(user) = users["entities"][0]["id"].as_str() {
        recorder.get(org, &format!("/api/v2/license/users/{user}"), "LicenseUser").await;
        let batch = json!({"assignments": [{"licenseId": "cloudCX3", "userIdsAdd": [user]}]});
        let statuses: Value = org.post("/api/v2/license/organization", batch).await.json().await.unwrap_or(Value::Null);
        recorder.add("POST /api/v2/license/organization [0]", "LicenseUpdateStatus", statuses[0].clone());
    }
    let definitions = org.get_json("/api/v2/license/definitions").await;
    recorder.add("GET /api/v2/license/definitions [0]", "LicenseDefinition", definitions[0].clone());
    recorder.get(org, "/api/v2/organizations/limits/namespaces/platform.api", "LimitsEntityListing").await;
    let created = org.post("/api/v2/oauth/clients", json!({"name": "Contract client", "authorizedGrantType": "CLIENT-CREDENTIALS"})).await;
    recorder.add("POST /api/v2/oauth/clients", "OAuthClient", created.json().await.unwrap_or(Value::Null));
    if let Some(client) = recorder.listing(org, "/api/v2/oauth/clients", "OAuthClientEntityListing", "OAuthClient").await {
        let summary = recorder.get(org, &format!("/api/v2/oauth/clients/{client}/usage/summary?days=7"), "UsageExecutionResult").await;
        if let Some(execution) = summary["executionId"].as_str() {
            recorder.get(org, &format!("/api/v2/oauth/clients/{client}/usage/query/results/{execution}"), "ApiUsageQueryResult").await;
        }
    }
}

/// A data table with a row and a trunk, so their shapes are checked whatever the topology seeds;
/// the create answers are recorded too.
async fn create_what_the_topology_lacks(recorder: &mut Recorder, org: &OrgClient) {
    let schema = json!({
        "$schema": "http://json-schema.org/draft-04/schema#",
        "type": "object",
        "required": ["key"],
        "properties": {"key": {"type": "string", "title": "key"}, "Tier": {"type": "string"}, "Weight": {"type": "integer"}}
    });
    let table = org.post("/api/v2/flows/datatables", json!({ "name": "Contract_Table", "schema": schema })).await;
    assert_eq!(table.status(), 200, "data table created");
    let table: Value = table.json().await.unwrap_or(Value::Null);
    recorder.add("POST /api/v2/flows/datatables", "DataTable", table.clone());
    if let Some(id) = table["id"].as_str() {
        let row = org.post(&format!("/api/v2/flows/datatables/{id}/rows"), json!({"key": "gold", "Tier": "Gold", "Weight": 5})).await;
        assert_eq!(row.status(), 200, "row created");
    }
    let trunk = org.post("/api/v2/telephony/providers/edges/trunkbasesettings", json!({"name": "Contract Carrier", "properties": {}})).await;
    assert_eq!(trunk.status(), 200, "trunk created");
    recorder.add("POST trunkbasesettings", "TrunkBase", trunk.json().await.unwrap_or(Value::Null));
}

/// Architect jobs (`/api/v2/flows/jobs`, `/api/v2/flows/export/jobs`): registration and state.
async fn record_architect_jobs(recorder: &mut Recorder, org: &OrgClient, flow: &str) {
    let job = org.post("/api/v2/flows/jobs", json!({})).await;
    let job: Value = job.json().await.unwrap_or(Value::Null);
    recorder.add("POST /api/v2/flows/jobs", "RegisterArchitectJobResponse", job.clone());
    if let Some(id) = job["id"].as_str() {
        recorder.get(org, &format!("/api/v2/flows/jobs/{id}"), "ArchitectJobStateResponse").await;
    }
    let export = org.post("/api/v2/flows/export/jobs", json!({ "flows": [{ "flow": { "id": flow } }] })).await;
    let export: Value = export.json().await.unwrap_or(Value::Null);
    recorder.add("POST /api/v2/flows/export/jobs", "RegisterArchitectExportJobResponse", export.clone());
    if let Some(id) = export["id"].as_str() {
        recorder.get(org, &format!("/api/v2/flows/export/jobs/{id}"), "ArchitectExportJobStateResponse").await;
    }
}

/// Subscribes to every event topic of one user, one queue and one flow, then changes presence,
/// routing status and the flow and places a call, and records one event body per topic.
async fn record_events(recorder: &mut Recorder, emulator: &RunningEmulator, org: &OrgClient) {
    let did = "+13175550000";
    let placed_queue = org.get_json("/api/v2/routing/queues").await;
    let queue_ids: Vec<String> =
        placed_queue["entities"].as_array().into_iter().flatten().filter_map(|queue| queue["id"].as_str().map(String::from)).collect();
    // The agent who will answer: a joined member of every queue, put on queue.
    let mut agents = Vec::new();
    for queue in &queue_ids {
        let members = org.get_json(&format!("/api/v2/routing/queues/{queue}/members")).await;
        for member in members["entities"].as_array().into_iter().flatten() {
            if let Some(id) = member["id"].as_str() {
                agents.push(id.to_string());
            }
        }
    }
    agents.sort();
    agents.dedup();
    let flows = org.get_json("/api/v2/flows").await;
    let flow = flows["entities"][0]["id"].as_str().unwrap_or_default().to_string();

    let mut topics = Vec::new();
    for agent in &agents {
        for suffix in ["presence", "routingStatus", "conversations", "conversations.calls"] {
            topics.push(format!("v2.users.{agent}.{suffix}"));
        }
    }
    for queue in &queue_ids {
        topics.push(format!("v2.routing.queues.{queue}.conversations"));
        topics.push(format!("v2.routing.queues.{queue}.conversations.calls"));
    }
    topics.push(format!("v2.flows.{flow}"));
    let (channel, uri) = create_channel(org).await;
    assert_eq!(subscribe(org, &channel, &topics).await.status(), 200);
    let listed = org.get_json(&format!("/api/v2/notifications/channels/{channel}/subscriptions")).await;
    recorder.add("GET channel subscriptions", "ChannelTopicEntityListing", listed);
    recorder.get(org, "/api/v2/notifications/channels", "ChannelEntityListing").await;
    let mut socket = connect(&uri, None).await;

    // Available then back On Queue: two presence events per agent, and idle agents for the call.
    for agent in &agents {
        let path = format!("/api/v2/users/{agent}/presences/PURECLOUD");
        for presence in ["Available", "On Queue"] {
            let body = json!({ "presenceDefinition": { "systemPresence": presence } });
            let response = org.call(reqwest::Method::PATCH, &path, Some(body)).await;
            assert_eq!(response.status(), 200, "presence {presence}");
        }
        let status = org.put(&format!("/api/v2/users/{agent}/routingstatus"), json!({ "status": "IDLE" })).await;
        assert!(status.status().is_success(), "routing status: {}", status.status());
    }
    let checkout = org.post(&format!("/api/v2/flows/actions/checkout?flow={flow}"), json!({})).await;
    assert!(checkout.status().is_success(), "checkout: {}", checkout.status());
    let placed = super::contact_center::control(
        emulator,
        reqwest::Method::POST,
        "/_emulator/calls",
        Some(json!({"org": "na-east-1", "did": did, "ani": "+15550000042"})),
    )
    .await;
    assert_eq!(placed.status(), 201);
    let placed: Value = placed.json().await.expect("placed call");
    let conversation = placed["conversationId"].as_str().unwrap_or_default().to_string();
    recorder.get(org, &format!("/api/v2/conversations/{conversation}"), "Conversation").await;
    recorder.get(org, &format!("/api/v2/conversations/calls/{conversation}"), "CallConversation").await;

    // One body per kind of topic; the wait ends when every kind the actions trigger has arrived.
    let kinds: &[(&str, &str)] = &[
        (".presence", "PresenceEventUserPresence"),
        (".routingStatus", "UserRoutingStatusUserRoutingStatus"),
        ("users.*.conversations.calls", "ConversationCallEventTopicCallConversation"),
        ("users.*.conversations", "ConversationEventTopicConversation"),
        ("queues.*.conversations.calls", "QueueConversationCallEventTopicCallConversation"),
        ("queues.*.conversations", "QueueConversationEventTopicConversation"),
        ("v2.flows.*", "ArchitectFlowNotificationFlowNotification"),
    ];
    let kind_of = |topic: &str| {
        kinds.iter().find(|(pattern, _)| match pattern.split_once('*') {
            Some((head, tail)) => topic.contains(head) && topic.ends_with(tail),
            None => topic.ends_with(pattern),
        })
    };
    let mut seen: BTreeMap<&str, Value> = BTreeMap::new();
    while seen.len() < kinds.len() {
        let event = next_event(&mut socket).await;
        let topic = event["topicName"].as_str().unwrap_or_default().to_string();
        if let Some((_, model)) = kind_of(&topic) {
            seen.entry(model).or_insert_with(|| event["eventBody"].clone());
        }
    }
    for (model, body) in seen {
        recorder.add(&format!("event {model}"), model, body);
    }
}

/// Every body the emulator serves, as `{label, model, body}` (also what `wire_shapes` pins).
pub async fn record_samples(emulator: &RunningEmulator) -> Vec<Value> {
    let org = login(emulator, "na-east-1").await;
    let base = emulator.base_url();
    let mut recorder = Recorder { samples: Vec::new() };
    let credentials = emulator.credentials().org("na-east-1").expect("org").clone();
    let token = token_response(&base, &credentials.client_id, &credentials.client_secret).await;
    recorder.add("POST /oauth/token", "OAuthTokenResponse", token.json().await.unwrap_or(Value::Null));
    record_resources(&mut recorder, &org, &base).await;
    record_events(&mut recorder, emulator, &org).await;
    recorder.samples
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_resource_and_event_matches_the_official_sdk_models() {
    if std::env::var("SWITCHBOARD_SKIP_SDK_CONTRACT").as_deref() == Ok("1") {
        eprintln!("skipped: SWITCHBOARD_SKIP_SDK_CONTRACT=1");
        return;
    }
    let Some(python) = python() else {
        panic!("the Python SDK is not available: set SWITCHBOARD_PYTHON or SWITCHBOARD_SKIP_SDK_CONTRACT=1");
    };
    let emulator = start_default().await;
    let samples = record_samples(&emulator).await;

    let dir = TempDir::new("sdk-models");
    let file = dir.0.join("samples.json");
    let recorded = json!({ "samples": samples, "skipped": EXTENSIONS });
    std::fs::write(&file, serde_json::to_vec_pretty(&recorded).expect("JSON")).expect("write samples");
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/contract/sdk_models.py");
    let output = tokio::task::spawn_blocking(move || std::process::Command::new(&python).arg(&script).arg(&file).output())
        .await
        .expect("join")
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert!(output.status.success(), "SDK model mismatches:\n{stdout}\nstderr:\n{stderr}");
    assert!(stdout.contains("SDK models checked:") && stdout.contains(" 0 mismatches"), "{stdout}");
    emulator.shutdown().await;
}
