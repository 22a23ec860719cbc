//! Architect's flow locks and the flow actions built on them. A flow is held by an OAuth client
//! (`lockedClient`) or, through the seeds' lock endpoint, by a named owner (`lockedUser`);
//! saving, checking in, reverting and deleting need the lock (or no other holder), and publish
//! answers with an `Operation` that stays pending until `complete_publish`, as the real
//! platform's asynchronous publish. Used by the flow handlers and Architect jobs.

use super::DomainError;
use crate::state::{FlowRecord, OrgStore};
use switchboard_api::EntityRef;
use switchboard_api::flow::{Flow, Operation, action_status};

/// An OAuth client of the org as a lock holder.
pub fn holder(org: &OrgStore, client_id: &str) -> EntityRef {
    let name = super::oauth_clients::name_of(org, client_id);
    EntityRef::new(client_id.to_string(), name, format!("/api/v2/oauth/clients/{client_id}"))
}

pub fn find<'a>(org: &'a OrgStore, id: &str) -> Result<&'a FlowRecord, DomainError> {
    org.flows.get(id).filter(|record| !record.flow.deleted).ok_or_else(|| DomainError::NotFound { what: "flow", id: id.to_string() })
}

pub fn find_mut<'a>(org: &'a mut OrgStore, id: &str) -> Result<&'a mut FlowRecord, DomainError> {
    org.flows.get_mut(id).filter(|record| !record.flow.deleted).ok_or_else(|| DomainError::NotFound { what: "flow", id: id.to_string() })
}

pub fn holds(flow: &Flow, holder: &EntityRef) -> bool {
    flow.locked_user.is_none() && flow.locked_client.as_ref().is_some_and(|client| client.id == holder.id)
}

pub fn is_locked(flow: &Flow) -> bool {
    flow.locked_user.is_some() || flow.locked_client.is_some()
}

pub fn locked_by_other(flow: &Flow, holder: &EntityRef) -> bool {
    is_locked(flow) && !holds(flow, holder)
}

pub fn locked_error(flow: &Flow) -> DomainError {
    let owner = flow
        .locked_user
        .as_ref()
        .or(flow.locked_client.as_ref())
        .map(|owner| owner.name.clone().unwrap_or_else(|| owner.id.clone()))
        .unwrap_or_default();
    DomainError::Conflict(format!("Flow {} is locked by {owner}", flow.id))
}

/// Refused unless `holder` holds the lock.
pub fn require_lock_holder(flow: &Flow, holder: &EntityRef) -> Result<(), DomainError> {
    if holds(flow, holder) {
        return Ok(());
    }
    if is_locked(flow) {
        return Err(locked_error(flow));
    }
    Err(DomainError::Conflict(format!("Flow {} must be checked out (locked) by the caller first", flow.id)))
}

/// Refused when someone other than `holder` holds the lock.
pub fn require_not_locked_by_other(flow: &Flow, holder: &EntityRef) -> Result<(), DomainError> {
    if locked_by_other(flow, holder) { Err(locked_error(flow)) } else { Ok(()) }
}

fn unlock(flow: &mut Flow) {
    flow.locked_client = None;
    flow.locked_user = None;
}

fn operation(org: &mut OrgStore, action: &str, status: &str, complete: bool, holder: &EntityRef) -> Operation {
    Operation {
        id: org.next_id("operation"),
        complete,
        client: Some(holder.clone()),
        action_name: action.to_string(),
        action_status: status.to_string(),
        ..Operation::default()
    }
}

/// Takes the lock for `holder`.
pub fn checkout(org: &mut OrgStore, id: &str, holder: EntityRef) -> Result<Flow, DomainError> {
    let record = find_mut(org, id)?;
    require_not_locked_by_other(&record.flow, &holder)?;
    record.flow.locked_client = Some(holder);
    Ok(record.flow.clone())
}

