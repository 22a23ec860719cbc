//! Trunk base settings: versioned (a stale `version` is refused), external (SIP) unless the body
//! says otherwise, `properties` kept as sent. Used by the trunk handlers.

use super::{DomainError, check_version, require_name};
use crate::state::OrgStore;
use switchboard_api::telephony::TrunkBase;

const WHAT: &str = "trunk base settings";

pub fn create(org: &mut OrgStore, body: TrunkBase) -> Result<TrunkBase, DomainError> {
    require_name(&body.name)?;
    let id = org.next_id("trunk");
    let trunk = TrunkBase {
        id: id.clone(),
        version: 1,
        state: Some("active".to_string()),
        // The real platform always answers with a trunk type; external (SIP) unless told.
        trunk_type: body.trunk_type.clone().or_else(|| Some("EXTERNAL".to_string())),
        self_uri: Some(format!("/api/v2/telephony/providers/edges/trunkbasesettings/{id}")),
        ..body
    };
    org.trunks.insert(id, trunk.clone());
    Ok(trunk)
}

pub fn update(org: &mut OrgStore, id: &str, body: TrunkBase) -> Result<TrunkBase, DomainError> {
    require_name(&body.name)?;
    let current = org.trunks.get(id).cloned().ok_or_else(|| DomainError::NotFound { what: WHAT, id: id.to_string() })?;
    check_version(WHAT, body.version, current.version)?;
    let trunk_type = body.trunk_type.clone().or(current.trunk_type);
    let trunk = TrunkBase { id: id.to_string(), version: current.version + 1, state: current.state, self_uri: current.self_uri, trunk_type, ..body };
    org.trunks.insert(id.to_string(), trunk.clone());
    Ok(trunk)
}

pub fn delete(org: &mut OrgStore, id: &str) -> Result<(), DomainError> {
    org.trunks.remove(id).map(|_| ()).ok_or_else(|| DomainError::NotFound { what: WHAT, id: id.to_string() })
}
