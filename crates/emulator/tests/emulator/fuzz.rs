//! The fuzz harness: proptest drives `app(state)` in-process (tower `oneshot`) with every route
//! and method of `ROUTES` and bad input of eight kinds (malformed JSON, wrong types, extreme
//! numbers, deep nesting, bad ids and paths, absurd paging, bad/forged/cross-org tokens and
//! control credentials, hostile targets: endpoints aimed at the emulator's own control surface,
//! absurd timeouts, thousands of columns or topics), a real socket takes garbage and oversized
//! WebSocket frames, and Architect jobs take hostile flow content around every parser limit
//! (repeated names, placeholders, long names and expressions, deep nesting) while another org
//! keeps asking. It asserts no panic (a panic-hook counter, so
//! panics in spawned tasks count too), no 5xx other than injected faults, the Genesys error
//! body on every error, and that a rejected request changes no stored data.
//!
//! `SWITCHBOARD_FUZZ_CASES` sets the number of requests (default 2,000, which CI runs in a few seconds); the
//! figures of each run are printed (`--no-capture` shows them).

use super::support::*;
use axum::Router;
use axum::body::Body;
use axum::http::{Request, header};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use switchboard_emulator::{AppState, EmulatorOptions};
use tower::ServiceExt;

/// Every route and method the emulator serves (the lead's and later routes join here).
/// `routes_in_the_table_exist` keeps it honest: none of them may answer 405.
const ROUTES: &[(&str, &str)] = &[
    ("GET", "/api/v2/organizations/me"), ("PUT", "/api/v2/organizations/me"), ("GET", "/api/v2/organizations"),
    ("GET", "/api/v2/routing/queues"), ("POST", "/api/v2/routing/queues"),
    ("GET", "/api/v2/routing/queues/{queue}"), ("PUT", "/api/v2/routing/queues/{queue}"), ("DELETE", "/api/v2/routing/queues/{queue}"),
    ("GET", "/api/v2/routing/queues/{queue}/members"), ("POST", "/api/v2/routing/queues/{queue}/members"),
    ("DELETE", "/api/v2/routing/queues/{queue}/members/{user}"), ("PATCH", "/api/v2/routing/queues/{queue}/members/{user}"),
    ("GET", "/api/v2/users"), ("POST", "/api/v2/users"),
    ("GET", "/api/v2/users/{user}"), ("PATCH", "/api/v2/users/{user}"), ("DELETE", "/api/v2/users/{user}"),
    ("GET", "/api/v2/users/{user}/presences/{source}"), ("PATCH", "/api/v2/users/{user}/presences/{source}"),
    ("PUT", "/api/v2/users/{user}/presences/{source}"),
    ("GET", "/api/v2/users/{user}/routingstatus"), ("PUT", "/api/v2/users/{user}/routingstatus"),
    ("GET", "/api/v2/users/{user}/queues"), ("GET", "/api/v2/presencedefinitions"),
    ("GET", "/api/v2/routing/strategies"), ("POST", "/api/v2/routing/strategies"),
    ("GET", "/api/v2/routing/strategies/{any}"), ("PUT", "/api/v2/routing/strategies/{any}"),
    ("PATCH", "/api/v2/routing/strategies/{any}"), ("DELETE", "/api/v2/routing/strategies/{any}"),
    ("GET", "/api/v2/flows"), ("POST", "/api/v2/flows"),
    ("GET", "/api/v2/flows/{flow}"), ("PUT", "/api/v2/flows/{flow}"), ("DELETE", "/api/v2/flows/{flow}"),
    ("GET", "/api/v2/flows/{flow}/versions"), ("POST", "/api/v2/flows/{flow}/versions"),
    ("GET", "/api/v2/flows/{flow}/versions/{any}"), ("GET", "/api/v2/flows/{flow}/versions/{any}/configuration"),
    ("POST", "/api/v2/flows/actions/{action}"), ("PATCH", "/api/v2/flow/{flow}/lock"), ("POST", "/api/v2/flow/{flow}/validate"),
    // Architect jobs and the presigned URLs they hand out (upload of Archy YAML, export download).
    ("POST", "/api/v2/flows/jobs"), ("GET", "/api/v2/flows/jobs/{any}"),
    ("POST", "/api/v2/flows/export/jobs"), ("GET", "/api/v2/flows/export/jobs/{any}"),
    ("GET", "/api/v2/flows/{flow}/latestconfiguration"),
    ("PUT", "/uploads/architect-jobs/{any}"), ("GET", "/downloads/architect-jobs/{any}"),
    ("GET", "/api/v2/flows/datatables"), ("POST", "/api/v2/flows/datatables"),
    ("GET", "/api/v2/flows/datatables/{table}"), ("PUT", "/api/v2/flows/datatables/{table}"), ("DELETE", "/api/v2/flows/datatables/{table}"),
    ("GET", "/api/v2/flows/datatables/{table}/rows"), ("POST", "/api/v2/flows/datatables/{table}/rows"),
    ("GET", "/api/v2/flows/datatables/{table}/rows/{any}"), ("PUT", "/api/v2/flows/datatables/{table}/rows/{any}"),
    ("DELETE", "/api/v2/flows/datatables/{table}/rows/{any}"),
    ("GET", "/api/v2/integrations"), ("POST", "/api/v2/integrations"),
    ("GET", "/api/v2/integrations/{integration}"), ("PATCH", "/api/v2/integrations/{integration}"),
    ("PUT", "/api/v2/integrations/{integration}"), ("DELETE", "/api/v2/integrations/{integration}"),
    ("GET", "/api/v2/integrations/{integration}/config/current"), ("PUT", "/api/v2/integrations/{integration}/config/current"),
    ("GET", "/api/v2/integrations/actions"), ("POST", "/api/v2/integrations/actions"),
    ("GET", "/api/v2/integrations/actions/{any}"), ("PATCH", "/api/v2/integrations/actions/{any}"), ("DELETE", "/api/v2/integrations/actions/{any}"),
    ("POST", "/api/v2/integrations/actions/{any}/test"), ("POST", "/api/v2/integrations/actions/{any}/draft/test"),
    ("GET", "/api/v2/integrations/actions/{any}/draft"), ("POST", "/api/v2/integrations/actions/{any}/draft"),
    ("PATCH", "/api/v2/integrations/actions/{any}/draft"), ("DELETE", "/api/v2/integrations/actions/{any}/draft"),
    ("POST", "/api/v2/integrations/actions/{any}/draft/publish"),
    ("POST", "/api/v2/integrations/{integration}/terminate"), ("GET", "/api/v2/integrations/{integration}/sessions"),
    ("POST", "/api/v2/integrations/{integration}/healthcheck"),
    ("GET", "/api/v2/license/definitions"), ("GET", "/api/v2/license/definitions/{any}"),
    ("GET", "/api/v2/license/users"), ("GET", "/api/v2/license/users/{user}"),
    ("GET", "/api/v2/license/organization"), ("POST", "/api/v2/license/organization"),
    ("GET", "/api/v2/organizations/limits/namespaces"), ("GET", "/api/v2/organizations/limits/namespaces/{any}"),
    ("GET", "/api/v2/organizations/limits/namespaces/{any}/defaults"),
    ("GET", "/api/v2/oauth/clients"), ("POST", "/api/v2/oauth/clients"),
    ("GET", "/api/v2/oauth/clients/{any}"), ("DELETE", "/api/v2/oauth/clients/{any}"),
    ("GET", "/api/v2/oauth/clients/{any}/usage/summary"), ("POST", "/api/v2/oauth/clients/{any}/usage/query"),
    ("GET", "/api/v2/oauth/clients/{any}/usage/query/results/{any}"),
    ("GET", "/api/v2/telephony/providers/edges/dids"), ("GET", "/api/v2/telephony/providers/edges/dids/{any}"),
    ("PUT", "/api/v2/telephony/providers/edges/dids/{any}"),
    ("GET", "/api/v2/architect/ivrs"), ("POST", "/api/v2/architect/ivrs"),
    ("GET", "/api/v2/architect/ivrs/{any}"), ("PUT", "/api/v2/architect/ivrs/{any}"), ("DELETE", "/api/v2/architect/ivrs/{any}"),
    ("GET", "/api/v2/telephony/providers/edges/trunkbasesettings"), ("POST", "/api/v2/telephony/providers/edges/trunkbasesettings"),
    ("GET", "/api/v2/telephony/providers/edges/trunkbasesettings/{any}"),
    ("PUT", "/api/v2/telephony/providers/edges/trunkbasesettings/{any}"),
    ("DELETE", "/api/v2/telephony/providers/edges/trunkbasesettings/{any}"),
    ("POST", "/api/v2/usage/query"), ("GET", "/api/v2/usage/query/{any}/results"), ("GET", "/api/v2/usage/sessions/current"),
    ("POST", "/api/v2/analytics/conversations/aggregates/query"), ("POST", "/api/v2/analytics/flows/aggregates/query"),
    ("POST", "/api/v2/analytics/conversations/details/query"), ("POST", "/api/v2/analytics/queues/observations/query"),
    ("GET", "/api/v2/analytics/interactions/queues"),
    ("GET", "/api/v2/conversations/{any}"), ("GET", "/api/v2/conversations/calls/{any}"),
    ("PATCH", "/api/v2/conversations/calls/{any}/participants/{any}/attributes"),
    ("GET", "/api/v2/notifications/availabletopics"), ("GET", "/api/v2/notifications/channels"),
    ("POST", "/api/v2/notifications/channels"), ("HEAD", "/api/v2/notifications/channels/{any}"),
    ("GET", "/api/v2/notifications/channels/{any}/subscriptions"), ("PUT", "/api/v2/notifications/channels/{any}/subscriptions"),
    ("POST", "/api/v2/notifications/channels/{any}/subscriptions"), ("DELETE", "/api/v2/notifications/channels/{any}/subscriptions"),
    ("GET", "/channels/{any}"),
    ("POST", "/oauth/token"), ("POST", "/api/v2/oauth/token"),
    ("GET", "/crm/status"), ("GET", "/crm/contacts"), ("POST", "/crm/contacts"), ("GET", "/crm/lookup"),
    ("GET", "/crm/activities"), ("POST", "/crm/activities"), ("GET", "/crm/activities/{any}"),
    ("GET", "/_emulator/traffic"), ("POST", "/_emulator/traffic"), ("DELETE", "/_emulator/traffic"),
    ("GET", "/_emulator/traffic/{any}"), ("PUT", "/_emulator/traffic/{any}"), ("PATCH", "/_emulator/traffic/{any}"),
    ("DELETE", "/_emulator/traffic/{any}"), ("POST", "/_emulator/calls"), ("GET", "/_emulator/calls/{any}"),
    ("GET", "/_emulator/faults"), ("POST", "/_emulator/faults"), ("DELETE", "/_emulator/faults/{any}"),
    ("GET", "/_emulator/counters"), ("GET", "/health"), ("GET", "/metrics"),
    ("GET", "/_emulator/integrations/sessions"), ("GET", "/_emulator/capacity"), ("PUT", "/_emulator/capacity"),
];

