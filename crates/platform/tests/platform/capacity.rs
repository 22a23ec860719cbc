//! Licences, limits, OAuth clients and per-client usage through the client, with figures from
//! what happened: users hold licences against seats a test sets, usage rows count each client's
//! real requests, and a flow checked out by a second client is refused to the first.

use futures_util::TryStreamExt;
use serde_json::json;
use switchboard_platform::api::auth::OAuthClient;
use switchboard_platform::api::flow::LockHolder;
use switchboard_platform::api::license::{LicenseAssignmentRequest, LicenseBatchAssignmentRequest};
use switchboard_platform::OperationWait;
use switchboard_platform::{ClientConfig, PlatformError, PlatformExt};
use switchboard_emulator::EmulatorOptions;

use crate::support::{CHILD, client, client_for, ok, start, start_default};

async fn set_capacity(emulator: &switchboard_emulator::RunningEmulator, body: serde_json::Value) {
    let response = emulator.control_client().put(format!("{}/_emulator/capacity", emulator.base_url())).json(&body).send().await;
    match response {
        Ok(response) if response.status().is_success() => {}
        Ok(response) => panic!("capacity refused: {} {}", response.status(), response.text().await.unwrap_or_default()),
        Err(error) => panic!("capacity not sent: {error}"),
    }
}

#[tokio::test]
async fn licences_count_real_users_against_seats_a_test_sets() {
    let emulator = start_default().await;
    let client = client_for(&emulator, CHILD);
    let users: Vec<_> = ok("licence users", client.licenses().users().try_collect().await);
    assert!(!users.is_empty());
    assert!(users.iter().all(|user| user.licenses == ["cloudCX3"]), "every user holds the default licence: {users:?}");
    let held = users.len() as u64;

    set_capacity(&emulator, json!({"org": CHILD, "seats": {"cloudCX3": held, "wem": 1}})).await;
    let seats = ok("seats", client.licenses().seats().await);
    let default = seats.licenses.iter().find(|seats| seats.id == "cloudCX3").expect("default licence");
    assert_eq!((default.seats, default.assigned, default.available), (held, held, 0));
    assert_eq!(default.available_ratio(), 0.0);

    let first = users[0].id.clone();
    let second = users.get(1).map(|user| user.id.clone()).unwrap_or_else(|| first.clone());
    let batch = LicenseBatchAssignmentRequest {
        assignments: vec![LicenseAssignmentRequest { license_id: "wem".into(), user_ids_add: vec![first.clone(), second.clone()], user_ids_remove: vec![] }],
    };
    let statuses = ok("assign", client.licenses().assign(&batch).await);
    assert_eq!(statuses[0].result, "SUCCESS");
    if first != second {
        assert!(statuses[1].result.starts_with("FAILURE"), "one seat only: {statuses:?}");
    }
    let user = ok("licence user", client.licenses().user(&first).await);
    assert_eq!(user.licenses.iter().map(|licence| licence.id.as_str()).collect::<Vec<_>>(), ["cloudCX3", "wem"]);
    let definitions = ok("definitions", client.licenses().definitions().await);
    assert!(definitions.iter().any(|definition| definition.id == "wem"));
    emulator.shutdown().await;
}

#[tokio::test]
async fn limits_report_what_is_enforced_and_what_a_test_overrides() {
    let emulator = start_default().await;
    let client = client_for(&emulator, CHILD);
    let namespaces = ok("namespaces", client.limits().namespaces().await);
    assert!(namespaces.contains(&"platform.api".to_string()), "{namespaces:?}");
    let api = ok("platform.api", client.limits().namespace("platform.api").await);
    assert_eq!(api.value("client.credentials.token.rate.per.minute"), Some(300), "the emulator's enforced rate limit");
    set_capacity(&emulator, json!({"org": CHILD, "limits": {"platform.api": {"client.credentials.token.rate.per.minute": 40}}})).await;
    assert_eq!(ok("overridden", client.limits().namespace("platform.api").await).value("client.credentials.token.rate.per.minute"), Some(40));
    assert_eq!(ok("defaults", client.limits().defaults("platform.api").await).value("client.credentials.token.rate.per.minute"), Some(300));
    let unknown = client.limits().namespace("no.such.namespace").await;
    assert!(matches!(unknown, Err(PlatformError::NotFound { .. })), "{unknown:?}");
    emulator.shutdown().await;
}

#[tokio::test]
async fn a_second_client_has_its_own_usage_and_its_checkout_locks_out_the_first() {
    let emulator = start_default().await;
    let first = client_for(&emulator, CHILD);
    let created = ok(
        "create client",
        first.oauth_clients().create(&OAuthClient { name: "ci-pipeline".into(), authorized_grant_type: "CLIENT-CREDENTIALS".into(), ..OAuthClient::default() }).await,
    );
    let secret = created.secret.clone().expect("a new client's secret");
    let mut config = ClientConfig::new(emulator.base_url(), created.id.clone(), secret);
    config.org_label = CHILD.to_owned();
    let second = client(config);

    // The second client checks a flow out; the first is refused, names the holder, and does not get it.
    let flows: Vec<_> = ok("flows", first.flows().list(None, None).try_collect().await);
    let flow = flows.first().expect("a flow").id.clone();
    ok("second checks out", second.flows().checkout(&flow).await);
    let holder = ok("holder", first.flows().lock_holder(&flow).await);
    assert!(matches!(&holder, Some(LockHolder::Client(entity)) if entity.id == created.id), "{holder:?}");
    assert!(holder.as_ref().is_some_and(|holder| holder.label().contains("ci-pipeline")));
    let refused = first.flows().checkout(&flow).await;
    assert!(matches!(&refused, Err(PlatformError::Conflict { .. })), "{refused:?}");
    assert!(refused.as_ref().err().is_some_and(|error| error.to_string().contains("ci-pipeline")), "{refused:?}");
    let still = ok("holder after refusal", first.flows().lock_holder(&flow).await);
    assert_eq!(still, holder, "the lock was not stolen");
    ok("second unlocks", second.flows().unlock(&flow).await);
    assert_eq!(ok("unlocked", first.flows().lock_holder(&flow).await), None);

    // Usage per client counts what each really sent.
    for _ in 0..3 {
        ok("me", second.orgs().me().await);
    }
    let wait = OperationWait::default();
    let rows = ok("second's usage", first.oauth_clients().usage_summary_and_wait(&created.id, 7, wait).await).results;
    assert!(rows.iter().all(|row| row.client_id.as_deref() == Some(created.id.as_str())));
    let me = rows.iter().find(|row| row.template_uri.as_deref() == Some("api/v2/organizations/me")).expect("organizations/me row");
    assert_eq!(me.requests, 3);
    let listed: Vec<_> = ok("clients", first.oauth_clients().list().try_collect().await);
    assert_eq!(listed.len(), 2, "the development client and the new one");
    let unknown = first.oauth_clients().usage_summary("nope", 7).await;
    assert!(matches!(unknown, Err(PlatformError::NotFound { .. })), "{unknown:?}");
    emulator.shutdown().await;
}

#[tokio::test]
async fn seats_are_an_extension_a_strict_emulator_does_not_serve() {
    let emulator = start(EmulatorOptions { strict: true, ..EmulatorOptions::default() }).await;
    let client = client_for(&emulator, CHILD);
    let seats = client.licenses().seats().await;
    assert!(matches!(seats, Err(PlatformError::Unsupported { .. })), "{seats:?}");
    assert!(!ok("licence users", client.licenses().users().try_collect::<Vec<_>>().await).is_empty());
    emulator.shutdown().await;
}
