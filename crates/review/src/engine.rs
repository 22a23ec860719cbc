//! One review run: load the flows (files, or the org's own through an Architect export job), read
//! the org's catalogue, validate statically, take the flows' locks, run the live checks, and always
//! release the locks, also when a check fails or the caller cancels (Ctrl-C).

use crate::finding::{Check, CheckRun, CheckStatus, Finding, Review};
use crate::live::{self, LivePolicy};
use crate::locks;
use crate::static_checks::{self, FlowText, StaticPolicy};
use futures_util::TryStreamExt;
use std::collections::BTreeSet;
use std::future::Future;
use std::time::Instant;
use switchboard_platform::{OperationWait, Platform, PlatformExt};

/// A flow to review: a file's text, or the name of a flow in the org (exported as Archy YAML).
#[derive(Debug, Clone)]
pub enum FlowRef {
    Text(FlowText),
    Org(String),
}

/// Everything a review is told.
#[derive(Clone)]
pub struct ReviewConfig {
    /// The environment's name for the reports (`sandbox`, `prod`).
    pub environment: String,
    pub flows: Vec<FlowRef>,
    /// The checks to run; the rest are reported as skipped.
    pub checks: BTreeSet<Check>,
    pub static_policy: StaticPolicy,
    /// Check references against the org's catalogue (off only for offline use).
    pub check_references: bool,
    /// This client's OAuth client id, to recognise a lock it left behind.
    pub own_client_id: Option<String>,
    pub live: LivePolicy,
    /// Orgs whose objects the reviewed org's flows may name (hub-and-spoke: its parent and their
    /// ancestors, seed 002): their catalogues join the org's own for the reference checks.
    pub shared_orgs: Vec<std::sync::Arc<dyn Platform>>,
}

impl std::fmt::Debug for ReviewConfig {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("ReviewConfig")
            .field("environment", &self.environment)
            .field("flows", &self.flows)
            .field("checks", &self.checks)
            .field("static_policy", &self.static_policy)
            .field("check_references", &self.check_references)
            .field("own_client_id", &self.own_client_id)
            .field("live", &self.live)
            .field("shared_orgs", &self.shared_orgs.iter().map(|org| org.label().to_string()).collect::<Vec<_>>())
            .finish()
    }
}

impl ReviewConfig {
    pub fn new(environment: &str, flows: Vec<FlowRef>) -> ReviewConfig {
        ReviewConfig {
            environment: environment.to_string(),
            flows,
            checks: Check::ALL.into_iter().collect(),
            static_policy: StaticPolicy::default(),
            check_references: true,
            own_client_id: None,
            live: LivePolicy::default(),
            shared_orgs: Vec::new(),
        }
    }
}

