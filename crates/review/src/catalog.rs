//! The target org's catalogue for reference checks, read through the real list endpoints
//! (integrations and their data actions, queues, data tables with their schemas, flows), joined
//! with the catalogues of the orgs it shares objects with (its hub).

use futures_util::TryStreamExt;
use std::collections::{BTreeMap, BTreeSet};
use switchboard_model::validate::Catalog;
use std::sync::Arc;
use switchboard_platform::{Platform, PlatformError, PlatformExt};

/// Names and ids of everything a flow may refer to in the org behind `platform`.
pub async fn fetch<P: Platform + ?Sized>(platform: &P) -> Result<Catalog, PlatformError> {
    let mut integrations = BTreeSet::new();
    for integration in platform.integrations().list().try_collect::<Vec<_>>().await? {
        integrations.insert(integration.id.clone());
        integrations.extend(integration.name);
    }
    for action in platform.integrations().actions(None).try_collect::<Vec<_>>().await? {
        integrations.insert(action.id);
        integrations.insert(action.name);
    }
    let queues = platform.queues().list_all().await?.into_iter().flat_map(|queue| [queue.id, queue.name]).collect();
    let mut datatables = BTreeMap::new();
    for table in platform.datatables().list(true).try_collect::<Vec<_>>().await? {
        let columns: BTreeSet<String> = table.schema.iter().flat_map(|schema| schema.properties.keys().cloned()).collect();
        datatables.insert(table.id.clone(), columns.clone());
        datatables.insert(table.name.clone(), columns);
    }
    let flows = platform
        .flows()
        .list(None, None)
        .try_collect::<Vec<_>>()
        .await?
        .into_iter()
        .filter(|flow| !flow.deleted)
        .flat_map(|flow| [flow.id, flow.name])
        .collect();
    Ok(Catalog { integrations: Some(integrations), queues: Some(queues), datatables: Some(datatables), flows: Some(flows) })
}

/// The org's catalogue plus every shared org's (a spoke's flow may name the hub's global queue).
pub async fn fetch_with_shared<P: Platform + ?Sized>(platform: &P, shared: &[Arc<dyn Platform>]) -> Result<Catalog, PlatformError> {
    let mut catalog = fetch(platform).await?;
    for org in shared {
        catalog.extend(fetch(org.as_ref()).await?);
    }
    Ok(catalog)
}