const CATEGORIES: [&str; 9] = [
    "valid-ish", "malformed-json", "wrong-types", "extreme-numbers", "deep-nesting", "bad-paths", "absurd-paging", "bad-tokens",
    "hostile-targets",
];

const FIELDS: &[&str] = &[
    "name", "id", "version", "description", "type", "start", "blocks", "queue", "speedUp", "callsPerMinute", "callsPerHour",
    "latencyMs", "jitterMs", "path", "status", "pageSize", "org", "did", "timeoutMs", "interval", "granularity", "metrics",
    "routingStatus", "presenceDefinition", "properties", "rows", "key", "state", "email", "title", "curve", "count",
];

const EXTREMES: &[&str] = &[
    "0", "-1", "1e308", "-1e308", "5e-324", "1e-20", "18446744073709551615", "-9223372036854775808", "1e30", "4294967296",
    "0.5", "99999999999999999999999999",
];

const BAD_SEGMENTS: &[&str] = &[
    "%FF%FE", "%00", "a%00b", "%", "%G1", "..", "%2E%2E", "%2F", "%E5%90%8D", "%27%20OR%201%3D1", "%0A", "%7F", "-", "x",
];

const PAGING: &[&str] = &["-1", "0", "99999999999", "abc", "1e3", "4294967296", "%00", "", "1.5", "%FF"];

