//! The domain operation behind a publish job: find the flow by name and type (create it if needed),
//! save the definition as a new version and publish it, so live calls run it at once.

use crate::domain::flow_locks::require_not_locked_by_other;
use crate::domain::flows::{make_version, new_flow};
use crate::error::ApiError;
use crate::state::{FlowRecord, OrgStore, StoredFlowVersion};
use switchboard_api::EntityRef;
use switchboard_model::flow::FlowDefinition;

/// Publishes `definition` in `org` as `client`; answers the flow's reference. Refused when another
/// user or client holds the flow's lock, as Architect refuses to publish a flow checked out elsewhere.
pub fn publish_definition(org: &mut OrgStore, definition: FlowDefinition, client: &EntityRef, now_ms: i64) -> Result<EntityRef, ApiError> {
    let flow_type = definition.flow_type.platform_name();
    let existing = org
        .flows
        .values()
        .find(|record| !record.flow.deleted && record.flow.flow_type == flow_type && crate::domain::same_name(&record.flow.name, &definition.name))
        .map(|record| record.flow.id.clone());
    let flow_id = match existing {
        Some(id) => id,
        None => {
            let id = org.next_id("flow");
            let flow = new_flow(&id, &definition.name, flow_type, definition.description.clone(), org.home_division());
            org.flows.insert(id.clone(), FlowRecord { flow, versions: Vec::new() });
            id
        }
    };
    let record = org.flows.get_mut(&flow_id).ok_or_else(|| ApiError::not_found("flow", &flow_id))?;
    require_not_locked_by_other(&record.flow, client)?;
    let version = make_version(&flow_id, record.versions.len() + 1, "PUBLISH", Some(client.clone()), now_ms);
    if definition.description.is_some() {
        record.flow.description = definition.description.clone();
    }
    record.versions.push(StoredFlowVersion { version: version.clone(), definition });
    record.flow.saved_version = Some(version.clone());
    record.flow.checked_in_version = Some(version.clone());
    record.flow.published_version = Some(version);
    record.flow.active = true;
    record.flow.locked_client = None;
    Ok(EntityRef::new(flow_id.clone(), record.flow.name.clone(), format!("/api/v2/flows/{flow_id}")))
}
