//! DIDs: a number's DID comes into being when something names it (as numbers from a DID pool
//! do on the real platform), and each DID records the IVR config that owns it. Used by the
//! telephony handlers and seeding.

use crate::state::{OrgStore, normalize_number};
use switchboard_api::EntityRef;
use switchboard_api::telephony::Did;

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
