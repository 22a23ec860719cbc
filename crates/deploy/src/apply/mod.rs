//! `apply`: executes a plan stage by stage (groups in promotion order), orgs of a stage
//! concurrently and bounded, each org a transaction (snapshot before each write, restore on
//! failure), every step journaled so `--resume` finishes exactly the unfinished orgs.

mod lease;
pub(crate) use lease::LeaseKeeper;
mod org;
mod progress;
pub mod restore;

pub use progress::{Progress, Silent, StepOutcome};

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{StreamExt, stream};
use serde::Serialize;
use switchboard_journal::{DeploymentId, Journal, Status};

use crate::plan::{IdIndex, Plan, Providers};

#[derive(Clone)]
pub struct ApplyOptions {
    /// Overwrite hand-changed managed fields instead of keeping them.
    pub force: bool,
    /// Stop every org at the first failed one (the failed org is still restored).
    pub fail_fast: bool,
    /// Changes the policy flags for approval may proceed.
    pub approve: bool,
    pub concurrency: usize,
    /// Who holds the environment lease (host and process, or a CI job id).
    pub holder: String,
    pub lease_ttl: Duration,
    /// Apply only these orgs of the plan (an org canary's first share); empty = all.
    pub orgs: Vec<String>,
    /// Read-compare-write rounds per resource before a contended write fails the org.
    pub max_rounds: u32,
    pub progress: Arc<dyn Progress>,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        Self {
            force: false,
            fail_fast: false,
            approve: false,
            concurrency: 8,
            holder: format!("switchboard-{}", std::process::id()),
            lease_ttl: Duration::from_secs(60),
            orgs: Vec::new(),
            max_rounds: 5,
            progress: Arc::new(Silent),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error("the plan has {} pre-flight problem(s); nothing was written:\n{}", .0.len(), .0.join("\n"))]
    Preflight(Vec<String>),
    #[error("{} change(s) need approval (pass --approve):\n{}", .0.len(), .0.join("\n"))]
    NeedsApproval(Vec<String>),
    #[error("journal: {0}")]
    Journal(#[from] switchboard_journal::JournalError),
    #[error("the environment lease: {0}")]
    Lease(String),
    #[error("deployment {id}: the stored plan cannot be read: {message}")]
    StoredPlan { id: String, message: String },
}

/// A hand-changed field that apply left alone.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConflictReport {
    pub resource: String,
    pub field: String,
    pub live: Option<serde_json::Value>,
    pub desired: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrgReport {
    pub org: String,
    pub status: String,
    pub written: usize,
    pub unchanged: usize,
    pub conflicts: Vec<ConflictReport>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApplyReport {
    pub deployment: String,
    pub environment: String,
    pub orgs: Vec<OrgReport>,
}

impl ApplyReport {
    pub fn failed(&self) -> usize {
        self.orgs.iter().filter(|org| org.status == Status::Failed.as_str()).count()
    }

    pub fn written(&self) -> usize {
        self.orgs.iter().map(|org| org.written).sum()
    }
}

/// Applies `plan`, recording a new deployment in `journal`.
pub async fn apply(plan: &Plan, providers: &Providers, journal: &Journal, options: &ApplyOptions) -> Result<ApplyReport, ApplyError> {
    if !plan.problems.is_empty() {
        return Err(ApplyError::Preflight(plan.problems.iter().map(ToString::to_string).collect()));
    }
    if plan.needs_approval() && !options.approve {
        let reasons = plan
            .orgs
            .iter()
            .flat_map(|org| org.changes.iter().filter(|change| change.action.writes() && !change.approval.is_empty()).map(move |change| format!("{} {}: {}", org.org, change.key, change.approval.join("; "))))
            .collect();
        return Err(ApplyError::NeedsApproval(reasons));
    }
    let lease = journal.acquire_lease(&crate::record::lease_scope(&plan.environment), &options.holder, options.lease_ttl).await?;
    let orgs: Vec<&str> = selected(plan, options).map(|org| org.org.as_str()).collect();
    let plan_json = serde_json::to_value(plan).map_err(|error| ApplyError::StoredPlan { id: "-".into(), message: error.to_string() })?;
    let deployment = journal.create_deployment(&plan.environment, &plan_json, orgs.iter().copied()).await?;
    run(plan, providers, journal, &deployment, options, &BTreeMap::new(), lease).await
}

/// Finishes deployment `id`: only its unfinished orgs, skipping steps already done.
pub async fn resume(id: &str, providers: &Providers, journal: &Journal, options: &ApplyOptions) -> Result<ApplyReport, ApplyError> {
    let deployment_id = DeploymentId::from(id);
    let record = journal.deployment(&deployment_id).await?;
    let plan: Plan = serde_json::from_value(record.plan.clone()).map_err(|error| ApplyError::StoredPlan { id: id.to_string(), message: error.to_string() })?;
    let unfinished: BTreeSet<String> = journal.unfinished_orgs(&deployment_id).await?.into_iter().collect();
    let done_steps: BTreeMap<String, BTreeSet<String>> = record
        .orgs
        .iter()
        .map(|org| (org.org.clone(), org.steps.iter().filter(|step| step.status == Status::Done).map(|step| step.resource_key.clone()).collect()))
        .collect();
    let lease = journal.acquire_lease(&crate::record::lease_scope(&plan.environment), &options.holder, options.lease_ttl).await?;
    let mut options = options.clone();
    options.orgs = plan.orgs.iter().map(|org| org.org.clone()).filter(|org| unfinished.contains(org)).collect();
    if options.orgs.is_empty() {
        lease.release().await?;
        return Ok(ApplyReport { deployment: id.to_string(), environment: plan.environment.clone(), orgs: Vec::new() });
    }
    run(&plan, providers, journal, &deployment_id, &options, &done_steps, lease).await
}

fn selected<'a>(plan: &'a Plan, options: &'a ApplyOptions) -> impl Iterator<Item = &'a crate::plan::OrgPlan> {
    plan.orgs.iter().filter(|org| options.orgs.is_empty() || options.orgs.contains(&org.org))
}

async fn run(
    plan: &Plan,
    providers: &Providers,
    journal: &Journal,
    deployment: &DeploymentId,
    options: &ApplyOptions,
    done_steps: &BTreeMap<String, BTreeSet<String>>,
    lease: switchboard_journal::Lease,
) -> Result<ApplyReport, ApplyError> {
    let keeper = lease::LeaseKeeper::start(lease, options.lease_ttl);
    let mut index = IdIndex::default();
    for known in &plan.known_ids {
        index.insert(&known.org, &known.kind, &known.name, &known.id, true);
    }
    for org in &plan.orgs {
        for change in &org.changes {
            if let Some(seen) = &change.seen {
                index.insert(&org.org, &seen.kind, &seen.name, &seen.id, seen.enabled);
            }
        }
    }
    fill_missing_ids(plan, providers, options, &mut index).await;
    let ids = Arc::new(Mutex::new(index));
    let mut reports = Vec::new();
    let stages: BTreeSet<usize> = selected(plan, options).map(|org| org.stage).collect();
    let mut stop = false;
    for stage in stages {
        if stop {
            break;
        }
        let orgs: Vec<&crate::plan::OrgPlan> = selected(plan, options).filter(|org| org.stage == stage).collect();
        let results: Vec<OrgReport> = stream::iter(orgs)
            .map(|org_plan| {
                let ids = ids.clone();
                let done = done_steps.get(&org_plan.org).cloned().unwrap_or_default();
                let resuming = done_steps.contains_key(&org_plan.org);
                async move {
                    let Some(provider) = providers.get(&org_plan.org) else {
                        return OrgReport { org: org_plan.org.clone(), status: Status::Failed.as_str().into(), written: 0, unchanged: 0, conflicts: Vec::new(), error: Some("no provider for this org".into()) };
                    };
                    let context = org::OrgContext { plan, org_plan, provider: provider.as_ref(), providers, journal, deployment, options, ids, done, resuming };
                    org::apply_org(context).await
                }
            })
            .buffer_unordered(options.concurrency.max(1))
            .collect()
            .await;
        stop = options.fail_fast && results.iter().any(|report| report.status == Status::Failed.as_str());
        reports.extend(results);
    }
    keeper.release().await?;
    let order: Vec<&str> = plan.orgs.iter().map(|org| org.org.as_str()).collect();
    reports.sort_by_key(|report| order.iter().position(|org| *org == report.org).unwrap_or(usize::MAX));
    Ok(ApplyReport { deployment: deployment.to_string(), environment: plan.environment.clone(), orgs: reports })
}

/// References the plan could not resolve (their targets were to be created) whose orgs this
/// run does not apply (a resumed deployment, an org subset): read them from their orgs now.
async fn fill_missing_ids(plan: &Plan, providers: &Providers, options: &ApplyOptions, index: &mut IdIndex) {
    let mut wanted: BTreeSet<(String, String)> = BTreeSet::new();
    for org in selected(plan, options) {
        for change in &org.changes {
            for dependency in &change.depends_on {
                let target = dependency.reference.org.clone().unwrap_or_else(|| org.org.clone());
                if index.lookup(&target, &dependency.reference.key).is_none() {
                    wanted.insert((target, dependency.reference.key.kind.clone()));
                }
            }
        }
    }
    for (org, kind) in wanted {
        let Some(provider) = providers.get(&org) else { continue };
        // A failure here surfaces later as an unresolved reference naming the resource.
        if let Ok(objects) = provider.list(&kind, &[]).await {
            for object in objects {
                index.insert(&org, &object.kind, &object.name, &object.id, object.enabled);
            }
        }
    }
}
