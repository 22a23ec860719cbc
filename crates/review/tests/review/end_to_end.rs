//! Whole reviews against a live emulator with fault rules: the cases seed 001 names. Each test
//! starts its own emulator on an ephemeral port and shuts it down.

use super::support::*;
use futures_util::TryStreamExt;
use serde_json::json;
use switchboard_platform::PlatformExt;
use switchboard_platform::api::auth::OAuthClient;
use switchboard_platform::{ClientConfig, OrgClient};
use switchboard_review::{Check, CheckStatus, FlowRef, Outcome, Review, ReviewConfig};

fn config(flows: Vec<FlowRef>, checks: &[Check]) -> ReviewConfig {
    let mut config = ReviewConfig::new("sandbox", flows);
    config.checks = checks.iter().copied().collect();
    config.live.hygiene_window_ms = 0;
    config
}

async fn review(client: &switchboard_platform::OrgClient, config: &ReviewConfig) -> Review {
    switchboard_review::run(client, config, std::future::pending::<()>()).await
}

fn codes(review: &Review) -> Vec<String> {
    review.findings.iter().map(|finding| finding.code.clone()).collect()
}

async fn lookup_flow_id(client: &switchboard_platform::OrgClient) -> String {
    let flows: Vec<_> = client.flows().list(Some("Lookup"), None).try_collect().await.expect("flows");
    flows.into_iter().find(|flow| flow.name == "Lookup").map(|flow| flow.id).expect("the Lookup flow")
}

#[tokio::test]
async fn a_sound_flow_and_a_healthy_integration_pass() {
    let emulator = start().await;
    let client = client(&emulator);
    let mut config = config(
        vec![FlowRef::Text(flow_text("lookup", LOOKUP_FLOW))],
        &[Check::StaticValidation, Check::LatencySla, Check::FailureModes, Check::FlowLocks, Check::SessionHygiene],
    );
    config.own_client_id = Some(own_client_id(&emulator));
    let review = review(&client, &config).await;
    assert_eq!(review.outcome, Outcome::Pass, "{:#?}", review.findings);
    let latency = review.checks.iter().find(|run| run.check == Check::LatencySla).expect("latency ran");
    assert_eq!(latency.status, CheckStatus::Ran);
    assert_eq!(latency.subjects, vec!["integration:CRM".to_string()]);
    emulator.shutdown().await;
}

#[tokio::test]
async fn a_slow_integration_fails_the_sla_check_on_both_paths() {
    let emulator = start().await;
    let client = client(&emulator);
    // Every CRM answer takes 400 ms; the SLA for this integration is 300 ms.
    fault(&emulator, json!({"path": "/crm/lookup", "latencyMs": 400})).await;
    let mut config = config(vec![FlowRef::Text(flow_text("lookup", LOOKUP_FLOW))], &[Check::LatencySla]);
    config.live.integration_sla_ms.insert("CRM".into(), 300);
    config.live.probes = 3;
    let review = review(&client, &config).await;
    assert_eq!(review.outcome, Outcome::Fail);
    let slow: Vec<_> = review.findings.iter().filter(|finding| finding.code == "latency-over-sla").collect();
    assert_eq!(slow.len(), 2, "platform test call and direct: {:#?}", review.findings);
    assert!(slow.iter().any(|finding| finding.message.starts_with("platform test call: p95 ")));
    assert!(slow.iter().any(|finding| finding.message.starts_with("direct: p95 ")));
    // A 200 that is too slow fails: every probe answered 200.
    assert!(!codes(&review).contains(&"unexpected-status".to_string()), "{:#?}", review.findings);
    assert!(slow[0].evidence[0].contains("200 in 4"), "{:?}", slow[0].evidence);
    emulator.shutdown().await;
}

#[tokio::test]
async fn an_unavailable_integration_answers_the_wrong_status() {
    let emulator = start().await;
    let client = client(&emulator);
    fault(&emulator, json!({"path": "/crm/lookup", "status": 503})).await;
    let mut config = config(vec![FlowRef::Text(flow_text("lookup", LOOKUP_FLOW))], &[Check::LatencySla]);
    config.live.probes = 2;
    let review = review(&client, &config).await;
    assert_eq!(review.outcome, Outcome::Fail);
    let wrong: Vec<_> = review.findings.iter().filter(|finding| finding.code == "unexpected-status").collect();
    assert_eq!(wrong.len(), 2, "{:#?}", review.findings);
    assert!(wrong[0].message.contains("[503, 503]"), "{}", wrong[0].message);
    emulator.shutdown().await;
}