/// Runs the review against `platform`. `cancel` resolving (Ctrl-C) stops the live checks; locks
/// are released either way and the review reports the interruption as "could not run".
pub async fn run<P: Platform + ?Sized>(platform: &P, config: &ReviewConfig, cancel: impl Future<Output = ()>) -> Review {
    let started_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let started = Instant::now();
    let mut runs: Vec<CheckRun> = Vec::new();
    let mut findings: Vec<Finding> = Vec::new();
    let timed = |check, status, subjects, since: Instant| CheckRun { check, status, subjects, duration_ms: since.elapsed().as_millis() as u64 };

    // Flows: files as given, org flows through an export job.
    let check_started = Instant::now();
    let mut texts = Vec::new();
    let mut could_not_load = None;
    for flow in &config.flows {
        match flow {
            FlowRef::Text(text) => texts.push(text.clone()),
            FlowRef::Org(name) => match export(platform, name).await {
                Ok(text) => texts.push(FlowText { origin: format!("org:{name}"), text }),
                Err(reason) => could_not_load = Some(reason),
            },
        }
    }
    let (loaded, load_findings) = static_checks::load(&texts);
    findings.extend(load_findings);

    if config.checks.contains(&Check::StaticValidation) {
        let mut policy = config.static_policy.clone();
        let catalog = if config.check_references { Some(crate::catalog::fetch_with_shared(platform, &config.shared_orgs).await) } else { None };
        match (could_not_load, catalog) {
            (Some(reason), _) => runs.push(timed(Check::StaticValidation, CheckStatus::CouldNotRun(reason), Vec::new(), check_started)),
            (None, Some(Err(error))) => runs.push(timed(
                Check::StaticValidation,
                CheckStatus::CouldNotRun(format!("reading the org's catalogue: {error}")),
                Vec::new(),
                check_started,
            )),
            (None, catalog) => {
                if let Some(Ok(catalog)) = catalog {
                    policy.catalog = catalog;
                }
                let (mut run, found) = static_checks::run(&loaded, &policy);
                // Files that did not load are subjects too, so their failure shows as a test case.
                run.subjects.extend(findings.iter().filter(|finding| finding.code == "unloadable-flow").map(|finding| finding.subject.clone()));
                runs.push(CheckRun { duration_ms: check_started.elapsed().as_millis() as u64, ..run });
                findings.extend(found);
            }
        }
    } else {
        runs.push(timed(Check::StaticValidation, CheckStatus::Skipped("not requested".into()), Vec::new(), check_started));
    }

    // Locks first among the live checks, so nobody deploys the flows while the review runs. The
    // check's time is acquiring plus releasing, not the time the locks are held.
    let lock_started = Instant::now();
    let flow_names: Vec<String> = loaded.iter().map(|flow| flow.definition.name.clone()).collect();
    let mut held = locks::HeldLocks::default();
    let mut lock_run = None;
    if config.checks.contains(&Check::FlowLocks) {
        match locks::acquire(platform, &flow_names, config.own_client_id.as_deref()).await {
            Ok((locks_held, found)) => {
                held = locks_held;
                findings.extend(found);
                lock_run = Some(CheckStatus::Ran);
            }
            // The locks taken before the error are already released (and any failed unlock reported).
            Err(failed) => {
                findings.extend(failed.release_findings);
                lock_run = Some(CheckStatus::CouldNotRun(format!("checking flow locks: {}", failed.error)));
            }
        }
    }

    let lock_acquire_ms = lock_started.elapsed().as_millis() as u64;
    let live_checks = live::run(platform, config, &loaded);
    let (live_runs, live_findings) = tokio::select! {
        result = live_checks => result,
        () = cancel => {
            // A drill cut short leaves its fault rules; take them off before anything else.
            if let Some(live) = &config.live.live_calls {
                live.remove_own_faults().await;
            }
            let interrupted = config
                .checks
                .iter()
                .filter(|check| !matches!(check, Check::StaticValidation | Check::FlowLocks))
                .map(|check| CheckRun { check: *check, status: CheckStatus::CouldNotRun("interrupted".into()), subjects: Vec::new(), duration_ms: 0 })
                .collect();
            (interrupted, Vec::new())
        }
    };
    runs.extend(live_runs);
    findings.extend(live_findings);

    // Release on every path (check failures included): the review never leaves a lock behind.
    let release_started = Instant::now();
    findings.extend(held.release(platform).await);
    let lock_ms = lock_acquire_ms + release_started.elapsed().as_millis() as u64;
    match lock_run {
        Some(status) => runs.push(CheckRun {
            check: Check::FlowLocks,
            status,
            subjects: flow_names.iter().map(|name| locks::subject(name)).collect(),
            duration_ms: lock_ms,
        }),
        None => runs.push(CheckRun { check: Check::FlowLocks, status: CheckStatus::Skipped("not requested".into()), subjects: Vec::new(), duration_ms: 0 }),
    }
    runs.sort_by_key(|run| run.check);
    Review::new(&config.environment, started_at, started.elapsed().as_millis() as u64, runs, findings)
}

/// The org's flow as Archy YAML, through the real Architect export job.
async fn export<P: Platform + ?Sized>(platform: &P, name: &str) -> Result<String, String> {
    let flows: Vec<_> = platform.flows().list(Some(name), None).try_collect().await.map_err(|error| format!("listing flows: {error}"))?;
    let Some(flow) = flows.into_iter().find(|flow| flow.name == name) else {
        return Err(format!("flow `{name}` is neither a file nor a flow in the org"));
    };
    platform.flows().export(&flow.id, None, OperationWait::default()).await.map_err(|error| format!("exporting flow `{name}`: {error}"))
}