static PANICS: AtomicUsize = AtomicUsize::new(0);

/// Counts panics on any thread (request handlers and spawned call tasks alike).
fn count_panics() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        PANICS.fetch_add(1, Ordering::SeqCst);
        previous(info);
    }));
}

#[derive(Debug, Clone)]
struct Case {
    route: usize,
    category: usize,
    pick: usize,
    json: Value,
    bytes: Vec<u8>,
    depth: usize,
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|number| serde_json::Number::from_f64(number).map_or(Value::Null, Value::Number)),
        prop::collection::vec(any::<char>(), 0..12).prop_map(|chars| Value::from(String::from_iter(chars))),
        prop::collection::vec(0u8..32, 1..4).prop_map(|bytes| Value::from(String::from_utf8_lossy(&bytes).to_string())),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::vec((0..FIELDS.len(), inner), 0..6)
                .prop_map(|pairs| Value::Object(pairs.into_iter().map(|(key, value)| (FIELDS[key].to_string(), value)).collect())),
        ]
    })
}

fn case() -> impl Strategy<Value = Case> {
    (0..ROUTES.len(), 0..CATEGORIES.len(), any::<usize>(), json_value(), prop::collection::vec(any::<u8>(), 0..64), 64usize..2_000)
        .prop_map(|(route, category, pick, json, bytes, depth)| Case { route, category, pick, json, bytes, depth })
}

