//! Seed 004 edge case 2 on a live org: every data action the slots use gets `Cache-Control:
//! no-cache` and a `Flow_Version` input (`crate::actions`), changed the real way — a draft of the
//! action (`POST …/actions/{id}/draft`), the draft updated (`PATCH …/draft`), the draft published
//! (`POST …/draft/publish`). Idempotent: an action that already has both is left alone.

use super::error::RolloutError;
use crate::actions::{is_prepared, prepared_config, prepared_contract};
use futures_util::TryStreamExt;
use serde::Serialize;
use std::collections::BTreeSet;
use switchboard_platform::api::integration::{Action, Integration, UpdateDraftInput};
use switchboard_platform::{Platform, PlatformExt};

/// What happened to one data action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionChange {
    pub action_id: String,
    pub name: String,
    /// False when it already had the header and the input.
    pub changed: bool,
    /// The action's version afterwards.
    pub version: u64,
}

/// The org's actions that `refs` name: an action by id or name, or every action of an integration
/// named or identified so (a flow block may name either, as the emulator's runtime resolves them).
async fn resolve<P: Platform + ?Sized>(platform: &P, refs: &BTreeSet<String>) -> Result<Vec<Action>, RolloutError> {
    if refs.is_empty() {
        return Ok(Vec::new());
    }
    let actions: Vec<Action> = platform.integrations().actions(None).try_collect().await?;
    let integrations: Vec<Integration> = platform.integrations().list().try_collect().await?;
    let mut ids = BTreeSet::new();
    for reference in refs {
        let direct: Vec<&Action> = actions.iter().filter(|action| action.id == *reference || action.name == *reference).collect();
        let matched = if direct.is_empty() {
            let integration_ids: BTreeSet<&str> = integrations
                .iter()
                .filter(|integration| integration.id == *reference || integration.name.as_deref() == Some(reference.as_str()))
                .map(|integration| integration.id.as_str())
                .collect();
            actions.iter().filter(|action| integration_ids.contains(action.integration_id.as_str())).collect()
        } else {
            direct
        };
        if matched.is_empty() {
            return Err(RolloutError::Flow(format!("data action '{reference}': no action or integration of that name in the org")));
        }
        ids.extend(matched.into_iter().map(|action| action.id.clone()));
    }
    Ok(actions.into_iter().filter(|action| ids.contains(&action.id)).collect())
}

/// Prepares every action the flows' data-action blocks name; returns what each one got.
pub async fn prepare_actions<P: Platform + ?Sized>(platform: &P, refs: &BTreeSet<String>) -> Result<Vec<ActionChange>, RolloutError> {
    let mut changes = Vec::new();
    for listed in resolve(platform, refs).await? {
        // The listing may leave out contract and configuration; read them in full.
        let action = platform.integrations().action(&listed.id).await?;
        if is_prepared(action.config.as_ref(), action.contract.as_ref()) {
            changes.push(ActionChange { action_id: action.id, name: action.name, changed: false, version: action.version });
            continue;
        }
        let draft = match platform.integrations().create_action_draft(&action.id).await {
            Ok(draft) => draft,
            // Someone's edit in progress: publishing it with ours would release their half-done work.
            Err(error) if error.is_conflict() => {
                return Err(RolloutError::Flow(format!(
                    "data action '{}' ({}) has an unpublished draft: publish or delete it, then start again",
                    action.name, action.id
                )));
            }
            Err(error) => return Err(error.into()),
        };
        let update = UpdateDraftInput {
            config: Some(prepared_config(action.config.clone())),
            contract: Some(prepared_contract(action.contract.clone())),
            version: draft.version,
            ..UpdateDraftInput::default()
        };
        let updated = platform.integrations().update_action_draft(&action.id, &update).await?;
        let published = platform.integrations().publish_action_draft(&action.id, updated.version).await?;
        changes.push(ActionChange { action_id: published.id, name: published.name, changed: true, version: published.version });
    }
    Ok(changes)
}
