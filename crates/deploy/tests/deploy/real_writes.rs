//! Writes the way the real API takes them (`--strict` emulator, no ETags). Integrations: the
//! configuration through `PUT /api/v2/integrations/{id}/config/current` at the version read,
//! the integration's own fields through `PATCH`, never `PUT /api/v2/integrations/{id}` (which
//! the real platform does not have); a configuration changed by hand mid-way is a conflict.
//! Queues: read-compare-write on the managed fields, so a hand edit is a conflict even when
//! `dateModified` tells nothing.

use futures_util::TryStreamExt;
use serde_json::json;
use switchboard_deploy::apply::ApplyOptions;
use switchboard_deploy::Desired;
use switchboard_emulator::EmulatorOptions;
use switchboard_platform::PlatformExt;
use switchboard_platform::api::emulator::RequestCounters;

use crate::support;

fn with_crm_url(mut desired: Desired, url: &str) -> Desired {
    for org in &mut desired.orgs {
        for resource in org.resources.iter_mut().filter(|resource| resource.key.kind == "integration") {
            resource.body["properties"]["endpointUrl"] = json!(url);
            resource.body["notes"] = json!("Customer lookups (moved)");
        }
    }
    desired
}

fn count(counters: &RequestCounters, method: &str, path: &str) -> u64 {
    counters.counters.iter().filter(|counter| counter.method == method && counter.path == path).map(|counter| counter.count).sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_integration_changes_through_patch_and_its_versioned_configuration() {
    let emulator = support::start(EmulatorOptions { strict: true, ..EmulatorOptions::default() }).await;
    let desired = support::example("dev");
    // Strict serves no /_emulator route: the providers' own requests are counted.
    let (providers, recorder) = support::recorded_providers(&emulator, &desired);
    let temp = support::journal("integration-real").await;
    let first = support::plan(&temp.journal, &desired, &providers).await;
    assert_eq!(support::apply(&temp.journal, &first, &providers, &ApplyOptions::default()).await.failed(), 0);

    let moved = with_crm_url(desired, "https://crm.dev.example.com/v2/lookup");
    let plan = support::plan(&temp.journal, &moved, &providers).await;
    let before = recorder.counters();
    let report = support::apply(&temp.journal, &plan, &providers, &ApplyOptions::default()).await;
    assert_eq!(report.failed(), 0, "{report:#?}");
    let after = recorder.counters();
    let config_path = "/api/v2/integrations/{id}/config/current";
    assert_eq!(count(&after, "PUT", config_path) - count(&before, "PUT", config_path), 1, "one configuration write");
    assert_eq!(count(&after, "PATCH", "/api/v2/integrations/{id}") - count(&before, "PATCH", "/api/v2/integrations/{id}"), 1, "one PATCH for the notes");
    assert_eq!(count(&after, "PUT", "/api/v2/integrations/{id}"), 0, "the real platform has no PUT on an integration");

    let client = support::client(&emulator, "global");
    let integration = client.integrations().list().try_collect::<Vec<_>>().await.unwrap_or_else(|error| panic!("integrations: {error}")).into_iter().find(|item| item.name.as_deref() == Some("Switchboard CRM"));
    let Some(integration) = integration else { panic!("no Switchboard CRM integration") };
    let config = client.integrations().config(&integration.id).await.unwrap_or_else(|error| panic!("config: {error}"));
    assert_eq!(config.properties.get("endpointUrl"), Some(&json!("https://crm.dev.example.com/v2/lookup")));
    assert_eq!(integration.notes.as_deref(), Some("Customer lookups (moved)"));
    assert!(!support::plan(&temp.journal, &moved, &providers).await.has_changes(), "converged: nothing left to write");

    // Someone changes the configuration after the provider read it: the stale version is a conflict.
    let Some(provider) = providers.get("global") else { panic!("no provider for global") };
    let seen = provider.list("integration", &[]).await.unwrap_or_else(|error| panic!("list: {error}")).into_iter().find(|object| object.name == "Switchboard CRM");
    let Some(seen) = seen else { panic!("not listed") };
    let mut by_hand = config.clone();
    by_hand.properties.insert("endpointUrl".into(), json!("https://crm.example.com/by-hand"));
    client.integrations().update_config(&integration.id, &by_hand).await.unwrap_or_else(|error| panic!("hand edit: {error}"));
    let mut body = seen.body.clone();
    body["properties"]["endpointUrl"] = json!("https://crm.dev.example.com/v3/lookup");
    let error = provider.update(&seen, &body).await.err().unwrap_or_else(|| panic!("a stale write went through"));
    assert!(error.is_conflict(), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queue_edited_by_hand_is_a_conflict_even_without_a_revision_to_compare() {
    let emulator = support::start(EmulatorOptions { strict: true, ..EmulatorOptions::default() }).await;
    let desired = support::example("dev");
    let providers = support::providers(&emulator, &desired);
    let temp = support::journal("queue-fields").await;
    let first = support::plan(&temp.journal, &desired, &providers).await;
    assert_eq!(support::apply(&temp.journal, &first, &providers, &ApplyOptions::default()).await.failed(), 0);
    let Some(provider) = providers.get("na-east-1") else { panic!("no provider for na-east-1") };
    let name = "NA East 1 Support".to_string();
    let listed = provider.list("queue", std::slice::from_ref(&name)).await.unwrap_or_else(|error| panic!("list: {error}"));
    let Some(mut seen) = listed.into_iter().find(|queue| queue.name == name) else { panic!("no {name}") };
    // A platform whose dateModified did not move (or moved within its resolution): no revision to go by.
    seen.revision = None;

    let client = support::client(&emulator, "na-east-1");
    let mut queue = client.queues().get(&seen.id).await.unwrap_or_else(|error| panic!("get: {error}")).value;
    queue.description = Some("Edited by a supervisor".into());
    client.queues().update(&seen.id, &queue).await.unwrap_or_else(|error| panic!("hand edit: {error}"));
    let mut body = seen.body.clone();
    body["mediaSettings"]["call"]["alertingTimeoutSeconds"] = json!(45);
    let error = provider.update(&seen, &body).await.err().unwrap_or_else(|| panic!("the write went over the hand edit"));
    assert!(error.is_conflict() && error.to_string().contains("description"), "{error}");
    let now = client.queues().get(&seen.id).await.unwrap_or_else(|error| panic!("get: {error}")).value;
    assert_eq!(now.description.as_deref(), Some("Edited by a supervisor"), "the hand edit stands");

    // Read again, the same write goes through.
    let fresh = provider.list("queue", std::slice::from_ref(&name)).await.unwrap_or_else(|error| panic!("list: {error}")).into_iter().find(|queue| queue.name == name);
    let Some(fresh) = fresh else { panic!("no {name}") };
    let mut body = fresh.body.clone();
    body["mediaSettings"]["call"]["alertingTimeoutSeconds"] = json!(45);
    let written = provider.update(&fresh, &body).await.unwrap_or_else(|error| panic!("write: {error}"));
    assert_eq!(written.body["mediaSettings"]["call"]["alertingTimeoutSeconds"], json!(45));
}
