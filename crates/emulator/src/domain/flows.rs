//! Flows and their versions: a new flow record, version numbering (`"3.0"`), a flow published
//! from a definition (seeding), and the rules of the flow handlers: unique names per type, the
//! creator's lock, and what a saved version may hold. Used by the flow handlers and seeding.

use super::{DomainError, flow_locks, require_name};
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

/// Creates a flow; as on the real platform the new flow is locked by its creator. A live flow of
/// the same type and name (any case) is a conflict.
pub fn create(
    org: &mut OrgStore,
    name: &str,
    flow_type: &str,
    description: Option<String>,
    division: Option<Division>,
    creator: EntityRef,
) -> Result<Flow, DomainError> {
    require_name(name)?;
    let flow_type = flow_type.to_ascii_uppercase();
    if flow_type.is_empty() {
        return Err(DomainError::Invalid("type: required, e.g. INBOUNDCALL".into()));
    }
    let taken = org.flows.values().any(|record| !record.flow.deleted && record.flow.flow_type == flow_type && crate::domain::same_name(&record.flow.name, name));
    if taken {
        return Err(DomainError::Conflict(format!("A {flow_type} flow named `{name}` already exists")));
    }
    let id = org.next_id("flow");
    let division = division.unwrap_or_else(|| org.home_division());
    let mut flow = new_flow(&id, name, &flow_type, description, division);
    flow.locked_client = Some(creator);
    org.flows.insert(id, FlowRecord { flow: flow.clone(), versions: Vec::new() });
    Ok(flow)
}

/// Renames and describes a flow; the caller must hold its lock.
pub fn rename(org: &mut OrgStore, id: &str, holder: &EntityRef, name: String, description: Option<String>) -> Result<Flow, DomainError> {
    require_name(&name)?;
    let record = flow_locks::find_mut(org, id)?;
    flow_locks::require_lock_holder(&record.flow, holder)?;
    record.flow.name = name;
    record.flow.description = description;
    Ok(record.flow.clone())
}

/// Deletes a flow nobody else holds.
pub fn delete(org: &mut OrgStore, id: &str, holder: &EntityRef) -> Result<(), DomainError> {
    let record = flow_locks::find(org, id)?;
    flow_locks::require_not_locked_by_other(&record.flow, holder)?;
    org.flows.remove(id);
    Ok(())
}

/// Saves `definition` as the flow's new version; the caller must hold the lock. A version names
/// only blocks it has (the runtime follows every name): the model's `missing-block` rule; other
/// graph findings are for validation, not for saving a draft.
pub fn save_version(org: &mut OrgStore, id: &str, holder: EntityRef, definition: FlowDefinition, now_ms: i64) -> Result<FlowVersion, DomainError> {
    let missing: Vec<String> = switchboard_model::validate::validate_graph(&definition)
        .into_iter()
        .filter(|diagnostic| diagnostic.code == "missing-block")
        .map(|diagnostic| diagnostic.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(DomainError::Invalid(missing.join("; ")));
    }
    let record = flow_locks::find_mut(org, id)?;
    flow_locks::require_lock_holder(&record.flow, &holder)?;
    let version = make_version(id, record.versions.len() + 1, "SAVE", Some(holder), now_ms);
    record.versions.push(StoredFlowVersion { version: version.clone(), definition });
    record.flow.saved_version = Some(version.clone());
    Ok(version)
}
