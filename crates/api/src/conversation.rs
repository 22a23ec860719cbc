//! Conversations (`GET /api/v2/conversations/{id}`) and participant attributes
//! (`PATCH /api/v2/conversations/calls/{id}/participants/{participantId}/attributes`), a subset of
//! the real `Conversation` and `Participant` shapes.

use crate::common::EntityRef;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Conversation {
    pub id: String,
    /// RFC 3339 with milliseconds, UTC.
    pub start_time: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
    /// The number the caller dialled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default)]
    pub participants: Vec<Participant>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_uri: Option<String>,
}

/// One party of a call. `purpose` is `customer`, `ivr`, `acd` or `agent`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Participant {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connected_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_name: Option<String>,
    pub purpose: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ani: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dnis: Option<String>,
    /// Why the participant left: `client`, `endpoint`, `peer`, `system`, `transfer`, ...
    /// The real `Participant` has no such key (it is per media segment), so it goes on the wire
    /// only in the call shapes (`CallConversation`, call events).
    #[serde(skip)]
    pub disconnect_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wrapup_required: Option<bool>,
    /// Participant data.
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
}

/// Body of the attributes PATCH (`ParticipantAttributes`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ParticipantAttributes {
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
}

impl Conversation {
    /// The first participant with this purpose.
    pub fn participant(&self, purpose: &str) -> Option<&Participant> {
        self.participants.iter().find(|participant| participant.purpose == purpose)
    }
}

/// `GET /api/v2/conversations/calls/{id}`: the real `CallConversation`, whose participants are
/// `CallMediaParticipant`s (queue and user as references, a media `state`, `disconnectType`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallConversation {
    pub id: String,
    #[serde(default)]
    pub participants: Vec<CallParticipant>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_uri: Option<String>,
}

/// One party of a call in the call shapes (`CallMediaParticipant` and its event variants).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallParticipant {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connected_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
    pub purpose: String,
    /// `connected` or `disconnected`.
    pub state: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ani: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dnis: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<EntityRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<EntityRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disconnect_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wrapup_required: Option<bool>,
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
}

impl From<&Participant> for CallParticipant {
    fn from(participant: &Participant) -> Self {
        let reference = |id: &Option<String>, name: &Option<String>| {
            id.as_ref().map(|id| EntityRef { id: id.clone(), name: name.clone(), self_uri: None })
        };
        CallParticipant {
            id: participant.id.clone(),
            name: participant.name.clone(),
            address: participant.address.clone(),
            start_time: participant.start_time.clone(),
            connected_time: participant.connected_time.clone(),
            end_time: participant.end_time.clone(),
            purpose: participant.purpose.clone(),
            state: if participant.end_time.is_some() { "disconnected" } else { "connected" }.to_string(),
            ani: participant.ani.clone(),
            dnis: participant.dnis.clone(),
            queue: reference(&participant.queue_id, &participant.queue_name),
            user: reference(&participant.user_id, &None),
            disconnect_type: participant.disconnect_type.clone(),
            wrapup_required: participant.wrapup_required,
            attributes: participant.attributes.clone(),
        }
    }
}

impl From<&Conversation> for CallConversation {
    fn from(conversation: &Conversation) -> Self {
        CallConversation {
            id: conversation.id.clone(),
            participants: conversation.participants.iter().map(CallParticipant::from).map(with_self_uris).collect(),
            self_uri: Some(format!("/api/v2/conversations/calls/{}", conversation.id)),
        }
    }
}

/// REST references are `DomainEntityRef`s and carry `selfUri`; the events' references do not.
fn with_self_uris(mut participant: CallParticipant) -> CallParticipant {
    if let Some(queue) = participant.queue.as_mut() {
        queue.self_uri = Some(format!("/api/v2/routing/queues/{}", queue.id));
    }
    if let Some(user) = participant.user.as_mut() {
        user.self_uri = Some(format!("/api/v2/users/{}", user.id));
    }
    participant
}