/// Ids the requests use: the home org's real objects, another org's, and garbage.
struct Pools {
    home: BTreeMap<&'static str, Vec<String>>,
    foreign: BTreeMap<&'static str, Vec<String>>,
    home_token: String,
    foreign_token: String,
    /// The emulator's control credential, sent to `/_emulator/*` (a wrong one under bad tokens).
    control_token: String,
    /// The emulator's own address, for endpoints aimed back at its control surface.
    own: std::net::SocketAddr,
    /// Another org and a queue made there after start: a `reset?data=true` that got through
    /// would take it away.
    foreign_id: String,
    marker: String,
}

fn ids_of(state: &AppState, org_id: &str) -> BTreeMap<&'static str, Vec<String>> {
    state
        .directory()
        .with_org(org_id, |org| {
            BTreeMap::from([
                ("queue", org.queues.keys().cloned().collect()),
                ("user", org.users.keys().cloned().collect()),
                ("flow", org.flows.keys().cloned().collect()),
                ("table", org.datatables.keys().cloned().collect()),
                ("integration", org.integrations.keys().cloned().collect()),
            ])
        })
        .unwrap_or_default()
}

fn pick(pool: &[String], index: usize) -> Option<&str> {
    (!pool.is_empty()).then(|| pool[index % pool.len()].as_str())
}

/// The concrete path of a case: real ids, another org's ids, or bad segments.
fn path_for(template: &str, case: &Case, pools: &Pools) -> String {
    let mut path = String::new();
    for (index, segment) in template.split('/').enumerate() {
        if index > 0 {
            path.push('/');
        }
        let Some(kind) = segment.strip_prefix('{').and_then(|rest| rest.strip_suffix('}')) else {
            path.push_str(segment);
            continue;
        };
        let choice = case.pick.wrapping_add(index * 7);
        let real = match kind {
            "source" => Some("PURECLOUD"),
            "action" => ["checkout", "checkin", "publish", "revert", "unlock", "nothing"].get(choice % 6).copied(),
            _ if case.category == 5 => None,
            _ if choice.is_multiple_of(5) => pools.foreign.get(kind).and_then(|pool| pick(pool, choice)),
            _ => pools.home.get(kind).and_then(|pool| pick(pool, choice)),
        };
        match real {
            Some(id) => path.push_str(id),
            None => path.push_str(BAD_SEGMENTS[choice % BAD_SEGMENTS.len()]),
        }
    }
    path
}

fn nested(depth: usize, arrays: bool) -> Vec<u8> {
    let (open, close) = if arrays { ("[", "]") } else { ("{\"a\":", "}") };
    format!("{}1{}", open.repeat(depth), close.repeat(depth)).into_bytes()
}

fn with_extremes(case: &Case) -> Vec<u8> {
    let fields: Vec<String> = (0..4)
        .map(|offset| {
            let key = FIELDS[(case.pick / 3 + offset * 5) % FIELDS.len()];
            let number = EXTREMES[(case.pick + offset) % EXTREMES.len()];
            format!("\"{key}\": {number}")
        })
        .collect();
    format!("{{{}}}", fields.join(", ")).into_bytes()
}

