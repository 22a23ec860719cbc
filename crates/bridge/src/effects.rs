//! Performing one recorded effect: the screen pop (CRM lookup, then the participant-attributes
//! PATCH) and the activity (CRM lookup, then `POST /activities` with the work key as
//! `Idempotency-Key`). Both are safe to repeat; the outcome names what happened.

use crate::crm::{CrmClient, CrmError};
use crate::store::{EffectKind, WorkItem};
use std::collections::BTreeMap;
use switchboard_api::conversation::ParticipantAttributes;
use switchboard_api::crm::NewActivity;
use switchboard_platform::{Platform, PlatformError, PlatformExt};

#[derive(Debug, thiserror::Error)]
pub enum EffectError {
    #[error(transparent)]
    Crm(#[from] CrmError),
    #[error("platform: {0}")]
    Platform(#[from] PlatformError),
    #[error("work item {0} has no {1}")]
    Payload(String, &'static str),
}

impl EffectError {
    pub fn is_retryable(&self) -> bool {
        match self {
            EffectError::Crm(error) => error.is_retryable(),
            // The client already retried what it could; what is left may pass later (an outage).
            EffectError::Platform(error) => !matches!(error.status(), Some(400 | 403 | 404 | 409)),
            EffectError::Payload(..) => false,
        }
    }
}

fn text<'a>(item: &'a WorkItem, field: &'static str) -> Result<&'a str, EffectError> {
    item.payload
        .get(field)
        .and_then(|value| value.as_str())
        .ok_or_else(|| EffectError::Payload(item.key.clone(), field))
}

/// The attributes a screen pop writes: the account, or `crm.found=false` for an unknown caller.
pub fn pop_attributes(contact: Option<&switchboard_api::crm::Contact>) -> BTreeMap<String, String> {
    let mut attributes = BTreeMap::new();
    match contact {
        Some(contact) => {
            attributes.insert("crm.found".to_string(), "true".to_string());
            attributes.insert("crm.contactId".to_string(), contact.id.clone());
            attributes.insert("crm.name".to_string(), contact.name.clone());
            attributes.insert("crm.tier".to_string(), contact.tier.clone());
            attributes.insert("crm.accountId".to_string(), contact.account_id.clone());
        }
        None => {
            attributes.insert("crm.found".to_string(), "false".to_string());
        }
    }
    attributes
}

/// Performs `item`; `Ok(outcome)` means it is finished for good.
pub async fn perform(
    item: &WorkItem,
    platform: &dyn Platform,
    crm: &CrmClient,
) -> Result<&'static str, EffectError> {
    let ani = text(item, "ani")?;
    match item.kind {
        EffectKind::ScreenPop => {
            let participant_id = text(item, "participantId")?;
            let contact = crm.lookup(ani).await?;
            let attributes = ParticipantAttributes {
                attributes: pop_attributes(contact.as_ref()),
            };
            match platform
                .conversations()
                .set_participant_attributes(&item.conversation_id, participant_id, &attributes)
                .await
            {
                Ok(()) => Ok(if contact.is_some() {
                    "written"
                } else {
                    "written_unknown_caller"
                }),
                // The call ended before the pop: nobody is left to see it, and attributes of an
                // ended call cannot change, so retrying is pointless.
                Err(error) if error.status() == Some(400) => Ok("call_ended_first"),
                Err(error) => Err(error.into()),
            }
        }
        EffectKind::Activity => {
            let contact = crm.lookup(ani).await?;
            // The served queue's name (see `job::work_for`); the id only for work recorded by a
            // release that did not write the name.
            let queue = match item.payload.get("queueName").and_then(|value| value.as_str()) {
                Some(name) => name,
                None => text(item, "queueId")?,
            };
            let answered = item
                .payload
                .get("answeredBy")
                .and_then(|value| value.as_str());
            let activity = NewActivity {
                contact_id: contact.map(|contact| contact.id),
                conversation_id: Some(item.conversation_id.clone()),
                kind: "call".to_string(),
                subject: format!("Call from {ani} in {queue}"),
                notes: Some(format!(
                    "{} to {}; {}",
                    text(item, "start")?,
                    text(item, "end")?,
                    answered.map_or("not answered".to_string(), |agent| format!(
                        "answered by {agent}"
                    ))
                )),
            };
            match crm.create_activity(&item.key, &activity).await {
                Ok(_) => Ok("written"),
                // The key exists with another body: an earlier release wrote it; it is done.
                Err(CrmError::Status { status: 409, .. }) => Ok("already_written"),
                Err(error) => Err(error.into()),
            }
        }
    }
}
