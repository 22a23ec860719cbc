//! Integrations and their data actions, written the way the real API takes them: an
//! integration is created with its name and type, its own fields (name, notes) change with
//! `PATCH /api/v2/integrations/{id}`, its configuration with `PUT .../config/current` carrying
//! the version it was read at (a stale version is 409). A data action is versioned in the body.

use futures_util::TryStreamExt;
use serde_json::{Map, Value, json};
use switchboard_platform::PlatformExt;
use switchboard_platform::api::EntityRef;
use switchboard_platform::api::integration::{Action, Integration, IntegrationConfiguration};

use super::{GenesysProvider, check_revision, invalid, pick, wrap};
use crate::provider::{LiveObject, ProviderError, ProviderResult};

/// The revision is the configuration's version, the platform's own guard (an ETag, where the
/// emulator serves one, would not match the version `update` compares with).
fn neutral(integration: &Integration) -> LiveObject {
    let mut body = Map::new();
    let name = integration.name.clone().unwrap_or_default();
    body.insert("name".into(), json!(name));
    if let Some(kind) = &integration.integration_type {
        body.insert("integrationType".into(), json!(kind.id));
    }
    if let Some(notes) = &integration.notes {
        body.insert("notes".into(), json!(notes));
    }
    let config = integration.config.as_ref().map(|config| &config.current);
    body.insert("properties".into(), Value::Object(config.map(|config| config.properties.clone()).unwrap_or_default()));
    LiveObject {
        kind: "integration".into(),
        name,
        id: integration.id.clone(),
        body: Value::Object(body),
        revision: config.map(|config| config.version.to_string()),
        enabled: integration.intended_state.as_deref().is_none_or(|state| state == "ENABLED"),
        modified_by: None,
        modified_at: None,
        guard: None,
    }
}

/// The integration's own fields (`PATCH`), or for a create the name and type.
fn wire(body: &Value) -> Integration {
    Integration {
        name: body.get("name").and_then(Value::as_str).map(str::to_string),
        integration_type: body.get("integrationType").and_then(Value::as_str).map(EntityRef::id_only),
        notes: body.get("notes").and_then(Value::as_str).map(str::to_string),
        ..Integration::default()
    }
}

/// The configuration to `PUT`, at the version it was read at.
fn wire_config(body: &Value, version: u64) -> IntegrationConfiguration {
    IntegrationConfiguration {
        name: body.get("name").and_then(Value::as_str).map(str::to_string),
        version,
        properties: body.get("properties").and_then(Value::as_object).cloned().unwrap_or_default(),
        ..IntegrationConfiguration::default()
    }
}

/// Writes the configuration when its properties differ from `current`'s; returns the version now live.
async fn write_config(provider: &GenesysProvider, what: &str, id: &str, body: &Value, current: &IntegrationConfiguration) -> ProviderResult<u64> {
    let wanted = wire_config(body, current.version);
    if wanted.properties == current.properties && (wanted.name.is_none() || wanted.name == current.name) {
        return Ok(current.version);
    }
    let written = provider.platform().integrations().update_config(id, &wanted).await.map_err(wrap(what.to_string()))?;
    Ok(written.version)
}

pub(super) async fn list(provider: &GenesysProvider) -> ProviderResult<Vec<LiveObject>> {
    let items: Vec<Integration> = provider.platform().integrations().list().try_collect().await.map_err(wrap("integrations"))?;
    Ok(items.iter().map(neutral).collect())
}

pub(super) async fn read(provider: &GenesysProvider, id: &str) -> ProviderResult<LiveObject> {
    let fresh = provider.platform().integrations().get(id).await.map_err(wrap(format!("integration {id}")))?;
    Ok(neutral(&fresh.value))
}

pub(super) async fn create(provider: &GenesysProvider, body: &Value) -> ProviderResult<LiveObject> {
    let integrations = provider.platform().integrations();
    let mut created = integrations.create(&Integration { notes: None, ..wire(body) }).await.map_err(wrap("integration"))?;
    let what = format!("integration {}", created.name.clone().unwrap_or_default());
    if body.get("notes").and_then(Value::as_str).is_some() {
        created = integrations.patch(&created.id, &wire(body)).await.map_err(wrap(what.clone()))?;
    }
    let current = integrations.config(&created.id).await.map_err(wrap(what.clone()))?;
    write_config(provider, &what, &created.id, body, &current).await?;
    read(provider, &created.id).await
}

pub(super) async fn update(provider: &GenesysProvider, current: &LiveObject, body: &Value) -> ProviderResult<LiveObject> {
    let what = format!("integration {}", current.name);
    let integrations = provider.platform().integrations();
    // Read-compare-write on the configuration's version: a change since the plan is a conflict.
    let config = integrations.config(&current.id).await.map_err(wrap(what.clone()))?;
    check_revision(&what, current, Some(config.version.to_string()).as_deref())?;
    let own = |document: &Value| (document.get("name").cloned(), document.get("notes").cloned());
    if own(body) != own(&current.body) {
        integrations.patch(&current.id, &wire(body)).await.map_err(wrap(what.clone()))?;
    }
    write_config(provider, &what, &current.id, body, &config).await?;
    read(provider, &current.id).await
}

fn neutral_action(action: &Action) -> LiveObject {
    let wire = serde_json::to_value(action).unwrap_or(Value::Null);
    let mut body = pick(&wire, &["name", "integrationId", "category"]);
    if let Some(config) = wire.get("config") {
        body.insert("config".into(), config.clone());
    }
    LiveObject {
        kind: "data_action".into(),
        name: action.name.clone(),
        id: action.id.clone(),
        body: Value::Object(body),
        revision: Some(action.version.to_string()),
        enabled: true,
        modified_by: None,
        modified_at: None,
        guard: None,
    }
}

pub(super) async fn list_actions(provider: &GenesysProvider) -> ProviderResult<Vec<LiveObject>> {
    let items: Vec<Action> = provider.platform().integrations().actions(None).try_collect().await.map_err(wrap("data actions"))?;
    Ok(items.iter().map(neutral_action).collect())
}

pub(super) async fn read_action(provider: &GenesysProvider, id: &str) -> ProviderResult<LiveObject> {
    let action = provider.platform().integrations().action(id).await.map_err(wrap(format!("data action {id}")))?;
    Ok(neutral_action(&action))
}

pub(super) async fn create_action(provider: &GenesysProvider, body: &Value) -> ProviderResult<LiveObject> {
    let action: Action = serde_json::from_value(body.clone()).map_err(|error| invalid("data action", error))?;
    let created = provider.platform().integrations().create_action(&action).await.map_err(wrap(format!("data action {}", action.name)))?;
    Ok(neutral_action(&created))
}

pub(super) async fn update_action(provider: &GenesysProvider, current: &LiveObject, body: &Value) -> ProviderResult<LiveObject> {
    let what = format!("data action {}", current.name);
    let mut action: Action = serde_json::from_value(body.clone()).map_err(|error| invalid(&what, error))?;
    // The version the engine saw: a write in between makes this a 409.
    action.version = current.revision.as_deref().and_then(|revision| revision.parse().ok()).ok_or_else(|| ProviderError::Invalid { what: what.clone(), message: "no version read".into() })?;
    let updated = provider.platform().integrations().update_action(&current.id, &action).await.map_err(wrap(what))?;
    Ok(neutral_action(&updated))
}
