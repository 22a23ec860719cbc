//! Reading live state for a plan: per org, one paged listing per kind it needs, concurrently
//! across orgs. Sub-collections (members, rows, flow content) are read only for managed objects
//! whose revision moved since we last applied them (or that we never applied).

use std::collections::{BTreeMap, BTreeSet};

use futures_util::{StreamExt, TryStreamExt, stream};
use serde_json::Value;

use super::{LastApplied, LastAppliedState, PlanError, PlanOptions, Providers};
use crate::desired::Desired;
use crate::key::ResourceKey;
use crate::provider::LiveObject;

#[derive(Debug, Clone, Default)]
pub struct LiveState {
    /// Org → its objects of the kinds read.
    pub orgs: BTreeMap<String, Vec<LiveObject>>,
    /// Capacity-aware weights' agent counts, read after the listings (`crate::capacity`).
    pub capacities: crate::capacity::Counts,
}

impl LiveState {
    pub fn find(&self, org: &str, key: &ResourceKey) -> Option<&LiveObject> {
        self.orgs.get(org)?.iter().find(|object| object.kind == key.kind && object.name == key.name)
    }
}

/// The live document, with sub-collections the listing left out taken from what we last
/// applied when the platform says nothing changed since (same revision).
pub fn with_last_known(object: &LiveObject, last: Option<&LastApplied>) -> Value {
    let mut body = object.body.clone();
    let Some(last) = last else { return body };
    if last.revision.is_none() || last.revision != object.revision {
        return body;
    }
    if let (Value::Object(map), Value::Object(last_body)) = (&mut body, &last.body) {
        for (key, value) in last_body {
            map.entry(key.clone()).or_insert_with(|| value.clone());
        }
    }
    body
}

/// The live object as a plan saw it: [`with_last_known`]'s body, and our last write's guard
/// while the revision has not moved (so apply's update is one conditional write).
pub fn seen(object: &LiveObject, last: Option<&LastApplied>) -> LiveObject {
    let unmoved = last.is_some_and(|last| last.revision.is_some() && last.revision == object.revision);
    let guard = if unmoved { object.guard.clone().or_else(|| last.and_then(|last| last.guard.clone())) } else { object.guard.clone() };
    LiveObject { body: with_last_known(object, last), guard, ..object.clone() }
}

/// Kinds each org must list: what it manages, what it references, what it managed before.
fn needed_kinds(desired: &Desired, last: &LastAppliedState, options: &PlanOptions) -> BTreeMap<String, BTreeSet<String>> {
    let mut kinds: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for org in desired.orgs.iter().filter(|org| options.orgs.is_empty() || options.orgs.contains(&org.org)) {
        let entry = kinds.entry(org.org.clone()).or_default();
        for resource in &org.resources {
            entry.insert(resource.key.kind.clone());
        }
        for key in last.get(&org.org).map(|records| records.keys()).into_iter().flatten() {
            if let Some(key) = ResourceKey::parse(key) {
                entry.insert(key.kind);
            }
        }
        for resource in &org.resources {
            for dependency in &resource.depends_on {
                let target = dependency.reference.org.clone().unwrap_or_else(|| org.org.clone());
                kinds.entry(target).or_default().insert(dependency.reference.key.kind.clone());
            }
        }
    }
    kinds
}

pub async fn read_live(desired: &Desired, providers: &Providers, last: &LastAppliedState, options: &PlanOptions) -> Result<LiveState, PlanError> {
    let needed = needed_kinds(desired, last, options);
    let results: Vec<(String, Vec<LiveObject>)> = stream::iter(needed)
        .map(|(org, kinds)| async move {
            let provider = providers.get(&org).ok_or_else(|| PlanError::NoProvider { org: org.clone() })?;
            let wrap = |source| PlanError::Provider { org: org.clone(), source };
            let org_desired = desired.org(&org);
            let org_last = last.get(&org);
            let mut objects = Vec::new();
            for kind in kinds {
                let mut listed = provider.list(&kind, &[]).await.map_err(wrap)?;
                // Managed objects whose listing lacks a field we manage and whose revision moved.
                let expand: Vec<String> = org_desired
                    .map(|org| org.resources.iter().filter(|resource| resource.key.kind == kind).collect::<Vec<_>>())
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|resource| {
                        let Some(object) = listed.iter().find(|object| object.name == resource.key.name) else { return false };
                        let known = with_last_known(object, org_last.and_then(|records| records.get(&resource.key.to_string())));
                        resource.body.as_object().is_some_and(|fields| fields.keys().any(|field| known.get(field).is_none()))
                    })
                    .map(|resource| resource.key.name.clone())
                    .collect();
                if !expand.is_empty() {
                    listed = provider.list(&kind, &expand).await.map_err(wrap)?;
                }
                objects.extend(listed);
            }
            Ok::<_, PlanError>((org, objects))
        })
        .buffer_unordered(options.concurrency.max(1))
        .try_collect()
        .await?;
    Ok(LiveState { orgs: results.into_iter().collect(), capacities: Default::default() })
}