/// Bodies that aim the emulator at itself or ask it to hold a lot: endpoints on its own control
/// surface (directly, through `localhost`, with an absurd timeout), data tables with thousands of
/// columns, thousands of unknown topics, and a mix of them.
fn hostile_targets(case: &Case, pools: &Pools) -> Vec<u8> {
    let port = pools.own.port();
    let own = ["http://127.0.0.1", "http://localhost", "http://[::1]", "http://0.0.0.0"][case.pick % 4];
    let target = ["/_emulator/reset?data=true", "/_emulator/faults", "/_emulator/counters", "/crm/../_emulator/reset", "/api/v2/routing/queues"][(case.pick / 4) % 5];
    let url = format!("{own}:{port}{target}");
    let body = match (case.pick / 20) % 4 {
        0 => json!({"endpointUrl": url, "method": "POST", "timeoutMs": u64::MAX, "expectedStatusCode": 0, "requestType": "POST"}),
        1 => {
            let properties: serde_json::Map<String, Value> =
                std::iter::once(("key".to_string(), json!({"type": "string"}))).chain((0..3_000).map(|column| (format!("c{column}"), json!({"type": "string"})))).collect();
            json!({"name": "Wide", "schema": {"type": "object", "properties": properties}})
        }
        2 => Value::from((0..2_000).map(|index| json!({"id": format!("v2.bogus.{index}.topic")})).collect::<Vec<_>>()),
        _ => json!({
            "name": "Evil", "integrationId": "x", "properties": {"endpointUrl": url},
            "config": {"request": {"requestUrlTemplate": url, "requestType": "POST"}, "timeoutSeconds": u64::MAX},
        }),
    };
    serde_json::to_vec(&body).unwrap_or_default()
}

fn build(case: &Case, pools: &Pools) -> Option<Request<Body>> {
    let (method, template) = ROUTES[case.route];
    let mut path = path_for(template, case, pools);
    if case.category == 6 {
        let size = PAGING[case.pick % PAGING.len()];
        let number = PAGING[(case.pick / 11) % PAGING.len()];
        path.push_str(&format!("?pageSize={size}&pageNumber={number}&interval={number}&granularity=P{size}W"));
    }
    let body = match case.category {
        1 => case.bytes.clone(),
        2 => serde_json::to_vec(&case.json).ok()?,
        3 => with_extremes(case),
        4 => nested(case.depth, case.pick.is_multiple_of(2)),
        8 => hostile_targets(case, pools),
        _ => serde_json::to_vec(&case.json).ok()?,
    };
    let token = match (case.category, case.pick % 5) {
        (7, 0) => None,
        (7, 1) => Some("garbage".to_string()),
        (7, 2) => Some(format!("{}x", pools.home_token)),
        (7, 3) => Some(pools.foreign_token.clone()),
        (7, _) => Some(format!("{} {}", pools.home_token, "\u{1}")),
        _ => Some(pools.home_token.clone()),
    };
    let mut request = Request::builder().method(method).uri(path).header(header::CONTENT_TYPE, "application/json");
    if template.starts_with("/_emulator/") {
        let control = if case.category == 7 { format!("{}x", pools.control_token) } else { pools.control_token.clone() };
        request = request.header(switchboard_api::emulator::CONTROL_TOKEN_HEADER, control);
    }
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    request.body(Body::from(body)).ok()
}

/// A digest of the whole store, to show a rejected request changed nothing.
fn store_digest(state: &AppState) -> String {
    state.directory().with_store(|store| serde_json::to_string(store).unwrap_or_default())
}

#[derive(Default)]
struct Tally {
    by_category: BTreeMap<&'static str, u64>,
    by_status: BTreeMap<u16, u64>,
    unsendable: u64,
}

