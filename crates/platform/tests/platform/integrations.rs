//! Data-action tests through the client (the real `TestExecutionResult`, fault rules applied)
//! and the session extensions, which a strict emulator — like a real org — answers `NotFound`.

use futures_util::TryStreamExt;
use serde_json::json;
use switchboard_emulator::EmulatorOptions;
use switchboard_platform::{PlatformError, PlatformExt};

use crate::support::{CHILD, add_fault, client_for, ok, start, start_default};

#[tokio::test]
async fn the_test_call_reports_success_latency_and_failure() {
    let emulator = start_default().await;
    let client = client_for(&emulator, CHILD);
    let actions: Vec<_> = ok("actions", client.integrations().actions(None).try_collect().await);
    let action = actions.first().expect("the topology has a data action");
    let result = ok("test", client.integrations().test_action(&action.id, &json!({"phone": "+15551234567"}), false).await);
    assert!(result.success, "{result:?}");
    assert_eq!(result.final_result.as_ref().map(|output| output["phone"].clone()), Some(json!("+15551234567")));

    add_fault(&emulator, json!({"path": "/crm/**", "latencyMs": 300, "status": 503, "count": 1})).await;
    let failed = ok("test under fault", client.integrations().test_action(&action.id, &json!({"phone": "+15551234567"}), true).await);
    assert!(!failed.success);
    assert_eq!(failed.error.as_ref().map(|error| error.status), Some(503));
    let latency = failed.request_step().and_then(|step| step.result.as_ref()).and_then(|result| result["latencyMs"].as_u64());
    assert!(latency.is_some_and(|ms| ms >= 300), "latency measured through the fault: {latency:?}");
    emulator.shutdown().await;
}

#[tokio::test]
async fn session_extensions_work_on_the_emulator_and_are_not_found_when_strict() {
    let emulator = start_default().await;
    let client = client_for(&emulator, CHILD);
    let integrations: Vec<_> = ok("integrations", client.integrations().list().try_collect().await);
    let integration = integrations.first().expect("an integration");
    let counts = ok("counts", client.integrations().session_counts(&integration.id).await);
    assert_eq!((counts.opened, counts.open), (0, 0));
    let terminated = ok("terminate", client.integrations().terminate_sessions(&integration.id, None).await);
    assert_eq!(terminated.terminated_now, 0);
    emulator.shutdown().await;

    let strict = start(EmulatorOptions { strict: true, ..EmulatorOptions::default() }).await;
    let client = client_for(&strict, CHILD);
    let integrations: Vec<_> = ok("integrations", client.integrations().list().try_collect().await);
    let integration = integrations.first().expect("an integration");
    let outcome = client.integrations().session_counts(&integration.id).await;
    assert!(matches!(outcome, Err(PlatformError::NotFound { .. })), "{outcome:?}");
    strict.shutdown().await;
}