/// Makes the saved version the checked-in one (stamped `now_ms`) and releases the lock.
pub fn check_in(org: &mut OrgStore, id: &str, holder: &EntityRef, now_ms: i64) -> Result<Operation, DomainError> {
    let record = find_mut(org, id)?;
    require_lock_holder(&record.flow, holder)?;
    if let Some(saved) = record.flow.saved_version.clone() {
        let mut checked_in = saved;
        checked_in.date_checked_in = Some(now_ms);
        checked_in.version_type = Some("CHECKIN".to_string());
        if let Some(stored) = record.versions.iter_mut().find(|stored| stored.version.id == checked_in.id) {
            stored.version = checked_in.clone();
        }
        record.flow.checked_in_version = Some(checked_in.clone());
        record.flow.saved_version = Some(checked_in);
    }
    unlock(&mut record.flow);
    let done = operation(org, "CHECKIN", action_status::SUCCESS, true, holder);
    if let Some(record) = org.flows.get_mut(id) {
        record.flow.current_operation = Some(done.clone());
    }
    Ok(done)
}

/// Starts publishing the checked-in version (checking in first when `holder` holds the lock):
/// the pending operation and the version id to hand to `complete_publish` later.
pub fn publish(org: &mut OrgStore, id: &str, holder: &EntityRef, now_ms: i64) -> Result<(Operation, String), DomainError> {
    let flow = &find(org, id)?.flow;
    require_not_locked_by_other(flow, holder)?;
    if holds(flow, holder) {
        check_in(org, id, holder, now_ms)?;
    }
    let checked_in = find(org, id)?.flow.checked_in_version.clone();
    let checked_in = checked_in.ok_or_else(|| DomainError::Refused(format!("Flow {id} has no checked-in version to publish")))?;
    let pending = operation(org, "PUBLISH", action_status::PENDING, false, holder);
    find_mut(org, id)?.flow.current_operation = Some(pending.clone());
    Ok((pending, checked_in.id))
}

/// Finishes a pending publish: the version becomes the published one and the flow active.
pub fn complete_publish(org: &mut OrgStore, flow_id: &str, operation_id: &str, version_id: &str) {
    let Some(record) = org.flows.get_mut(flow_id) else { return };
    let pending = record.flow.current_operation.as_ref().is_some_and(|operation| operation.id == operation_id);
    if !pending {
        return;
    }
    let Some(stored) = record.versions.iter_mut().find(|stored| stored.version.id == version_id) else { return };
    stored.version.version_type = Some("PUBLISH".to_string());
    record.flow.published_version = Some(stored.version.clone());
    record.flow.active = true;
    if let Some(operation) = record.flow.current_operation.as_mut() {
        operation.complete = true;
        operation.action_status = action_status::SUCCESS.to_string();
    }
}

/// Drops the saved version back to the checked-in one and releases the lock.
pub fn revert(org: &mut OrgStore, id: &str, holder: &EntityRef) -> Result<Flow, DomainError> {
    let record = find_mut(org, id)?;
    require_not_locked_by_other(&record.flow, holder)?;
    record.flow.saved_version = record.flow.checked_in_version.clone();
    unlock(&mut record.flow);
    Ok(record.flow.clone())
}

/// Releases any holder's lock (Architect's "unlock", an administrator's action).
pub fn force_unlock(org: &mut OrgStore, id: &str) -> Result<Flow, DomainError> {
    let record = find_mut(org, id)?;
    unlock(&mut record.flow);
    Ok(record.flow.clone())
}

pub fn deactivate(org: &mut OrgStore, id: &str, holder: &EntityRef) -> Result<Flow, DomainError> {
    let record = find_mut(org, id)?;
    require_not_locked_by_other(&record.flow, holder)?;
    record.flow.active = false;
    Ok(record.flow.clone())
}

/// The seeds' lock endpoint: `acquire` or `release` for a client or, with `by_owner`, a named
/// owner; acquiring or releasing what one already has (or nobody has) is a no-op.
pub fn seed_lock(org: &mut OrgStore, id: &str, holder: EntityRef, by_owner: bool, action: &str) -> Result<Flow, DomainError> {
    let flow = &mut find_mut(org, id)?.flow;
    let held = if by_owner { flow.locked_user.as_ref().is_some_and(|user| user.id == holder.id) } else { holds(flow, &holder) };
    match action {
        "acquire" if held => {}
        "acquire" if is_locked(flow) => return Err(locked_error(flow)),
        "acquire" if by_owner => flow.locked_user = Some(holder),
        "acquire" => flow.locked_client = Some(holder),
        "release" if held => unlock(flow),
        "release" if !is_locked(flow) => {}
        "release" => return Err(locked_error(flow)),
        other => return Err(DomainError::Invalid(format!("action: `{other}` is not acquire or release"))),
    }
    Ok(flow.clone())
}
