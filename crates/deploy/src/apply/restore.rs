//! Restoring an org from its snapshots: objects we created are deleted, objects we changed or
//! deleted are written back, in reverse order of the steps; our last-applied records go back
//! to what they were. Used when an org fails mid-apply and by `rollback`.
//!
//! Every object is reached by id (the snapshot's, or the one our write recorded), never by a
//! listing. Where our last write left a guard (an ETag), the restore is one conditional write
//! over what we wrote; a refused guard (someone changed it since) reads the object and writes
//! again over what is there.

use serde_json::Value;
use switchboard_journal::{DeploymentId, Journal};

use crate::key::ResourceKey;
use crate::plan::LastApplied;
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
    /// Where it lives (`None`: we never learnt its id; a proof must find it by name).
    pub id: Option<String>,
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
        // What our write left there (its id and guard); a later deployment's, if one wrote since.
        let ours: Option<LastApplied> = journal.last_applied(environment, org, &snapshot.resource_key).await?.and_then(|value| serde_json::from_value(value).ok());
        let id = ours.as_ref().and_then(|ours| ours.id.clone()).or_else(|| before.object.as_ref().map(|object| object.id.clone()));
        let after = restore_one(provider, &key, &before, ours.as_ref(), id.as_deref())
            .await
            .map_err(|source| RestoreError::Provider { resource: snapshot.resource_key.clone(), source })?;
        let last = before.last.as_ref().and_then(|last| serde_json::to_value(last).ok());
        journal.set_last_applied(environment, org, &snapshot.resource_key, last.as_ref()).await?;
        let id = after.as_ref().map(|object| object.id.clone()).or(id);
        restored.push(Restored { resource: snapshot.resource_key.clone(), id, before: before.object, after });
    }
    Ok(restored)
}

/// A stand-in for an object known only by id (enough to delete it or to write over it).
fn known(key: &ResourceKey, id: &str, body: Value, ours: Option<&LastApplied>) -> LiveObject {
    LiveObject {
        kind: key.kind.clone(),
        name: key.name.clone(),
        id: id.to_string(),
        body,
        revision: ours.and_then(|ours| ours.revision.clone()),
        guard: ours.and_then(|ours| ours.guard.clone()),
        enabled: true,
        modified_by: None,
        modified_at: None,
    }
}

async fn restore_one(provider: &dyn Provider, key: &ResourceKey, before: &Before, ours: Option<&LastApplied>, id: Option<&str>) -> Result<Option<LiveObject>, ProviderError> {
    let Some(object) = &before.object else {
        // We created it: delete it (by id; a missing one is already gone).
        match id {
            Some(id) => provider.delete(&known(key, id, Value::Null, None)).await?,
            None => {
                if let Some(current) = find_by_name(provider, key).await? {
                    provider.delete(&current).await?;
                }
            }
        }
        return Ok(None);
    };
    let id = id.unwrap_or(object.id.as_str());
    // One conditional write over what we wrote, when our write left a guard.
    if let Some(ours) = ours.filter(|ours| ours.guard.is_some() && ours.id.as_deref() == Some(id)) {
        let current = known(key, id, ours.body.clone(), Some(ours));
        match provider.update(&current, &restore_body(&object.body, &ours.body)).await {
            Ok(written) => return Ok(Some(written)),
            Err(ProviderError::NotFound { .. }) => return Ok(Some(provider.create(&key.kind, &object.body).await?)),
            Err(error) if error.is_conflict() => {}
            Err(error) => return Err(error),
        }
    }
    match provider.read(&key.kind, id).await? {
        Some(fresh) if crate::plan::diff::holds(&provider.comparable(&key.kind, object.body.clone()), &provider.comparable(&key.kind, fresh.body.clone())) => Ok(Some(fresh)),
        Some(fresh) => Ok(Some(provider.update(&fresh, &restore_body(&object.body, &fresh.body)).await?)),
        None => Ok(Some(provider.create(&key.kind, &object.body).await?)),
    }
}

/// The snapshot's document; sub-collections the snapshot holds replace the live ones whole,
/// and a field the snapshot lacks but the object now has (we added it) is cleared.
fn restore_body(before: &Value, live: &Value) -> Value {
    let mut body = before.clone();
    if let (Value::Object(map), Value::Object(live)) = (&mut body, live) {
        for key in live.keys() {
            if !map.contains_key(key) && !matches!(key.as_str(), "members" | "rows" | "yaml") {
                map.insert(key.clone(), Value::Null);
            }
        }
    }
    body
}
