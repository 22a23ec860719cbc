//! The demo's deploy step: the example config repository applied stage by stage to the embedded
//! emulator's orgs, then a second deployment during which someone edits a queue by hand — the
//! edit is kept and reported while every other org gets the change.

use std::sync::Arc;

use anyhow::Context;
use serde_json::{Value, json};
use switchboard_deploy::apply::{ApplyOptions, Progress};
use switchboard_deploy::config::Repository;
use switchboard_deploy::plan::{PlanOptions, Providers};
use switchboard_journal::Journal;
use switchboard_platform::{OrgClient, PlatformExt};

use crate::commands::deploy::{context, table};
use crate::target::Target;

/// Changes a queue's description by hand as the apply reaches its org.
struct HandEdit {
    org: String,
    queue: String,
    client: OrgClient,
}

impl Progress for HandEdit {
    fn org_started(&self, org: &str, _steps: usize) {
        if org != self.org {
            return;
        }
        let edit = async {
            let queues = self.client.queues();
            let mut queue = queues.list_all().await.ok()?.into_iter().find(|queue| queue.name == self.queue)?;
            queue.description = Some("Edited by a supervisor during the deployment".to_string());
            queues.update(&queue.id.clone(), &queue).await.ok()
        };
        // Progress callbacks are synchronous; the demo runs on the multi-threaded runtime.
        let done = tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(edit));
        if done.is_none() {
            eprintln!("  (the hand edit could not be made)");
        }
    }
}

async fn plan(desired: &switchboard_deploy::Desired, providers: &Providers, journal: &Journal) -> anyhow::Result<switchboard_deploy::plan::Plan> {
    let last = switchboard_deploy::record::last_applied(journal, &desired.environment, desired.orgs.iter().map(|org| org.org.as_str())).await?;
    Ok(switchboard_deploy::plan::plan(desired, providers, &last, &PlanOptions::default()).await?)
}

/// The demo's journal: a fresh SQLite file, removed (with its WAL files) on drop.
pub struct DemoJournal {
    pub journal: Journal,
    path: std::path::PathBuf,
}

impl DemoJournal {
    pub async fn open() -> anyhow::Result<Self> {
        let path = std::env::temp_dir().join(format!("switchboard-demo-journal-{}.db", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let journal = Journal::open(&path.display().to_string()).await.context("the demo's journal")?;
        Ok(Self { journal, path })
    }
}

impl Drop for DemoJournal {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.path.display()));
        }
    }
}

pub async fn run(target: &Target, journal: &Journal, text: bool) -> anyhow::Result<Value> {
    let repository = Repository::load(&super::flows::repository_file("examples/config"))?;
    let mut desired = repository.render("dev")?;
    let providers = context::providers(target, &desired)?;
    if text {
        println!("\n== deploy: examples/config to 4 orgs in 3 stages (parent first), --env dev ==");
    }
    let first = plan(&desired, &providers, journal).await?;
    let first_report = switchboard_deploy::apply::apply(&first, &providers, journal, &ApplyOptions::default()).await?;
    if text {
        table::print_report(&first_report);
    }
    // The next commit raises the regional support queues' alerting timeout ...
    for org in &mut desired.orgs {
        for resource in org.resources.iter_mut().filter(|resource| resource.key.kind == "queue" && resource.key.name.ends_with(" Support")) {
            resource.body["mediaSettings"]["call"]["alertingTimeoutSeconds"] = json!(45);
        }
        for resource in org.resources.iter_mut().filter(|resource| resource.key.kind == "queue" && resource.key.name.ends_with(" Support")) {
            resource.body["description"] = json!(format!("Support for {} (timeout raised)", org.org));
        }
    }
    let second = plan(&desired, &providers, journal).await?;
    if text {
        println!("\n== deploy: the next commit (a longer alerting timeout) while a supervisor edits na-east-1's queue ==");
        table::print_plan(&second);
    }
    let edit = HandEdit { org: "na-east-1".into(), queue: "NA East 1 Support".into(), client: target.environment.org("na-east-1")?.clone() };
    let options = ApplyOptions { progress: Arc::new(edit), ..ApplyOptions::default() };
    let second_report = switchboard_deploy::apply::apply(&second, &providers, journal, &options).await?;
    if text {
        table::print_report(&second_report);
    }
    let third = plan(&desired, &providers, journal).await?;
    Ok(json!({"first": first_report, "second": second_report, "after": third.summary()}))
}