async fn run_case(app: &Router, state: &AppState, pools: &Pools, case: &Case, tally: &Mutex<Tally>) -> Result<(), TestCaseError> {
    let Some(request) = build(case, pools) else {
        tally.lock().map_err(|_| TestCaseError::fail("tally"))?.unsendable += 1;
        return Ok(());
    };
    let (method, template) = ROUTES[case.route];
    let described = format!("{method} {} [{}]", request.uri(), CATEGORIES[case.category]);
    let writes = method != "GET";
    if std::env::var_os("SWITCHBOARD_FUZZ_TRACE").is_some() {
        eprintln!("fuzz: {described}");
    }
    let before = writes.then(|| store_digest(state));
    let answered = tokio::time::timeout(Duration::from_secs(5), app.clone().oneshot(request)).await;
    let response = answered.map_err(|_| TestCaseError::fail(format!("{described}: no answer in 5 s")))?.map_err(|never| match never {})?;
    let status = response.status().as_u16();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.map_err(|error| TestCaseError::fail(error.to_string()))?;
    // Control requests may start traffic or add rules; nothing may outlive its case.
    state.contact_center().traffic.stop_all();
    state.faults().clear();
    {
        let mut tally = tally.lock().map_err(|_| TestCaseError::fail("tally"))?;
        *tally.by_category.entry(CATEGORIES[case.category]).or_default() += 1;
        *tally.by_status.entry(status).or_default() += 1;
    }
    let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    prop_assert!(status < 500, "{described}: {status} {body}");
    let marker_kept = state.directory().with_org(&pools.foreign_id, |org| org.queues.contains_key(&pools.marker)).unwrap_or(false);
    prop_assert!(marker_kept, "{described}: another org lost its data (the control surface was reached)");
    if status >= 400 && method != "HEAD" {
        let oauth = template.ends_with("/oauth/token") && body["error"].is_string();
        let genesys = body["message"].as_str().is_some_and(|message| !message.is_empty())
            && body["code"].is_string()
            && body["status"] == status;
        prop_assert!(oauth || genesys, "{described}: {status} without the error body: {}", String::from_utf8_lossy(&bytes));
        if let Some(before) = before
            && template != "/oauth/token"
        {
            prop_assert!(before == store_digest(state), "{described}: rejected with {status} but the store changed");
        }
    }
    Ok(())
}

fn cases() -> u32 {
    std::env::var("SWITCHBOARD_FUZZ_CASES").ok().and_then(|text| text.parse().ok()).unwrap_or(2_000)
}

#[test]
fn every_route_survives_bad_input_without_panic_5xx_or_lost_data() {
    count_panics();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let emulator = runtime.block_on(start(EmulatorOptions { rate_limit_per_minute: u32::MAX, ..EmulatorOptions::default() }));
    let state = emulator.state();
    let app = switchboard_emulator::app(state.clone());
    let credentials = emulator.credentials().clone();
    let home = credentials.org("na-east-1").expect("home org").clone();
    let foreign = credentials.org("eu-central-1").expect("another org").clone();
    let lifetime = Duration::from_secs(3_600);
    // One statement per token: a guard lives to the end of its statement.
    let home_token = state.tokens().issue(&home.id, &home.client_id, lifetime);
    let foreign_token = state.tokens().issue(&foreign.id, &foreign.client_id, lifetime);
    let marker = runtime.block_on(async {
        let request = Request::builder()
            .method("POST")
            .uri("/api/v2/routing/queues")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::AUTHORIZATION, format!("Bearer {foreign_token}"))
            .body(Body::from(json!({"name": "fuzz marker"}).to_string()))
            .expect("request");
        let response = app.clone().oneshot(request).await.expect("infallible");
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("body");
        serde_json::from_slice::<Value>(&bytes).ok().and_then(|queue| queue["id"].as_str().map(str::to_string)).expect("marker queue")
    });
    let pools = Pools {
        home: ids_of(&state, &home.id),
        foreign: ids_of(&state, &foreign.id),
        home_token,
        foreign_token,
        control_token: state.control_token().to_string(),
        own: emulator.addr(),
        foreign_id: foreign.id.clone(),
        marker,
    };
    let tally = Mutex::new(Tally::default());
    if std::env::var_os("SWITCHBOARD_FUZZ_TRACE").is_some() {
        eprintln!("fuzz: set up");
    }
    let config = Config { cases: cases(), failure_persistence: None, max_shrink_iters: 20, ..Config::default() };
    let mut runner = TestRunner::new(config);
    let started = std::time::Instant::now();
    let result = runner.run(&case(), |case| runtime.block_on(run_case(&app, &state, &pools, &case, &tally)));
    let elapsed = started.elapsed();
    if let Ok(tally) = tally.lock() {
        let total: u64 = tally.by_category.values().sum();
        println!("fuzz: {total} requests in {elapsed:.1?}, {} unsendable", tally.unsendable);
        println!("fuzz: by category {:?}", tally.by_category);
        println!("fuzz: by status {:?}", tally.by_status);
    }
    if let Err(failure) = result {
        panic!("{failure}");
    }
    // Calls placed by the cases may still be running; their tasks must not have panicked either.
    assert_eq!(PANICS.load(Ordering::SeqCst), 0, "panics during the fuzz run");
    drop(emulator);
}

