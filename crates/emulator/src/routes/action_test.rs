//! The real data-action test, `POST /api/v2/integrations/actions/{actionId}/test` (and
//! `.../draft/test`: the emulator keeps no separate drafts, so a draft is the action itself).
//! The request goes through the same execution path as a flow's data action
//! (`contact_center::data_action::execute`), so fault rules, latency and timeouts apply and the
//! answer takes as long as the endpoint does. As on the real platform, a failing endpoint is a
//! 200 with `success: false` and the failed step; only a bad request or a missing action is 4xx.

use super::extract::Params;
use super::org_access::read;
use crate::contact_center::Runtime;
use crate::contact_center::data_action;
use crate::error::ApiError;
use crate::state::{AppState, Caller};
use axum::extract::{Path, State};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use switchboard_api::ErrorBody;
use switchboard_api::integration::{TestExecutionOperationResult, TestExecutionResult, test_steps};
use switchboard_simulation::runtime::DataActionOutcome;

/// The real platform's ceiling on a data action's timeout, and the default when none is set.
pub const ACTION_TIMEOUT_SECONDS_MAX: u64 = 60;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v2/integrations/actions/{id}/test", post(test))
        .route("/api/v2/integrations/actions/{id}/draft/test", post(test))
}

/// The action's inputs: a JSON object whose values become the request's text inputs.
fn inputs(body: &[u8]) -> Result<BTreeMap<String, String>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(BTreeMap::new());
    }
    let value: Value =
        serde_json::from_slice(body).map_err(|error| ApiError::bad_request(format!("The request could not be understood: {error}")))?;
    crate::limits::body_strings(&value)?;
    let Value::Object(fields) = value else {
        return Err(ApiError::invalid_value("body: expected a JSON object of the action's inputs"));
    };
    Ok(fields
        .into_iter()
        .filter(|(_, value)| !value.is_null())
        .map(|(name, value)| match value {
            Value::String(text) => (name, text),
            other => (name, other.to_string()),
        })
        .collect())
}

fn step(step: u32, name: &str, result: Option<Value>, error: Option<ErrorBody>) -> TestExecutionOperationResult {
    TestExecutionOperationResult { step, name: name.to_string(), success: error.is_none(), result, error }
}

fn error_body(status: u16, code: &str, message: String) -> ErrorBody {
    ErrorBody { message, code: code.to_string(), status, context_id: None, details: Vec::new(), errors: Vec::new() }
}

async fn test(
    State(runtime): State<Runtime>,
    caller: Caller,
    Path(id): Path<String>,
    params: Params,
    body: axum::body::Bytes,
) -> Result<Json<TestExecutionResult>, ApiError> {
    let inputs = inputs(&body)?;
    let flatten = params.flag("flatten", false)?;
    let (action, integration_id) = read(&runtime.directory, &caller, |org| {
        let action = org.actions.get(&id).cloned().ok_or_else(|| ApiError::not_found("action", &id))?;
        let integration_id = action.integration_id.clone();
        Ok((action, integration_id))
    })?;
    let config = action.config.as_ref();
    let timeout_seconds = config.and_then(|config| config.timeout_seconds).unwrap_or(ACTION_TIMEOUT_SECONDS_MAX).clamp(1, ACTION_TIMEOUT_SECONDS_MAX);
    let mut operations = Vec::new();

    // Step 1: where the request goes. The integration's endpoint, as a flow's data action uses it.
    let Some(mut endpoint) = data_action::endpoint_of_action(&runtime, &caller.org_id, &id) else {
        let error = error_body(400, "bad.request", format!("Integration {integration_id} of action {id} has no endpoint configured"));
        operations.push(step(1, test_steps::RESOLVE_URL, None, Some(error.clone())));
        return Ok(Json(TestExecutionResult { operations, error: Some(error), final_result: None, success: false }));
    };
    if let Some(method) = config.and_then(|config| reqwest::Method::from_bytes(config.request.request_type.to_ascii_uppercase().as_bytes()).ok()) {
        endpoint.method = method;
    }
    operations.push(step(1, test_steps::RESOLVE_URL, Some(Value::String(endpoint.url.clone())), None));
    let headers = config.map(|config| config.request.headers.clone()).unwrap_or_default();
    operations.push(step(2, test_steps::RESOLVE_HEADERS, Some(json!(headers)), None));
    let mut next = 3;
    if !data_action::sends_inputs_as_query(&endpoint.method) {
        operations.push(step(next, test_steps::RESOLVE_BODY, Some(json!(inputs)), None));
        next += 1;
    }

    // The request itself, through the flows' execution path.
    let execution = data_action::execute(&runtime, &endpoint, None, &inputs, timeout_seconds * 1_000).await;
    let request_result = json!({
        "method": endpoint.method.as_str(),
        "url": endpoint.url,
        "statusCode": execution.status,
        "latencyMs": execution.latency_ms,
    });
    let failure = match &execution.outcome {
        DataActionOutcome::Success { .. } => None,
        DataActionOutcome::Timeout => Some(error_body(
            504,
            "gateway.timeout",
            format!("REST call for action execute failed. Message: Request to backend service timed out after {timeout_seconds} seconds"),
        )),
        DataActionOutcome::Failure { status, .. } => {
            let detail = execution
                .body
                .as_ref()
                .map(Value::to_string)
                .or_else(|| execution.error.clone())
                .unwrap_or_default();
            let status = status.unwrap_or(502);
            Some(error_body(
                status,
                if status == 429 { "too.many.requests" } else { "bad.request" },
                format!("REST call for action execute failed. Message: Request to backend service failed. Response from web service: {detail}"),
            ))
        }
    };
    operations.push(step(next, test_steps::EXECUTE_REQUEST, Some(request_result), failure.clone()));
    if let Some(error) = failure {
        return Ok(Json(TestExecutionResult { operations, error: Some(error), final_result: None, success: false }));
    }
    let output = execution.body.unwrap_or_else(|| json!({}));
    let final_result = if flatten { json!(data_action::flatten(&output)) } else { output };
    operations.push(step(next + 1, test_steps::RESOLVE_RESPONSE, Some(final_result.clone()), None));
    Ok(Json(TestExecutionResult { operations, error: None, final_result: Some(final_result), success: true }))
}
