//! Typed calls for the seed extensions and the body-versioned telephony objects: routing
//! strategies with ETags, integration health checks, IVR versions, and the usage query.

use futures_util::TryStreamExt;
use switchboard_platform::api::integration::HealthcheckRequest;
use switchboard_platform::api::strategy::{RoutingStrategy, RoutingStrategyPatch, StrategySettings, StrategyTarget};
use switchboard_platform::api::telephony::Ivr;
use switchboard_platform::api::usage::UsageQuery;
use switchboard_platform::{OperationWait, PlatformError, PlatformExt};

use crate::support::{CHILD, client_for, ok, start_default};

fn target(id: &str, weight: u32, priority: u32) -> StrategyTarget {
    StrategyTarget { target_type: "Queue".into(), id: id.into(), weight, priority }
}

#[tokio::test]
async fn routing_strategies_patch_with_etags() {
    let emulator = start_default().await;
    let client = client_for(&emulator, CHILD);
    let queues = ok("queues", client.queues().list_all().await);
    let (Some(primary), Some(fallback)) = (queues.first(), queues.get(1)) else { panic!("seeded org needs two queues") };
    let strategy = RoutingStrategy {
        name: "canary".into(),
        settings: StrategySettings { enabled: true, long_running: false },
        targets: vec![target(&primary.id, 100, 1), target(&fallback.id, 0, 2)],
        ..RoutingStrategy::default()
    };
    let created = ok("create", client.strategies().create(&strategy).await);
    let read = ok("get", client.strategies().get(&created.id).await);
    let etag = read.etag.clone();
    assert!(etag.is_some(), "seed strategies carry ETags");

    let shift = RoutingStrategyPatch { targets: Some(vec![target(&primary.id, 90, 1), target(&fallback.id, 10, 2)]), ..RoutingStrategyPatch::default() };
    let patched = ok("patch", client.strategies().update_with_etag(&created.id, &shift, etag.as_deref()).await);
    assert_eq!(patched.value.targets.iter().map(|t| t.weight).collect::<Vec<_>>(), [90, 10]);
    let stale = client.strategies().update_with_etag(&created.id, &shift, etag.as_deref()).await;
    assert!(matches!(stale, Err(PlatformError::PreconditionFailed { .. })), "{stale:?}");

    let listed: Vec<RoutingStrategy> = ok("list", client.strategies().list().try_collect().await);
    assert!(listed.iter().any(|s| s.id == created.id));
    ok("delete", client.strategies().delete(&created.id).await);
    let gone = client.strategies().get(&created.id).await;
    assert!(matches!(gone, Err(PlatformError::NotFound { .. })), "a missing strategy on a platform that has them is NotFound: {gone:?}");
    emulator.shutdown().await;
}

#[tokio::test]
async fn integration_healthcheck_calls_the_endpoint() {
    let emulator = start_default().await;
    let client = client_for(&emulator, CHILD);
    let integrations: Vec<_> = ok("integrations", client.integrations().list().try_collect().await);
    let Some(integration) = integrations.first() else { panic!("seeded org has no integration") };
    let healthy = HealthcheckRequest { endpoint_url: Some(format!("{}/crm/status", emulator.base_url())), ..HealthcheckRequest::default() };
    let report = ok("healthcheck", client.integrations().healthcheck(&integration.id, &healthy).await);
    assert!(report.healthy, "{report:?}");
    let wrong = HealthcheckRequest { expected_status_code: Some(204), ..healthy };
    let report = ok("healthcheck expecting 204", client.integrations().healthcheck(&integration.id, &wrong).await);
    assert!(!report.healthy, "{report:?}");
    emulator.shutdown().await;
}

#[tokio::test]
async fn ivrs_are_versioned_in_the_body() {
    let emulator = start_default().await;
    let client = client_for(&emulator, CHILD);
    let created = ok("create", client.telephony().create_ivr(&Ivr { name: "main line".into(), ..Ivr::default() }).await);
    let mut edit = created.clone();
    edit.description = Some("first".into());
    let updated = ok("update", client.telephony().update_ivr(&created.id, &edit).await);
    assert!(updated.version > created.version);
    edit.description = Some("second, from a stale read".into());
    let stale = client.telephony().update_ivr(&created.id, &edit).await;
    assert!(matches!(stale, Err(PlatformError::Conflict { .. })), "{stale:?}");
    let dids: Vec<_> = ok("dids", client.telephony().dids().try_collect().await);
    assert!(!dids.is_empty(), "seeded org has DIDs");
    emulator.shutdown().await;
}

#[tokio::test]
async fn usage_query_polls_to_completion() {
    let emulator = start_default().await;
    let client = client_for(&emulator, CHILD);
    ok("some traffic", client.queues().list_all().await);
    let query = UsageQuery { interval: "2020-01-01T00:00:00Z/2100-01-01T00:00:00Z".into(), ..UsageQuery::default() };
    let result = ok("usage", client.usage().query_and_wait(&query, OperationWait::default()).await);
    assert!(result.results.iter().map(|row| row.requests).sum::<u64>() >= 1, "{result:?}");
    let sessions = ok("sessions", client.usage().sessions_current().await);
    assert!(sessions.available <= sessions.total);
    emulator.shutdown().await;
}
