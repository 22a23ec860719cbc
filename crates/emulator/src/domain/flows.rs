//! Flows and their versions: a new flow record, version numbering (`"3.0"`), and a flow
//! published from a definition (seeding). Used by the flow handlers and seeding.

use crate::state::{FlowRecord, OrgStore, StoredFlowVersion};
use switchboard_api::flow::{Flow, FlowVersion};
use switchboard_api::{Division, EntityRef};
use switchboard_model::flow::FlowDefinition;

pub fn new_flow(id: &str, name: &str, flow_type: &str, description: Option<String>, division: Division) -> Flow {
    Flow {
        id: id.to_string(),
        name: name.to_string(),
        division: Some(division),
        description,
        flow_type: flow_type.to_string(),
        self_uri: Some(format!("/api/v2/flows/{id}")),
        ..Flow::default()
    }
}

/// Version `number` of a flow (`"3.0"`), created at `now_ms`.
pub fn make_version(flow_id: &str, number: usize, version_type: &str, client: Option<EntityRef>, now_ms: i64) -> FlowVersion {
    let id = format!("{number}.0");
    let stamp = now_ms;
    FlowVersion {
        name: Some(format!("version {id}")),
        commit_version: Some(id.clone()),
        configuration_version: Some(id.clone()),
        version_type: Some(version_type.to_string()),
        created_by_client: client,
        configuration_uri: Some(format!("/api/v2/flows/{flow_id}/versions/{id}/configuration")),
        date_created: Some(stamp),
        date_saved: Some(stamp),
        self_uri: Some(format!("/api/v2/flows/{flow_id}/versions/{id}")),
        id,
        ..FlowVersion::default()
    }
}

/// Stores `definition` as flow `flow_id`, saved, checked in and published as version 1.0.
pub fn create_published(org: &mut OrgStore, flow_id: &str, definition: &FlowDefinition, now_ms: i64) {
    let flow = new_flow(flow_id, &definition.name, definition.flow_type.platform_name(), definition.description.clone(), org.home_division());
    let version = make_version(flow_id, 1, "PUBLISH", None, now_ms);
    let stored = StoredFlowVersion { version: version.clone(), definition: definition.clone() };
    let mut record = FlowRecord { flow, versions: vec![stored] };
    record.flow.saved_version = Some(version.clone());
    record.flow.checked_in_version = Some(version.clone());
    record.flow.published_version = Some(version);
    record.flow.active = true;
    org.flows.insert(flow_id.to_string(), record);
}
