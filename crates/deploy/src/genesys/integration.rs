//! Integrations and their data actions. An integration's configuration carries a version; a
//! data action is versioned in the body (a stale `version` is 409).

use futures_util::TryStreamExt;
use serde_json::{Map, Value, json};
use switchboard_platform::PlatformExt;
use switchboard_platform::api::EntityRef;
use switchboard_platform::api::integration::{Action, Integration, IntegrationConfiguration, IntegrationConfigurationInfo};

use super::{GenesysProvider, check_revision, invalid, pick, wrap};
use crate::provider::{LiveObject, ProviderError, ProviderResult};

fn neutral(integration: &Integration, etag: Option<String>) -> LiveObject {
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
        revision: etag.or_else(|| config.map(|config| config.version.to_string())),
        enabled: integration.intended_state.as_deref().is_none_or(|state| state == "ENABLED"),
        modified_by: None,
        modified_at: None,
    }
}

fn wire(body: &Value, version: u64) -> ProviderResult<Integration> {
    let name = body.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
    Ok(Integration {
        name: Some(name.clone()),
        integration_type: body.get("integrationType").and_then(Value::as_str).map(EntityRef::id_only),
        notes: body.get("notes").and_then(Value::as_str).map(str::to_string),
        config: Some(IntegrationConfigurationInfo {
            current: IntegrationConfiguration {
                name: Some(name),
                version,
                properties: body.get("properties").and_then(Value::as_object).cloned().unwrap_or_default(),
                notes: None,
            },
        }),
        ..Integration::default()
    })
}

pub(super) async fn list(provider: &GenesysProvider) -> ProviderResult<Vec<LiveObject>> {
    let items: Vec<Integration> = provider.platform().integrations().list().try_collect().await.map_err(wrap("integrations"))?;
    Ok(items.iter().map(|item| neutral(item, None)).collect())
}

pub(super) async fn read(provider: &GenesysProvider, id: &str) -> ProviderResult<LiveObject> {
    let fresh = provider.platform().integrations().get(id).await.map_err(wrap(format!("integration {id}")))?;
    Ok(neutral(&fresh.value, fresh.etag))
}

pub(super) async fn create(provider: &GenesysProvider, body: &Value) -> ProviderResult<LiveObject> {
    let integration = wire(body, 1)?;
    let created = provider.platform().integrations().create(&integration).await.map_err(wrap("integration"))?;
    Ok(neutral(&created, None))
}

pub(super) async fn update(provider: &GenesysProvider, current: &LiveObject, body: &Value) -> ProviderResult<LiveObject> {
    let what = format!("integration {}", current.name);
    let integrations = provider.platform().integrations();
    let fresh = integrations.get(&current.id).await.map_err(wrap(what.clone()))?;
    let version = fresh.value.config.as_ref().map_or(0, |config| config.current.version);
    check_revision(&what, current, Some(fresh.etag.clone().unwrap_or_else(|| version.to_string())).as_deref())?;
    let integration = wire(body, version)?;
    let updated = integrations.update_with_etag(&current.id, &integration, fresh.etag.as_deref()).await.map_err(wrap(what))?;
    Ok(neutral(&updated.value, updated.etag))
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
