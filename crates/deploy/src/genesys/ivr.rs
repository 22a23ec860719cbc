//! IVR configs: the DIDs (`dnis`) an org answers and the flows they start. Versioned in the
//! body on the real platform: a stale `version` is a conflict.

use serde_json::{Value, json};
use switchboard_platform::PlatformExt;
use futures_util::TryStreamExt;
use switchboard_platform::api::telephony::Ivr;

use super::{GenesysProvider, id_ref, invalid, overlay, pick, wrap};
use crate::provider::{LiveObject, ProviderError, ProviderResult};

fn neutral(ivr: &Ivr) -> LiveObject {
    let wire = serde_json::to_value(ivr).unwrap_or(Value::Null);
    let mut body = pick(&wire, &["name", "description"]);
    let mut dnis = ivr.dnis.clone();
    dnis.sort();
    body.insert("dnis".into(), json!(dnis));
    for key in ["openHoursFlow", "closedHoursFlow"] {
        if let Some(flow) = id_ref(wire.get(key)) {
            body.insert(key.into(), flow);
        }
    }
    LiveObject {
        kind: "ivr".into(),
        name: ivr.name.clone(),
        id: ivr.id.clone(),
        body: Value::Object(body),
        revision: Some(ivr.version.to_string()),
        enabled: ivr.state.as_deref() != Some("deleted"),
        modified_by: None,
        modified_at: ivr.date_modified.clone(),
        guard: None,
    }
}

pub(super) async fn list(provider: &GenesysProvider) -> ProviderResult<Vec<LiveObject>> {
    let ivrs: Vec<Ivr> = provider.platform().telephony().ivrs().try_collect().await.map_err(wrap("IVRs"))?;
    Ok(ivrs.iter().filter(|ivr| ivr.state.as_deref() != Some("deleted")).map(neutral).collect())
}

pub(super) async fn read(provider: &GenesysProvider, id: &str) -> ProviderResult<LiveObject> {
    let fresh = provider.platform().telephony().ivr(id).await.map_err(wrap(format!("IVR {id}")))?;
    Ok(neutral(&fresh.value))
}

pub(super) async fn create(provider: &GenesysProvider, body: &Value) -> ProviderResult<LiveObject> {
    let ivr: Ivr = serde_json::from_value(body.clone()).map_err(|error| invalid("ivr", error))?;
    let created = provider.platform().telephony().create_ivr(&ivr).await.map_err(wrap(format!("IVR {}", ivr.name)))?;
    Ok(neutral(&created))
}

pub(super) async fn update(provider: &GenesysProvider, current: &LiveObject, body: &Value) -> ProviderResult<LiveObject> {
    let what = format!("IVR {}", current.name);
    let telephony = provider.platform().telephony();
    let fresh = telephony.ivr(&current.id).await.map_err(wrap(what.clone()))?.value;
    // The version we saw goes in the body: a write in between makes the platform answer 409.
    let seen_version: u64 = current.revision.as_deref().and_then(|revision| revision.parse().ok()).unwrap_or(fresh.version);
    if seen_version != fresh.version {
        return Err(ProviderError::Conflict { what, message: format!("version {seen_version} is now {}", fresh.version) });
    }
    let wire = serde_json::to_value(&fresh).map_err(|error| invalid(&what, error))?;
    let mut merged: Ivr = serde_json::from_value(overlay(wire, body, &[])).map_err(|error| invalid(&what, error))?;
    merged.version = seen_version;
    let updated = telephony.update_ivr(&current.id, &merged).await.map_err(wrap(what))?;
    Ok(neutral(&updated))
}
