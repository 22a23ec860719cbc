//! DIDs and IVR configs: a number's DID comes into being when something names it (as numbers
//! from a DID pool do on the real platform), each DID records the IVR config that owns it, a
//! number belongs to one IVR config, an IVR config names only flows that exist, and both are
//! versioned (a stale `version` is refused). Used by the telephony handlers and seeding.

use super::{DomainError, check_version, require_name};
use crate::state::{OrgStore, normalize_number};
use switchboard_api::EntityRef;
use switchboard_api::telephony::{Did, Ivr};

/// The DID for a number, created if the org does not have it yet.
pub fn ensure_did(org: &mut OrgStore, number: &str, stamp: &str) -> String {
    let wanted = normalize_number(number);
    if let Some(did) = org.dids.values().find(|did| normalize_number(&did.phone_number) == wanted) {
        return did.id.clone();
    }
    let id = crate::state::ids::derive_id(&[org.id(), "did", &wanted]);
    let did = Did {
        id: id.clone(),
        name: Some(number.to_string()),
        division: Some(org.home_division()),
        version: 1,
        date_created: Some(stamp.to_string()),
        date_modified: Some(stamp.to_string()),
        state: Some("active".to_string()),
        phone_number: number.to_string(),
        self_uri: Some(format!("/api/v2/telephony/providers/edges/dids/{id}")),
        ..Did::default()
    };
    org.dids.insert(id.clone(), did);
    id
}

/// Recomputes which IVR config owns each DID; only DIDs whose owner changed are written.
pub fn refresh_did_owners(org: &mut OrgStore) {
    let owners: Vec<(String, Option<EntityRef>)> = org
        .dids
        .values()
        .map(|did| {
            let owner = org.ivr_for_number(&did.phone_number).map(|ivr| EntityRef::new(ivr.id.clone(), ivr.name.clone(), format!("/api/v2/architect/ivrs/{}", ivr.id)));
            (did.id.clone(), owner)
        })
        .filter(|(id, owner)| org.dids.get(id).is_some_and(|did| &did.owner != owner))
        .collect();
    for (id, owner) in owners {
        if let Some(did) = org.dids.get_mut(&id) {
            // The real enum: USER, PHONE, IVR_CONFIG, GROUP.
            did.owner_type = owner.as_ref().map(|_| "IVR_CONFIG".to_string());
            did.owner = owner;
        }
    }
}

/// Renames or re-describes a DID (versioned).
pub fn update_did(org: &mut OrgStore, id: &str, body: Did, stamp: &str) -> Result<Did, DomainError> {
    let did = org.dids.get_mut(id).ok_or_else(|| DomainError::NotFound { what: "DID", id: id.to_string() })?;
    check_version("DID", body.version, did.version)?;
    did.name = body.name.or(did.name.take());
    did.description = body.description.or(did.description.take());
    did.version += 1;
    did.date_modified = Some(stamp.to_string());
    Ok(did.clone())
}

/// Checks an IVR's numbers are free (not answered by another IVR config) and creates their DIDs.
fn claim_numbers(org: &mut OrgStore, ivr_id: &str, dnis: &[String], stamp: &str) -> Result<(), DomainError> {
    for number in dnis {
        if let Some(other) = org.ivr_for_number(number).filter(|other| other.id != ivr_id) {
            return Err(DomainError::Invalid(format!("dnis: {number} is already used by IVR `{}`", other.name)));
        }
    }
    for number in dnis {
        ensure_did(org, number, stamp);
    }
    Ok(())
}

fn check_flow_refs(org: &OrgStore, ivr: &Ivr) -> Result<(), DomainError> {
    for flow in [&ivr.open_hours_flow, &ivr.closed_hours_flow, &ivr.holiday_hours_flow].into_iter().flatten() {
        if !org.flows.contains_key(&flow.id) {
            return Err(DomainError::Invalid(format!("flow {} does not exist", flow.id)));
        }
    }
    Ok(())
}

pub fn create_ivr(org: &mut OrgStore, body: Ivr, stamp: &str) -> Result<Ivr, DomainError> {
    require_name(&body.name)?;
    check_flow_refs(org, &body)?;
    let id = org.next_id("ivr");
    claim_numbers(org, &id, &body.dnis, stamp)?;
    let ivr = Ivr {
        id: id.clone(),
        division: Some(body.division.clone().unwrap_or_else(|| org.home_division())),
        version: 1,
        date_created: Some(stamp.to_string()),
        date_modified: Some(stamp.to_string()),
        state: Some("active".to_string()),
        self_uri: Some(format!("/api/v2/architect/ivrs/{id}")),
        ..body
    };
    org.ivrs.insert(id, ivr.clone());
    refresh_did_owners(org);
    Ok(ivr)
}

pub fn update_ivr(org: &mut OrgStore, id: &str, body: Ivr, stamp: &str) -> Result<Ivr, DomainError> {
    require_name(&body.name)?;
    let current = org.ivrs.get(id).cloned().ok_or_else(|| DomainError::NotFound { what: "IVR", id: id.to_string() })?;
    check_version("IVR", body.version, current.version)?;
    check_flow_refs(org, &body)?;
    claim_numbers(org, id, &body.dnis, stamp)?;
    let ivr = Ivr {
        id: id.to_string(),
        division: body.division.clone().or(current.division),
        version: current.version + 1,
        date_created: current.date_created,
        date_modified: Some(stamp.to_string()),
        state: current.state,
        self_uri: current.self_uri,
        ..body
    };
    org.ivrs.insert(id.to_string(), ivr.clone());
    refresh_did_owners(org);
    Ok(ivr)
}

pub fn delete_ivr(org: &mut OrgStore, id: &str) -> Result<(), DomainError> {
    org.ivrs.remove(id).ok_or_else(|| DomainError::NotFound { what: "IVR", id: id.to_string() })?;
    refresh_did_owners(org);
    Ok(())
}
