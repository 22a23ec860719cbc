//! Data actions in wall-clock mode: a real HTTP request to the integration's endpoint with the
//! block's timeout, so fault rules, the fake CRM and external services all take effect.
//! Inputs go in the query string for GET/DELETE and as a JSON body otherwise; a JSON object
//! answer becomes outputs (nested fields as dotted names, values as text).
//!
//! One execution path: flows (`call`) and the data-action test endpoint
//! (`POST /api/v2/integrations/actions/{id}/test`, `routes::action_test`) both go through
//! [`execute`], so fault rules, latency and timeouts act on them alike. A flow's call also opens
//! an integration session (`domain::integration_sessions`), closed when the flow ends.

use super::Runtime;
use axum::http::header;
use std::collections::BTreeMap;
use std::time::Duration;
use switchboard_simulation::runtime::DataActionOutcome;

/// Where and how an integration is called.
#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint {
    pub integration_id: String,
    pub url: String,
    pub method: reqwest::Method,
}

/// The endpoint a flow's data-action reference (`integration:` in our format) calls in an org.
/// A flow names a data action, so the reference resolves through the action to the integration
/// it belongs to (its `integrationId`), whatever either is named; a reference that names no
/// action may name the integration itself (id or name). The URL is that integration's
/// `endpointUrl`; the method the action's `requestType`, else the integration's `method`
/// property, else GET.
pub fn endpoint(runtime: &Runtime, org_id: &str, reference: &str) -> Option<Endpoint> {
    let found = runtime
        .directory
        .with_org(org_id, |org| {
            let (integration, action) = match org.actions.get(reference).or_else(|| org.actions.values().find(|action| action.name == reference)) {
                Some(action) => (org.integrations.get(&action.integration_id)?, Some(action)),
                None => {
                    let integration = org.integration_by_ref(reference)?;
                    (integration, org.actions.values().find(|action| action.integration_id == integration.id))
                }
            };
            endpoint_of(integration, action)
        })
        .flatten();
    found.map(|endpoint| with_own_host(runtime, endpoint))
}

/// The endpoint of one data action (by id), for the data-action test.
pub fn endpoint_of_action(runtime: &Runtime, org_id: &str, action_id: &str) -> Option<Endpoint> {
    let found = runtime
        .directory
        .with_org(org_id, |org| {
            let action = org.actions.get(action_id)?;
            endpoint_of(org.integrations.get(&action.integration_id)?, Some(action))
        })
        .flatten();
    found.map(|endpoint| with_own_host(runtime, endpoint))
}

fn endpoint_of(integration: &switchboard_api::integration::Integration, action: Option<&switchboard_api::integration::Action>) -> Option<Endpoint> {
    let url = integration.endpoint_url()?.to_string();
    let action_method = action.and_then(|action| action.config.as_ref()).map(|config| config.request.request_type.clone());
    let property_method = integration
        .config
        .as_ref()
        .and_then(|config| config.current.properties.get("method"))
        .and_then(|value| value.as_str())
        .map(str::to_string);
    let method = action_method.or(property_method).unwrap_or_else(|| "GET".to_string());
    let method = reqwest::Method::from_bytes(method.to_ascii_uppercase().as_bytes()).unwrap_or(reqwest::Method::GET);
    Some(Endpoint { integration_id: integration.id.clone(), url, method })
}

/// Integrations created after start may still name the emulator by its placeholder host.
fn with_own_host(runtime: &Runtime, mut endpoint: Endpoint) -> Endpoint {
    if let (Some(rest), Some(base)) = (endpoint.url.strip_prefix(crate::crm::EMULATOR_HOST_PLACEHOLDER), runtime.center.own_base_url()) {
        endpoint.url = format!("{base}{rest}");
    }
    endpoint
}

/// What one execution of a data action saw.
#[derive(Debug, Clone, PartialEq)]
pub struct Execution {
    pub outcome: DataActionOutcome,
    pub latency_ms: u64,
    /// The remote status, when the endpoint answered.
    pub status: Option<u16>,
    /// The remote JSON answer, when it sent one.
    pub body: Option<serde_json::Value>,
    /// Why no answer came (timeout, connection error).
    pub error: Option<String>,
}

/// Calls the integration once from a flow; returns the outcome and the measured latency in ms.
/// The conversation's session with the integration is opened here and closed when its flow ends.
pub async fn call(
    runtime: &Runtime,
    org_id: &str,
    conversation_id: &str,
    integration: &str,
    inputs: &BTreeMap<String, String>,
    timeout_ms: u64,
) -> (DataActionOutcome, u64) {
    let Some(endpoint) = endpoint(runtime, org_id, integration) else {
        tracing::debug!("data action: integration '{integration}' has no endpoint in org {org_id}");
        return (DataActionOutcome::Failure { status: None, retry_after_ms: None }, 0);
    };
    runtime.center.sessions.open(org_id, &endpoint.integration_id, conversation_id);
    let execution = execute(runtime, &endpoint, Some(conversation_id), inputs, timeout_ms).await;
    (execution.outcome, execution.latency_ms)
}

