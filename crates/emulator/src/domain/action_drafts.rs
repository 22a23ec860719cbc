//! Data-action drafts, the real way to change a published action: one draft per action, a copy
//! of it; changes need the draft's `version`; publishing makes the draft the action's next
//! version and removes it. Used by the draft handlers.

use super::{DomainError, check_version, require_name};
use crate::state::OrgStore;
use switchboard_api::integration::{Action, PublishDraftInput, UpdateDraftInput};

fn draft_not_found(id: &str) -> DomainError {
    DomainError::NotFound { what: "action draft", id: id.to_string() }
}

fn draft_uri(id: &str) -> String {
    format!("/api/v2/integrations/actions/{id}/draft")
}

pub fn find<'a>(org: &'a OrgStore, id: &str) -> Result<&'a Action, DomainError> {
    org.action_drafts.get(id).ok_or_else(|| draft_not_found(id))
}

/// A draft copies the published action; one draft per action at a time.
pub fn create(org: &mut OrgStore, id: &str) -> Result<Action, DomainError> {
    let action = org.actions.get(id).ok_or_else(|| DomainError::NotFound { what: "action", id: id.to_string() })?;
    if org.action_drafts.contains_key(id) {
        return Err(DomainError::Conflict(format!("action {id} already has a draft")));
    }
    let draft = Action { version: 1, self_uri: Some(draft_uri(id)), ..action.clone() };
    org.action_drafts.insert(id.to_string(), draft.clone());
    Ok(draft)
}

/// Changes only the fields sent; a stale `version` is refused.
pub fn update(org: &mut OrgStore, id: &str, body: UpdateDraftInput) -> Result<Action, DomainError> {
    let draft = org.action_drafts.get_mut(id).ok_or_else(|| draft_not_found(id))?;
    check_version("action draft", body.version, draft.version)?;
    if let Some(name) = body.name {
        require_name(&name)?;
        draft.name = name;
    }
    draft.category = body.category.or(draft.category.take());
    draft.config = body.config.or(draft.config.take());
    draft.contract = body.contract.or(draft.contract.take());
    draft.secure = body.secure.unwrap_or(draft.secure);
    draft.version += 1;
    Ok(draft.clone())
}

pub fn delete(org: &mut OrgStore, id: &str) -> Result<(), DomainError> {
    org.action_drafts.remove(id).map(|_| ()).ok_or_else(|| draft_not_found(id))
}

/// The draft becomes the action's next version; the draft is gone afterwards.
pub fn publish(org: &mut OrgStore, id: &str, body: &PublishDraftInput) -> Result<Action, DomainError> {
    let draft = find(org, id)?;
    check_version("action draft", body.version, draft.version)?;
    let draft = draft.clone();
    let action = org.actions.get_mut(id).ok_or_else(|| DomainError::NotFound { what: "action", id: id.to_string() })?;
    action.name = draft.name;
    action.category = draft.category;
    action.config = draft.config;
    action.contract = draft.contract;
    action.secure = draft.secure;
    action.version += 1;
    let published = action.clone();
    org.action_drafts.remove(id);
    Ok(published)
}
