//! What deploy costs in requests (issue 17): an update is one conditional write, a plan of
//! nothing changed reads listings only, and a rollback restores by id (no listings), orgs
//! concurrently, keeping hand edits made between plan and apply.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures_util::future::BoxFuture;
use serde_json::Value;
use switchboard_deploy::apply::ApplyOptions;
use switchboard_deploy::plan::Providers;
use switchboard_deploy::provider::ProviderResult;
use switchboard_deploy::rollback::{RollbackOptions, rollback_with};
use switchboard_deploy::{Desired, LiveObject, Provider};
use switchboard_emulator::EmulatorOptions;
use switchboard_platform::PlatformExt;

use crate::support;

const QUEUES: usize = 10;
const ORGS: u64 = 3;
const QUEUE: &str = "/api/v2/routing/queues/{id}";
const QUEUES_PATH: &str = "/api/v2/routing/queues";
const MEMBERS: &str = "/api/v2/routing/queues/{id}/members";

fn described(desired: &Desired, description: &str) -> Desired {
    let mut changed = desired.clone();
    for resource in changed.orgs.iter_mut().flat_map(|org| org.resources.iter_mut()) {
        resource.body["description"] = Value::String(description.into());
    }
    changed
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn updates_are_one_conditional_write_and_rollback_restores_by_id() {
    let emulator = support::start(EmulatorOptions::default()).await;
    let repo = support::QueueRepo::new("costs", QUEUES);
    let desired = repo.desired();
    let providers = support::providers(&emulator, &desired);
    let temp = support::journal("costs").await;
    let created = support::plan(&temp.journal, &desired, &providers).await;
    assert_eq!(created.summary().create, QUEUES * 3);
    support::apply(&temp.journal, &created, &providers, &ApplyOptions::default()).await;

    // Nothing changed: the plan reads the listings and no queue's members.
    let before = support::counters(&emulator).await;
    let unchanged = support::plan(&temp.journal, &desired, &providers).await;
    let after = support::counters(&emulator).await;
    assert!(!unchanged.has_changes(), "{:?}", unchanged.summary());
    assert_eq!(support::made(&before, &after, "GET", MEMBERS), 0, "a no-change plan read members");
    assert_eq!(support::total(&before, &after), 2 * ORGS, "per org: the queue listing and the user listing (members resolve to users)");

    // 30 description changes: 30 conditional PUTs and nothing else.
    let second = described(&desired, "second");
    let plan = support::plan(&temp.journal, &second, &providers).await;
    assert_eq!(plan.summary().update, QUEUES * 3);
    let before = support::counters(&emulator).await;
    let report = support::apply(&temp.journal, &plan, &providers, &ApplyOptions::default()).await;
    let after = support::counters(&emulator).await;
    assert_eq!(report.failed(), 0, "{report:#?}");
    assert_eq!(support::made(&before, &after, "PUT", QUEUE), QUEUES as u64 * ORGS);
    assert_eq!(support::total(&before, &after), QUEUES as u64 * ORGS, "an update is one write, no reads");

    // Rollback: by id, no listing; one write and one read back (with members) per queue.
    let before = support::counters(&emulator).await;
    let rolled = rollback_with(&report.deployment, &providers, &temp.journal, &RollbackOptions::default()).await.unwrap_or_else(|error| panic!("rollback: {error}"));
    let after = support::counters(&emulator).await;
    assert!(rolled.proven(), "{rolled:#?}");
    assert_eq!(rolled.orgs.iter().map(|org| org.restored).sum::<usize>(), QUEUES * 3);
    assert_eq!(support::made(&before, &after, "GET", QUEUES_PATH), 0, "rollback listed queues");
    assert_eq!(support::made(&before, &after, "PUT", QUEUE), QUEUES as u64 * ORGS);
    assert!(support::total(&before, &after) <= 3 * QUEUES as u64 * ORGS, "{} requests", support::total(&before, &after));
    let again = support::plan(&temp.journal, &desired, &providers).await;
    assert!(!again.has_changes(), "{:?}", again.summary());
}

/// Holds each org's first write until every org has reached its own: orgs restored one
/// after another never get past it.
struct Rendezvous {
    inner: Arc<dyn Provider>,
    barrier: Arc<tokio::sync::Barrier>,
    waited: AtomicBool,
}

impl Provider for Rendezvous {
    fn label(&self) -> &str {
        self.inner.label()
    }
    fn list<'a>(&'a self, kind: &'a str, expand: &'a [String]) -> BoxFuture<'a, ProviderResult<Vec<LiveObject>>> {
        self.inner.list(kind, expand)
    }
    fn read<'a>(&'a self, kind: &'a str, id: &'a str) -> BoxFuture<'a, ProviderResult<Option<LiveObject>>> {
        self.inner.read(kind, id)
    }
    fn read_like<'a>(&'a self, kind: &'a str, id: &'a str, document: &'a Value) -> BoxFuture<'a, ProviderResult<Option<LiveObject>>> {
        self.inner.read_like(kind, id, document)
    }
    fn create<'a>(&'a self, kind: &'a str, body: &'a Value) -> BoxFuture<'a, ProviderResult<LiveObject>> {
        self.inner.create(kind, body)
    }
    fn update<'a>(&'a self, current: &'a LiveObject, body: &'a Value) -> BoxFuture<'a, ProviderResult<LiveObject>> {
        Box::pin(async move {
            if !self.waited.swap(true, Ordering::SeqCst) {
                self.barrier.wait().await;
            }
            self.inner.update(current, body).await
        })
    }
    fn delete<'a>(&'a self, current: &'a LiveObject) -> BoxFuture<'a, ProviderResult<()>> {
        self.inner.delete(current)
    }
    fn comparable(&self, kind: &str, body: Value) -> Value {
        self.inner.comparable(kind, body)
    }
    fn kinds(&self) -> &'static [&'static str] {
        self.inner.kinds()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollback_restores_orgs_concurrently() {
    let emulator = support::start(EmulatorOptions::default()).await;
    let repo = support::QueueRepo::new("concurrent", 2);
    let desired = repo.desired();
    let providers = support::providers(&emulator, &desired);
    let temp = support::journal("concurrent").await;
    let first = support::plan(&temp.journal, &desired, &providers).await;
    support::apply(&temp.journal, &first, &providers, &ApplyOptions::default()).await;
    let plan = support::plan(&temp.journal, &described(&desired, "second"), &providers).await;
    let report = support::apply(&temp.journal, &plan, &providers, &ApplyOptions::default()).await;
    let barrier = Arc::new(tokio::sync::Barrier::new(providers.len()));
    let gated: Providers = providers
        .iter()
        .map(|(org, provider)| (org.clone(), Arc::new(Rendezvous { inner: provider.clone(), barrier: barrier.clone(), waited: AtomicBool::new(false) }) as Arc<dyn Provider>))
        .collect();
    let options = RollbackOptions::default();
    let rollback = rollback_with(&report.deployment, &gated, &temp.journal, &options);
    // A guard against a hang, not a measurement: sequential orgs never pass the rendezvous.
    let rolled = match tokio::time::timeout(Duration::from_secs(60), rollback).await {
        Ok(outcome) => outcome.unwrap_or_else(|error| panic!("rollback: {error}")),
        Err(_) => panic!("the orgs were not restored concurrently (the rendezvous never filled)"),
    };
    assert!(rolled.proven(), "{rolled:#?}");
}

/// A hand edit between plan and apply refuses the guarded write; apply reads again, and its
/// snapshot is the object as it really was, so a rollback keeps the hand edit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hand_edit_between_plan_and_apply_survives_the_rollback() {
    let emulator = support::start(EmulatorOptions::default()).await;
    let repo = support::QueueRepo::new("hand-edit", 1);
    let desired = repo.desired();
    let providers = support::providers(&emulator, &desired);
    let temp = support::journal("hand-edit").await;
    let first = support::plan(&temp.journal, &desired, &providers).await;
    support::apply(&temp.journal, &first, &providers, &ApplyOptions::default()).await;
    let plan = support::plan(&temp.journal, &described(&desired, "second"), &providers).await;
    // By hand, after the plan: a field the config does not manage.
    let client = support::client(&emulator, "na-east-1");
    let queues = client.queues().list_all().await.unwrap_or_else(|error| panic!("queues: {error}"));
    let Some(queue) = queues.into_iter().find(|queue| queue.name == "Q000") else { panic!("no Q000") };
    let mut edited = queue.clone();
    edited.skill_evaluation_method = Some("ALL".into());
    client.queues().update(&queue.id, &edited).await.unwrap_or_else(|error| panic!("hand edit: {error}"));

    let report = support::apply(&temp.journal, &plan, &providers, &ApplyOptions::default()).await;
    assert_eq!(report.failed(), 0, "{report:#?}");
    let rolled = switchboard_deploy::rollback::rollback(&report.deployment, &providers, &temp.journal, "test").await.unwrap_or_else(|error| panic!("rollback: {error}"));
    assert!(rolled.proven(), "{rolled:#?}");
    let now = client.queues().get(&queue.id).await.unwrap_or_else(|error| panic!("read: {error}")).value;
    assert_eq!(now.description.as_deref(), Some("first"));
    assert_eq!(now.skill_evaluation_method.as_deref(), Some("ALL"), "the rollback undid a hand edit it never made");
}
