//! `rollback ID`: restores the snapshots a deployment took, in the orgs it touched only, then
//! reads every restored object again by id and compares it with its snapshot, byte for byte.
//!
//! Orgs are restored concurrently (bounded like apply's), each through its own provider, so the
//! same rate-aware client paces each org's requests. The environment's lease is held like
//! apply's: a short TTL renewed in the background, so a killed rollback blocks the
//! environment for one TTL at most (and `--break-lease` takes it over at once).

use std::time::Duration;

use futures_util::{StreamExt, stream};
use serde::Serialize;
use switchboard_journal::{DeploymentId, Journal, Status};

use crate::apply::restore::{RestoreError, Restored, restore_org};
use crate::key::ResourceKey;
use crate::plan::Providers;
use crate::provider::Provider;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrgRollback {
    pub org: String,
    pub restored: usize,
    /// Resources whose state after the rollback differs from their snapshot (empty: proven).
    pub mismatches: Vec<String>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RollbackReport {
    pub deployment: String,
    pub orgs: Vec<OrgRollback>,
}

impl RollbackReport {
    pub fn proven(&self) -> bool {
        self.orgs.iter().all(|org| org.error.is_none() && org.mismatches.is_empty())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RollbackError {
    #[error("journal: {0}")]
    Journal(#[from] switchboard_journal::JournalError),
    #[error("the environment lease: {0}")]
    Lease(String),
}

#[derive(Debug, Clone)]
pub struct RollbackOptions {
    /// Who holds the environment lease meanwhile.
    pub holder: String,
    /// Orgs restored at once (the policy's `concurrency`, as apply).
    pub concurrency: usize,
    /// The lease's TTL; renewed every third of it while the rollback runs.
    pub lease_ttl: Duration,
    /// Restored objects read back at once per org for the proof.
    pub proof_concurrency: usize,
}

impl Default for RollbackOptions {
    fn default() -> Self {
        Self { holder: format!("rollback-{}", std::process::id()), concurrency: 8, lease_ttl: Duration::from_secs(60), proof_concurrency: 8 }
    }
}

/// [`rollback_with`] with the default options and `holder`.
pub async fn rollback(id: &str, providers: &Providers, journal: &Journal, holder: &str) -> Result<RollbackReport, RollbackError> {
    rollback_with(id, providers, journal, &RollbackOptions { holder: holder.to_string(), ..RollbackOptions::default() }).await
}

pub async fn rollback_with(id: &str, providers: &Providers, journal: &Journal, options: &RollbackOptions) -> Result<RollbackReport, RollbackError> {
    let deployment = DeploymentId::from(id);
    let record = journal.deployment(&deployment).await?;
    let environment = record.summary.env.clone();
    let lease = journal.acquire_lease(&crate::record::lease_scope(&environment), &options.holder, options.lease_ttl).await?;
    let keeper = crate::apply::LeaseKeeper::start(lease, options.lease_ttl);
    let orgs: Vec<&str> = record.orgs.iter().filter(|org| org.status != Status::Pending && org.status != Status::RolledBack).map(|org| org.org.as_str()).collect();
    let results: Vec<Result<OrgRollback, RollbackError>> = stream::iter(orgs)
        .map(|org| {
            let (deployment, environment) = (&deployment, environment.as_str());
            async move {
                let Some(provider) = providers.get(org) else {
                    return Ok(OrgRollback { org: org.to_string(), restored: 0, mismatches: Vec::new(), error: Some("no provider for this org".into()) });
                };
                match restore_org(journal, deployment, environment, org, provider.as_ref()).await {
                    Ok(restored) => {
                        let mismatches = prove(provider.as_ref(), &restored, options.proof_concurrency).await;
                        journal.set_org_status(deployment, org, Status::RolledBack, None).await?;
                        Ok(OrgRollback { org: org.to_string(), restored: restored.len(), mismatches, error: None })
                    }
                    Err(RestoreError::Journal(error)) => Err(error.into()),
                    Err(error) => Ok(OrgRollback { org: org.to_string(), restored: 0, mismatches: Vec::new(), error: Some(error.to_string()) }),
                }
            }
        })
        .buffer_unordered(options.concurrency.max(1))
        .collect()
        .await;
    let released = keeper.release().await.map_err(|error| RollbackError::Lease(error.to_string()));
    let mut orgs = results.into_iter().collect::<Result<Vec<_>, _>>()?;
    released?;
    let order: Vec<&str> = record.orgs.iter().map(|org| org.org.as_str()).collect();
    orgs.sort_by_key(|report| order.iter().position(|org| *org == report.org).unwrap_or(usize::MAX));
    Ok(RollbackReport { deployment: id.to_string(), orgs })
}

/// Reads every restored object again by id (only the sub-collections its snapshot holds) and
/// names those that differ from their snapshot.
async fn prove(provider: &dyn Provider, restored: &[Restored], concurrency: usize) -> Vec<String> {
    let checks: Vec<Option<String>> = stream::iter(restored)
        .map(|item| async move {
            let key = ResourceKey::parse(&item.resource)?;
            let kind = key.kind.as_str();
            let document = item.before.as_ref().map(|object| object.body.clone()).unwrap_or(serde_json::Value::Null);
            let now = match &item.id {
                Some(id) => provider.read_like(kind, id, &document).await,
                None => provider.list(kind, std::slice::from_ref(&key.name)).await.map(|listed| listed.into_iter().find(|object| object.name == key.name)),
            };
            let now = match now {
                Ok(now) => now.map(|object| object.body),
                Err(error) => return Some(format!("{}: cannot read back: {error}", item.resource)),
            };
            let same = match (&item.before, &now) {
                (Some(before), Some(now)) => serde_json::to_string(&provider.comparable(kind, before.body.clone())).ok() == serde_json::to_string(&provider.comparable(kind, now.clone())).ok(),
                (None, None) => true,
                _ => false,
            };
            (!same).then(|| item.resource.clone())
        })
        .buffered(concurrency.max(1))
        .collect()
        .await;
    checks.into_iter().flatten().collect()
}
