//! The target org's catalogue for reference checks, read through the real list endpoints
//! (integrations and their data actions, queues, data tables with their schemas, flows).

use futures_util::TryStreamExt;
use std::collections::{BTreeMap, BTreeSet};
use switchboard_model::validate::Catalog;
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