#[tokio::test]
async fn routes_in_the_table_exist() {
    let emulator = start_default().await;
    let app = switchboard_emulator::app(emulator.state());
    for (method, template) in ROUTES {
        let path = template.split('/').map(|segment| if segment.starts_with('{') { "x" } else { segment }).collect::<Vec<_>>().join("/");
        let request = Request::builder()
            .method(*method)
            .uri(&path)
            .header(switchboard_api::emulator::CONTROL_TOKEN_HEADER, emulator.control_token())
            .body(Body::empty())
            .expect("request");
        let response = app.clone().oneshot(request).await.expect("infallible");
        assert_ne!(response.status().as_u16(), 405, "{method} {template} is not served");
    }
}

#[tokio::test]
async fn fault_rules_with_bad_values_are_refused_or_removed_cleanly() {
    count_panics();
    let emulator = start_default().await;
    let app = switchboard_emulator::app(emulator.state());
    let mut runner = TestRunner::new(Config { cases: cases() / 4, failure_persistence: None, ..Config::default() });
    let rules = prop::collection::vec((0..FIELDS.len(), leaf()), 0..6);
    let mut outcomes = Vec::new();
    // Drawn from the strategy directly: the requests are async, the runner's closure is not.
    for _ in 0..cases() / 4 {
        let pairs = rules.new_tree(&mut runner).expect("a sample").current();
        let mut rule: serde_json::Map<String, Value> = pairs.into_iter().map(|(key, value)| (FIELDS[key].to_string(), value)).collect();
        // Never a hang or a long latency: the harness must stay fast; those are tested elsewhere.
        rule.remove("hang");
        let request = Request::builder()
            .method("POST")
            .uri("/_emulator/faults")
            .header(header::CONTENT_TYPE, "application/json")
            .header(switchboard_api::emulator::CONTROL_TOKEN_HEADER, emulator.control_token())
            .body(Body::from(serde_json::to_vec(&rule).expect("json")))
            .expect("request");
        let response = app.clone().oneshot(request).await.expect("infallible");
        let status = response.status().as_u16();
        assert!(status == 201 || status == 400 || status == 409, "{rule:?}: {status}");
        outcomes.push(status);
        emulator.state().faults().clear();
    }
    assert_eq!(PANICS.load(Ordering::SeqCst), 0);
    assert!(outcomes.contains(&400), "{outcomes:?}");
}

#[tokio::test]
async fn garbage_websocket_frames_leave_the_server_serving() {
    use futures_util::SinkExt;
    use tokio_tungstenite::tungstenite::Message;
    count_panics();
    let emulator = start_default().await;
    let client = login(&emulator, "na-east-1").await;
    let channel: Value = client.post("/api/v2/notifications/channels", json!({})).await.json().await.expect("channel");
    let uri = channel["connectUri"].as_str().expect("connectUri").to_string();
    let (mut socket, _) = tokio_tungstenite::connect_async(uri.as_str()).await.expect("socket");
    let mut runner = TestRunner::new(Config { cases: 64, failure_persistence: None, ..Config::default() });
    let frames = (any::<bool>(), prop::collection::vec(any::<u8>(), 0..2048));
    for _ in 0..64 {
        let (text, bytes) = frames.new_tree(&mut runner).expect("a sample").current();
        let message = if text { Message::text(String::from_utf8_lossy(&bytes).to_string()) } else { Message::binary(bytes) };
        if socket.send(message).await.is_err() {
            break;
        }
    }
    let _ = socket.send(Message::text("{\"message\":\"ping\"}".repeat(10_000))).await;
    let health = reqwest::get(format!("{}/health", emulator.base_url())).await.expect("health");
    assert_eq!(health.status(), 200);
    assert_eq!(PANICS.load(Ordering::SeqCst), 0);
}

