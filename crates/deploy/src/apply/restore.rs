//! Restoring an org from its snapshots: objects we created are deleted, objects we changed or
//! deleted are written back, in reverse order of the steps; our last-applied records go back
//! to what they were. Used when an org fails mid-apply and by `rollback`.

use serde_json::Value;
use switchboard_journal::{DeploymentId, Journal};

use crate::key::ResourceKey;
use crate::provider::{LiveObject, Provider, ProviderError};
use crate::record::Before;

#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    #[error("journal: {0}")]
    Journal(#[from] switchboard_journal::JournalError),
    #[error("restoring {resource}: {source}")]
    Provider {
        resource: String,
        #[source]
        source: ProviderError,
    },
}

/// One restored resource: what it should be again and what it is now.
#[derive(Debug, Clone)]
pub struct Restored {
    pub resource: String,
    pub before: Option<LiveObject>,
    pub after: Option<LiveObject>,
}

async fn find_by_name(provider: &dyn Provider, key: &ResourceKey) -> Result<Option<LiveObject>, ProviderError> {
    let listed = provider.list(&key.kind, std::slice::from_ref(&key.name)).await?;
    Ok(listed.into_iter().find(|object| object.name == key.name))
}

/// Restores every snapshot of `org` in `deployment`, newest first.
pub async fn restore_org(journal: &Journal, deployment: &DeploymentId, environment: &str, org: &str, provider: &dyn Provider) -> Result<Vec<Restored>, RestoreError> {
    let mut snapshots = journal.snapshots(deployment, org).await?;
    snapshots.sort_by_key(|snapshot| std::cmp::Reverse(snapshot.taken_ms));
    let mut restored = Vec::new();
    for snapshot in snapshots {
        let Some(key) = ResourceKey::parse(&snapshot.resource_key) else { continue };
        let before: Before = snapshot.before.and_then(|value| serde_json::from_value(value).ok()).unwrap_or(Before { object: None, last: None });
        let wrap = |source| RestoreError::Provider { resource: snapshot.resource_key.clone(), source };
        let current = find_by_name(provider, &key).await.map_err(wrap)?;
        let after = match (&before.object, current) {
            (None, None) => None,
            (None, Some(current)) => {
                provider.delete(&current).await.map_err(wrap)?;
                None
            }
            (Some(object), Some(current)) => {
                let fresh = provider.read(&key.kind, &current.id).await.map_err(wrap)?.unwrap_or(current);
                if crate::plan::diff::holds(&provider.comparable(&key.kind, object.body.clone()), &provider.comparable(&key.kind, fresh.body.clone())) {
                    Some(fresh)
                } else {
                    Some(provider.update(&fresh, &restore_body(&object.body, &fresh.body)).await.map_err(wrap)?)
                }
            }
            (Some(object), None) => Some(provider.create(&key.kind, &object.body).await.map_err(wrap)?),
        };
        let last = before.last.as_ref().and_then(|last| serde_json::to_value(last).ok());
        journal.set_last_applied(environment, org, &snapshot.resource_key, last.as_ref()).await?;
        restored.push(Restored { resource: snapshot.resource_key.clone(), before: before.object, after });
    }
    Ok(restored)
}

/// The snapshot's document; sub-collections the snapshot holds replace the live ones whole.
fn restore_body(before: &Value, _live: &Value) -> Value {
    before.clone()
}
