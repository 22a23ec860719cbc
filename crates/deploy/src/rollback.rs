//! `rollback ID`: restores the snapshots a deployment took, in the orgs it touched only, then
//! reads every restored object again and compares it with its snapshot, byte for byte.

use serde::Serialize;
use switchboard_journal::{DeploymentId, Journal, Status};

use crate::apply::restore::{RestoreError, restore_org};
use crate::plan::Providers;

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
}

pub async fn rollback(id: &str, providers: &Providers, journal: &Journal, holder: &str) -> Result<RollbackReport, RollbackError> {
    let deployment = DeploymentId::from(id);
    let record = journal.deployment(&deployment).await?;
    let environment = record.summary.env.clone();
    let lease = journal.acquire_lease(&crate::record::lease_scope(&environment), holder, std::time::Duration::from_secs(300)).await?;
    let mut orgs = Vec::new();
    for org in record.orgs.iter().filter(|org| org.status != Status::Pending && org.status != Status::RolledBack) {
        let Some(provider) = providers.get(&org.org) else {
            orgs.push(OrgRollback { org: org.org.clone(), restored: 0, mismatches: Vec::new(), error: Some("no provider for this org".into()) });
            continue;
        };
        match restore_org(journal, &deployment, &environment, &org.org, provider.as_ref()).await {
            Ok(restored) => {
                let mut mismatches = Vec::new();
                for item in &restored {
                    let kind = item.resource.split('/').next().unwrap_or_default();
                    let name = item.resource.split_once('/').map(|(_, name)| name).unwrap_or_default();
                    let now = match provider.list(kind, &[name.to_string()]).await {
                        Ok(listed) => listed.into_iter().find(|object| object.name == name).map(|object| object.body),
                        Err(error) => {
                            mismatches.push(format!("{}: cannot read back: {error}", item.resource));
                            continue;
                        }
                    };
                    let before = item.before.as_ref().map(|object| object.body.clone());
                    let same = match (&before, &now) {
                        (Some(before), Some(now)) => serde_json::to_string(&provider.comparable(kind, before.clone())).ok() == serde_json::to_string(&provider.comparable(kind, now.clone())).ok(),
                        (None, None) => true,
                        _ => false,
                    };
                    if !same {
                        mismatches.push(item.resource.clone());
                    }
                }
                journal.set_org_status(&deployment, &org.org, Status::RolledBack, None).await?;
                orgs.push(OrgRollback { org: org.org.clone(), restored: restored.len(), mismatches, error: None });
            }
            Err(RestoreError::Journal(error)) => return Err(error.into()),
            Err(error) => orgs.push(OrgRollback { org: org.org.clone(), restored: 0, mismatches: Vec::new(), error: Some(error.to_string()) }),
        }
    }
    lease.release().await?;
    Ok(RollbackReport { deployment: id.to_string(), orgs })
}