/// Hostile Architect flow content (issue 17): repeats that the importer must name, placeholders,
/// variable names of many parts, long and deep expressions, each around its limit in
/// `switchboard_model::limits`. Every job ends (`Success`, or `Failure` naming the limit it
/// broke) with a bounded list of messages, another org keeps answering, and nothing panics.
#[tokio::test(start_paused = true)]
async fn hostile_flow_content_ends_its_job_and_leaves_other_orgs_answering() {
    use switchboard_model::limits::{EXPRESSION_BYTES_MAX, EXPRESSION_DEPTH_MAX, FLOW_BLOCKS_MAX, NAME_PARTS_MAX, PLACEHOLDERS_MAX};
    count_panics();
    let emulator = start_default().await;
    let heavy = InProcess::login(&emulator, "na-east-1").await;
    let other = InProcess::login(&emulator, "na-east-2").await;
    let head = "inboundCall:\n  name: Hostile\n  startUpRef: ./tasks/task[t]\n  tasks:\n    - task:\n        name: Main\n        refId: t\n        actions:\n";
    let expression = |text: String| {
        format!("{head}          - updateData:\n              name: U\n              statements:\n                - string:\n                    variable: Flow.x\n                    value:\n                      exp: \"{text}\"\n          - disconnect:\n              name: D\n")
    };
    let mut runner = TestRunner::new(Config { cases: 12, failure_persistence: None, ..Config::default() });
    let cases = (0usize..5, 0usize..40);
    for _ in 0..12 {
        let (kind, offset) = cases.new_tree(&mut runner).expect("a sample").current();
        let (content, limit_message) = match kind {
            0 => {
                let count = FLOW_BLOCKS_MAX - 20 + offset;
                let actions = "          - playAudio:\n              audio:\n                tts: hi\n".repeat(count);
                (format!("{head}{actions}          - disconnect:\n              name: D\n"), (count > FLOW_BLOCKS_MAX).then_some("blocks"))
            }
            1 => {
                let count = PLACEHOLDERS_MAX - 20 + offset;
                (format!("inboundCall:\n  name: \"{}\"\n", "{{p}}${p}".repeat(count / 2 + 1)), (count / 2 * 2 + 2 > PLACEHOLDERS_MAX).then_some("placeholders"))
            }
            2 => {
                let parts = NAME_PARTS_MAX - 20 + offset;
                (expression(format!("Flow{}", ".a".repeat(parts - 1))), (parts > NAME_PARTS_MAX).then_some("dotted parts"))
            }
            3 => (expression("1 + ".repeat((EXPRESSION_BYTES_MAX - 80 + offset * 4) / 4) + "1"), None),
            _ => {
                let depth = EXPRESSION_DEPTH_MAX - 20 + offset;
                (expression(format!("{}1{}", "(".repeat(depth), ")".repeat(depth))), (depth >= EXPRESSION_DEPTH_MAX).then_some("levels deep"))
            }
        };
        let (status, job) = heavy.call("POST", "/api/v2/flows/jobs", Some(json!({}))).await;
        assert_eq!(status, 200, "{job}");
        let url = job["presignedUrl"].as_str().expect("presignedUrl");
        assert_eq!(heavy.upload("PUT", url, "application/octet-stream", &content).await.0, 200);
        let id = job["id"].as_str().expect("id").to_string();
        let done = poll_until("a hostile job", Duration::from_secs(120), || async {
            assert_eq!(other.call("GET", "/api/v2/routing/queues", None).await.0, 200, "another org answers");
            let (_, job) = heavy.call("GET", &format!("/api/v2/flows/jobs/{id}?expand=messages"), None).await;
            (job["status"] != "Started").then_some(job)
        })
        .await;
        let messages = done["messages"].as_array().map_or(0, Vec::len);
        assert!(messages <= PLACEHOLDERS_MAX + 10, "kind {kind}: {messages} messages");
        if let Some(expected) = limit_message {
            assert_eq!(done["status"], "Failure", "kind {kind} offset {offset}");
            assert!(done["messages"].to_string().contains(expected), "kind {kind} offset {offset}: expected `{expected}`");
        } else {
            assert!(done["status"] == "Success" || done["status"] == "Failure", "{done}");
        }
    }
    let health = heavy.call("GET", "/health", None).await;
    assert!(health.0 == 200, "{health:?}");
    assert_eq!(PANICS.load(Ordering::SeqCst), 0);
    emulator.shutdown().await;
}
