//! Routing strategies (seed-only): weighted targets for canary traffic shifts, each weight at most
//! 100, stamped on every change; no body version (the seeds guard them with ETag/If-Match).

use super::{DomainError, require_name};
use crate::state::OrgStore;
use switchboard_api::strategy::{RoutingStrategy, RoutingStrategyPatch, StrategyTarget};

const WHAT: &str = "routing strategy";

fn check_targets(targets: &[StrategyTarget]) -> Result<(), DomainError> {
    match targets.iter().find(|target| target.weight > 100) {
        Some(target) => Err(DomainError::Invalid(format!("targets: weight of {} is {} (at most 100)", target.id, target.weight))),
        None => Ok(()),
    }
}

pub fn create(org: &mut OrgStore, body: RoutingStrategy, stamp: &str) -> Result<RoutingStrategy, DomainError> {
    require_name(&body.name)?;
    check_targets(&body.targets)?;
    let id = org.next_id("strategy");
    let item = RoutingStrategy { id: id.clone(), date_modified: Some(stamp.to_string()), self_uri: Some(format!("/api/v2/routing/strategies/{id}")), ..body };
    org.strategies.insert(id, item.clone());
    Ok(item)
}

pub fn replace(org: &mut OrgStore, id: &str, body: RoutingStrategy, stamp: &str) -> Result<RoutingStrategy, DomainError> {
    require_name(&body.name)?;
    check_targets(&body.targets)?;
    let current = org.strategies.get(id).ok_or_else(|| DomainError::NotFound { what: WHAT, id: id.to_string() })?;
    let item = RoutingStrategy { id: id.to_string(), date_modified: Some(stamp.to_string()), self_uri: current.self_uri.clone(), ..body };
    org.strategies.insert(id.to_string(), item.clone());
    Ok(item)
}

pub fn patch(org: &mut OrgStore, id: &str, body: RoutingStrategyPatch, stamp: &str) -> Result<RoutingStrategy, DomainError> {
    if let Some(targets) = &body.targets {
        check_targets(targets)?;
    }
    if let Some(name) = &body.name {
        require_name(name)?;
    }
    let item = org.strategies.get_mut(id).ok_or_else(|| DomainError::NotFound { what: WHAT, id: id.to_string() })?;
    if let Some(name) = body.name {
        item.name = name;
    }
    if let Some(settings) = body.settings {
        item.settings = settings;
    }
    if let Some(targets) = body.targets {
        item.targets = targets;
    }
    item.date_modified = Some(stamp.to_string());
    Ok(item.clone())
}

pub fn delete(org: &mut OrgStore, id: &str) -> Result<(), DomainError> {
    org.strategies.remove(id).map(|_| ()).ok_or_else(|| DomainError::NotFound { what: WHAT, id: id.to_string() })
}
