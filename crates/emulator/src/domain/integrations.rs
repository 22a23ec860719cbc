//! Integrations and their data actions: an integration is `ENABLED` unless the body says
//! otherwise and its config version counts up on each new config; deleting one deletes its
//! actions; an action belongs to an existing integration, has a `custom_-_` id as on the real
//! platform, and is versioned (a stale `version` is refused). Used by the integration handlers.

use super::{DomainError, check_version};
use crate::state::OrgStore;
use switchboard_api::integration::{Action, Integration, IntegrationConfiguration, IntegrationConfigurationInfo};

fn integration_not_found(id: &str) -> DomainError {
    DomainError::NotFound { what: "integration", id: id.to_string() }
}

fn action_not_found(id: &str) -> DomainError {
    DomainError::NotFound { what: "action", id: id.to_string() }
}

pub fn find<'a>(org: &'a OrgStore, id: &str) -> Result<&'a Integration, DomainError> {
    org.integrations.get(id).ok_or_else(|| integration_not_found(id))
}

pub fn create(org: &mut OrgStore, body: Integration) -> Integration {
    let id = org.next_id("integration");
    let item = Integration {
        id: id.clone(),
        intended_state: body.intended_state.clone().or(Some("ENABLED".to_string())),
        self_uri: Some(format!("/api/v2/integrations/{id}")),
        ..body
    };
    org.integrations.insert(id, item.clone());
    item
}

/// Last-write-wins on the fields sent.
pub fn update(org: &mut OrgStore, id: &str, body: Integration) -> Result<Integration, DomainError> {
    let item = org.integrations.get_mut(id).ok_or_else(|| integration_not_found(id))?;
    item.name = body.name.or(item.name.take());
    item.notes = body.notes.or(item.notes.take());
    item.intended_state = body.intended_state.or(item.intended_state.take());
    if let Some(mut config) = body.config {
        config.current.version = item.config.as_ref().map_or(0, |old| old.current.version) + 1;
        item.config = Some(config);
    }
    Ok(item.clone())
}

/// The current configuration as `config/current` answers it: with the integration's id and URI.
pub fn current_config(org: &OrgStore, id: &str) -> Result<IntegrationConfiguration, DomainError> {
    let current = find(org, id)?.config.as_ref().map(|config| config.current.clone()).unwrap_or_default();
    Ok(with_identity(current, id))
}

/// The real way to change a configuration: the whole of it, with the version it was read at
/// (a stale version is refused); the stored version counts up.
pub fn replace_config(org: &mut OrgStore, id: &str, body: IntegrationConfiguration) -> Result<IntegrationConfiguration, DomainError> {
    let item = org.integrations.get_mut(id).ok_or_else(|| integration_not_found(id))?;
    let current = item.config.as_ref().map_or(0, |config| config.current.version);
    check_version("integration configuration", body.version, current)?;
    let config = IntegrationConfiguration { version: current + 1, name: body.name.or_else(|| item.name.clone()), ..body };
    item.config = Some(IntegrationConfigurationInfo { current: config.clone() });
    Ok(with_identity(config, id))
}

fn with_identity(config: IntegrationConfiguration, id: &str) -> IntegrationConfiguration {
    IntegrationConfiguration { id: Some(id.to_string()), self_uri: Some(format!("/api/v2/integrations/{id}/config/current")), ..config }
}

pub fn delete(org: &mut OrgStore, id: &str) -> Result<(), DomainError> {
    org.integrations.remove(id).ok_or_else(|| integration_not_found(id))?;
    org.actions.retain(|_, action| action.integration_id != id);
    Ok(())
}

pub fn create_action(org: &mut OrgStore, body: Action) -> Result<Action, DomainError> {
    find(org, &body.integration_id)?;
    let id = format!("custom_-_{}", org.next_id("action"));
    let action = Action { id: id.clone(), version: 1, self_uri: Some(format!("/api/v2/integrations/actions/{id}")), ..body };
    org.actions.insert(id, action.clone());
    Ok(action)
}

/// Actions are versioned on the real platform: a stale `version` is refused.
pub fn update_action(org: &mut OrgStore, id: &str, body: Action) -> Result<Action, DomainError> {
    let action = org.actions.get_mut(id).ok_or_else(|| action_not_found(id))?;
    check_version("action", body.version, action.version)?;
    action.name = body.name;
    action.category = body.category.or(action.category.take());
    action.config = body.config.or(action.config.take());
    action.retry_config = body.retry_config.or(action.retry_config.take());
    action.version += 1;
    Ok(action.clone())
}

pub fn delete_action(org: &mut OrgStore, id: &str) -> Result<(), DomainError> {
    org.actions.remove(id).map(|_| ()).ok_or_else(|| action_not_found(id))
}