#[tokio::test]
async fn a_flow_with_unbounded_retries_fails() {
    let emulator = start().await;
    let client = client(&emulator);
    let unbounded = "name: Lookup\nstart: lookup\nblocks:\n  lookup: {type: data_action, integration: CRM, timeout_ms: 2000, on_success: support, on_error: pause}\n  pause: {type: wait, duration_ms: 1000, next: lookup}\n  support: {type: transfer_to_queue, queue: Support}\n";
    let config = config(vec![FlowRef::Text(flow_text("unbounded", unbounded))], &[Check::StaticValidation, Check::FailureModes, Check::FlowLocks]);
    let review = review(&client, &config).await;
    assert_eq!(review.outcome, Outcome::Fail);
    let codes = codes(&review);
    assert!(codes.contains(&"retry-unbounded".to_string()), "{codes:?}");
    assert!(codes.contains(&"fault-retries-forever".to_string()), "{codes:?}");
    // Locks are released after a failed review.
    let flow = client.flows().get(&lookup_flow_id(&client).await).await.expect("flow").value;
    assert_eq!((flow.locked_client, flow.locked_user), (None, None), "the review released its lock");
    emulator.shutdown().await;
}

#[tokio::test]
async fn a_lock_held_by_another_client_fails_the_review_and_is_not_stolen() {
    let emulator = start().await;
    let client = client(&emulator);
    let flow_id = lookup_flow_id(&client).await;
    // Another OAuth client of the org (a release bot) checks the flow out, the real way.
    let created = client
        .oauth_clients()
        .create(&OAuthClient { name: "Release Bot".into(), authorized_grant_type: "CLIENT-CREDENTIALS".into(), ..OAuthClient::default() })
        .await
        .expect("a second OAuth client");
    let mut other_config = ClientConfig::new(emulator.base_url(), created.id.clone(), created.secret.clone().expect("its secret"));
    other_config.org_label = ORG.to_string();
    let other = OrgClient::new(other_config).expect("second client");
    other.flows().checkout(&flow_id).await.expect("the bot checks the flow out");

    let mut config = config(vec![FlowRef::Text(flow_text("lookup", LOOKUP_FLOW))], &[Check::FlowLocks]);
    config.own_client_id = Some(own_client_id(&emulator));
    let review = review(&client, &config).await;
    assert_eq!(review.outcome, Outcome::Fail);
    let locked: Vec<_> = review.findings.iter().filter(|finding| finding.code == "flow-locked-by-other").collect();
    assert_eq!(locked.len(), 1, "{:#?}", review.findings);
    assert!(locked[0].message.contains("Release Bot") && locked[0].message.contains(&created.id), "names the holder: {}", locked[0].message);
    assert_eq!(locked[0].subject, "lock:Lookup");
    let after = client.flows().get(&flow_id).await.expect("flow").value;
    assert_eq!(after.locked_client.map(|holder| holder.id), Some(created.id.clone()), "never stolen");
    emulator.shutdown().await;
}

#[tokio::test]
async fn quota_below_the_threshold_fails() {
    let emulator = start().await;
    let client = client(&emulator);
    let quota_config = || {
        let mut config = config(vec![FlowRef::Text(flow_text("lookup", LOOKUP_FLOW))], &[Check::QuotaHeadroom]);
        config.own_client_id = Some(own_client_id(&emulator));
        config
    };
    // 20 seats, 1 held: 95% available passes.
    set_capacity(&emulator, json!({"org": ORG, "seats": {"cloudCX3": 20}})).await;
    let result = review(&client, &quota_config()).await;
    assert_eq!(result.outcome, Outcome::Pass, "{:#?}", result.findings);
    assert!(result.checks.iter().any(|run| run.check == Check::QuotaHeadroom && run.subjects.contains(&"license:cloudCX3".to_string())));

    // 10 seats, 1 held, a projected peak of 12: the peak does not fit.
    set_capacity(&emulator, json!({"org": ORG, "seats": {"cloudCX3": 10}})).await;
    let mut config = quota_config();
    config.live.projected_peak.insert("cloudCX3".into(), 12);
    let result = review(&client, &config).await;
    assert_eq!(codes(&result), vec!["projected-peak-exceeds".to_string()], "{:#?}", result.findings);

    // 1 seat, 1 held: 0% available, under the 10% floor.
    set_capacity(&emulator, json!({"org": ORG, "seats": {"cloudCX3": 1}})).await;
    let result = review(&client, &quota_config()).await;
    assert_eq!(result.outcome, Outcome::Fail);
    let low: Vec<_> = result.findings.iter().filter(|finding| finding.code == "license-headroom-low").collect();
    assert_eq!(low.len(), 1, "{:#?}", result.findings);
    assert!(low[0].message.starts_with("0% of `cloudCX3` seats available (0 of 1)"), "{}", low[0].message);
    assert!(low[0].evidence[0].contains("1 seats, 1 assigned, 0 available"), "{:?}", low[0].evidence);

    // The API rate limit lowered so that a projected 50 requests a minute leave under 10%.
    set_capacity(&emulator, json!({"org": ORG, "seats": {"cloudCX3": 20}, "limits": {"platform.api": {"client.credentials.token.rate.per.minute": 52}}})).await;
    let mut config = quota_config();
    config.live.projected_peak.insert("platform.api/client.credentials.token.rate.per.minute".into(), 50);
    let result = review(&client, &config).await;
    assert_eq!(codes(&result), vec!["limit-headroom-low".to_string()], "{:#?}", result.findings);
    emulator.shutdown().await;
}