/// GET and DELETE carry the inputs in the query string; the other methods as a JSON body.
pub fn sends_inputs_as_query(method: &reqwest::Method) -> bool {
    matches!(*method, reqwest::Method::GET | reqwest::Method::DELETE)
}

/// Sends one request to `endpoint` and reads its answer, timed from send to the last byte.
pub async fn execute(
    runtime: &Runtime,
    endpoint: &Endpoint,
    conversation_id: Option<&str>,
    inputs: &BTreeMap<String, String>,
    timeout_ms: u64,
) -> Execution {
    let started = runtime.clock.now();
    let request = match runtime.http.request(endpoint.method.clone(), &endpoint.url) {
        Ok(request) => request,
        Err(refused) => {
            tracing::debug!("data action refused: {refused}");
            let outcome = DataActionOutcome::Failure { status: None, retry_after_ms: None };
            return Execution { outcome, latency_ms: 0, status: None, body: None, error: Some(refused.to_string()) };
        }
    };
    let mut request = request
        .timeout(Duration::from_millis(timeout_ms.max(1)))
        // Seed 004: responses that steer routing must not come from a cache.
        .header(header::CACHE_CONTROL, "no-cache");
    if let Some(conversation_id) = conversation_id {
        request = request.header("X-Conversation-Id", conversation_id);
    }
    request = if sends_inputs_as_query(&endpoint.method) {
        request.query(&inputs.iter().collect::<Vec<_>>())
    } else {
        request.json(inputs)
    };
    let result = request.send().await;
    let (outcome, status, body, error) = match result {
        Err(error) if error.is_timeout() => (DataActionOutcome::Timeout, None, None, Some(format!("timed out after {timeout_ms} ms"))),
        Err(error) => {
            tracing::debug!("data action on {} failed: {error}", endpoint.url);
            (DataActionOutcome::Failure { status: None, retry_after_ms: None }, None, None, Some(error.to_string()))
        }
        Ok(response) => {
            let status = response.status();
            let retry_after_ms = response
                .headers()
                .get(header::RETRY_AFTER)
                .and_then(|value| value.to_str().ok())
                .and_then(|text| switchboard_api::retry_after::parse_retry_after(text, runtime.clock.utc().into()))
                .map(|delay| u64::try_from(delay.as_millis()).unwrap_or(u64::MAX));
            // Read up to the limit: an endpoint cannot make the emulator hold an unbounded answer.
            let read = crate::outbound::read_capped(response).await;
            let code = Some(status.as_u16());
            match read {
                Err(crate::outbound::BodyError::Read(error)) if error.is_timeout() => {
                    (DataActionOutcome::Timeout, code, None, Some(format!("timed out after {timeout_ms} ms")))
                }
                Err(error) => (DataActionOutcome::Failure { status: code, retry_after_ms }, code, None, Some(error.to_string())),
                Ok(bytes) if status.is_success() => match serde_json::from_slice::<serde_json::Value>(&bytes) {
                    Ok(body) => (DataActionOutcome::Success { outputs: flatten(&body) }, code, Some(body), None),
                    // An empty or non-JSON success still succeeded; it just has no outputs.
                    Err(_) => (DataActionOutcome::Success { outputs: BTreeMap::new() }, code, None, None),
                },
                Ok(bytes) => {
                    let body = serde_json::from_slice::<serde_json::Value>(&bytes).ok();
                    (DataActionOutcome::Failure { status: code, retry_after_ms }, code, body, None)
                }
            }
        }
    };
    let latency_ms = u64::try_from(runtime.clock.since(started).as_millis()).unwrap_or(u64::MAX);
    Execution { outcome, latency_ms, status, body, error }
}

/// `{"a": {"b": 1}, "c": [true]}` → `a.b = 1`, `c.0 = true`.
pub fn flatten(value: &serde_json::Value) -> BTreeMap<String, String> {
    fn walk(prefix: &str, value: &serde_json::Value, out: &mut BTreeMap<String, String>) {
        let join = |key: &str| if prefix.is_empty() { key.to_string() } else { format!("{prefix}.{key}") };
        match value {
            serde_json::Value::Object(fields) => fields.iter().for_each(|(key, item)| walk(&join(key), item, out)),
            serde_json::Value::Array(items) => {
                items.iter().enumerate().for_each(|(index, item)| walk(&join(&index.to_string()), item, out))
            }
            serde_json::Value::String(text) => {
                out.insert(prefix.to_string(), text.clone());
            }
            serde_json::Value::Null => {}
            other => {
                out.insert(prefix.to_string(), other.to_string());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk("", value, &mut out);
    out
}