#[tokio::test]
async fn a_lock_left_by_this_client_is_reused_and_released() {
    let emulator = start().await;
    let client = client(&emulator);
    let flow_id = lookup_flow_id(&client).await;
    client.flows().checkout(&flow_id).await.expect("checkout");
    let mut config = config(vec![FlowRef::Text(flow_text("lookup", LOOKUP_FLOW))], &[Check::FlowLocks]);
    config.own_client_id = Some(own_client_id(&emulator));
    let review = review(&client, &config).await;
    assert_eq!(review.outcome, Outcome::Pass, "{:#?}", review.findings);
    assert_eq!(codes(&review), vec!["stale-own-lock".to_string()]);
    let after = client.flows().get(&flow_id).await.expect("flow").value;
    assert_eq!(after.locked_client, None);
    emulator.shutdown().await;
}

#[tokio::test]
async fn a_flow_that_never_terminates_its_integration_session_fails_hygiene() {
    let emulator = start().await;
    let client = client(&emulator);
    // The CRM's middleware keeps connections: sessions outlive the calls that opened them.
    let integration = client.integrations().list().try_collect::<Vec<_>>().await.expect("integrations").into_iter().find(|integration| integration.name.as_deref() == Some("CRM")).expect("CRM");
    // The real way: the current configuration written back at the version read.
    let mut config_now = client.integrations().config(&integration.id).await.expect("configuration");
    config_now.properties.insert("terminateSessions".into(), json!(false));
    client.integrations().update_config(&integration.id, &config_now).await.expect("update");
    for _ in 0..2 {
        place_call(&emulator, LOOKUP_DID).await;
    }
    let config = config(vec![FlowRef::Text(flow_text("lookup", LOOKUP_FLOW))], &[Check::SessionHygiene]);
    let review = review(&client, &config).await;
    assert_eq!(review.outcome, Outcome::Fail, "{:#?}", review);
    let leaks: Vec<_> = review.findings.iter().filter(|finding| finding.code == "session-leak").collect();
    assert_eq!(leaks.len(), 1, "{:#?}", review.findings);
    assert!(leaks[0].message.starts_with("2 session(s) open when the review started"), "{}", leaks[0].message);
    emulator.shutdown().await;
}

#[tokio::test]
async fn sessions_that_close_at_flow_end_pass_hygiene() {
    let emulator = start().await;
    let client = client(&emulator);
    place_call(&emulator, LOOKUP_DID).await;
    let config = config(vec![FlowRef::Text(flow_text("lookup", LOOKUP_FLOW))], &[Check::SessionHygiene]);
    let review = review(&client, &config).await;
    assert_eq!(review.outcome, Outcome::Pass, "{:#?}", review.findings);
    assert_eq!(review.checks.iter().find(|run| run.check == Check::SessionHygiene).map(|run| run.status.clone()), Some(CheckStatus::Ran));
    emulator.shutdown().await;
}

#[tokio::test]
async fn cancelling_the_review_still_releases_its_locks() {
    let emulator = start().await;
    let client = client(&emulator);
    let flow_id = lookup_flow_id(&client).await;
    let mut config = config(vec![FlowRef::Text(flow_text("lookup", LOOKUP_FLOW))], &[Check::FlowLocks, Check::SessionHygiene]);
    // A long hygiene window, interrupted at once (Ctrl-C).
    config.live.hygiene_window_ms = 600_000;
    let review = switchboard_review::run(&client, &config, async {}).await;
    assert_eq!(review.outcome, Outcome::CouldNotRun);
    assert_eq!(review.outcome.exit_code(), 2);
    let after = client.flows().get(&flow_id).await.expect("flow").value;
    assert_eq!(after.locked_client, None, "released after the interruption");
    emulator.shutdown().await;
}

#[tokio::test]
async fn a_flow_named_in_the_org_is_exported_and_reviewed() {
    let emulator = start().await;
    let client = client(&emulator);
    let config = config(vec![FlowRef::Org("Lookup".into()), FlowRef::Org("Nowhere".into())], &[Check::StaticValidation]);
    let result = review(&client, &config).await;
    let static_run = result.checks.iter().find(|run| run.check == Check::StaticValidation).expect("static ran");
    // One name is not in the org: the review could not load everything it was asked to.
    assert_eq!(static_run.status, CheckStatus::CouldNotRun("flow `Nowhere` is neither a file nor a flow in the org".into()));
    assert_eq!(result.outcome.exit_code(), 2);
    let config = self::config(vec![FlowRef::Org("Lookup".into())], &[Check::StaticValidation, Check::FailureModes]);
    let result = review(&client, &config).await;
    assert_eq!(result.outcome, Outcome::Pass, "{:#?}", result.findings);
    let drill = result.checks.iter().find(|run| run.check == Check::FailureModes).expect("drill ran");
    assert_eq!(drill.subjects, vec!["flow:Lookup".to_string()], "exported through an Architect job and drilled");
    emulator.shutdown().await;
}
