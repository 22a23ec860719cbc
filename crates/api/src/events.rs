//! Bodies of the notification events the emulator publishes (the `eventBody` of the envelope in
//! `notifications`), one type per topic kind, named after the official SDK's event models:
//!
//! | topic | SDK model |
//! |---|---|
//! | `v2.users.{id}.presence` | `PresenceEventUserPresence` |
//! | `v2.users.{id}.routingStatus` | `UserRoutingStatusUserRoutingStatus` |
//! | `v2.flows.{id}` | `ArchitectFlowNotificationFlowNotification` |
//! | `v2.users.{id}.conversations`, `v2.routing.queues.{id}.conversations`, `v2.conversations.{id}` | `ConversationEventTopicConversation`, `QueueConversationEventTopicConversation` |
//! | `v2.users.{id}.conversations.calls`, `v2.routing.queues.{id}.conversations.calls` | `ConversationCallEventTopicCallConversation`, `QueueConversationCallEventTopicCallConversation` |

use crate::common::EntityRef;
use crate::conversation::{CallParticipant, Conversation};
use crate::flow::{Flow, Operation};
use serde::{Deserialize, Serialize};

/// `v2.users.{id}.presence`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PresenceEvent {
    /// `PURECLOUD` for presences set through the platform.
    pub source: String,
    pub presence_definition: PresenceEventDefinition,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary: Option<bool>,
    #[serde(default)]
    pub message: String,
    pub modified_date: String,
}

/// `presenceDefinition` of a presence event: no `selfUri`, unlike the REST one.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PresenceEventDefinition {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_presence: Option<String>,
}

/// `v2.users.{id}.routingStatus`: the user's id and the new status.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoutingStatusEvent {
    pub id: String,
    pub routing_status: RoutingStatusEventStatus,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoutingStatusEventStatus {
    /// `OFF_QUEUE`, `IDLE`, `INTERACTING`, `NOT_RESPONDING`, `COMMUNICATING`.
    pub status: String,
    pub start_time: String,
}

/// `v2.flows.{id}`: the flow's name, versions (ids only) and current operation.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FlowEvent {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default)]
    pub deleted: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked_in_version: Option<FlowEventVersion>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saved_version: Option<FlowEventVersion>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_version: Option<FlowEventVersion>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_operation: Option<FlowEventOperation>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct FlowEventVersion {
    pub id: String,
}

/// `currentOperation` of a flow event: who acts (`client`, id and name only) and how it stands.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FlowEventOperation {
    pub id: String,
    pub complete: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<EntityRef>,
    pub action_name: String,
    pub action_status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
}

impl From<&Operation> for FlowEventOperation {
    fn from(operation: &Operation) -> Self {
        FlowEventOperation {
            id: operation.id.clone(),
            complete: operation.complete,
            client: operation.client.as_ref().map(|client| EntityRef { id: client.id.clone(), name: client.name.clone(), self_uri: None }),
            action_name: operation.action_name.clone(),
            action_status: operation.action_status.clone(),
            error_message: operation.error_message.clone(),
            error_code: operation.error_code.clone(),
        }
    }
}

impl From<&Flow> for FlowEvent {
    fn from(flow: &Flow) -> Self {
        let version = |version: &Option<crate::flow::FlowVersion>| version.as_ref().map(|version| FlowEventVersion { id: version.id.clone() });
        FlowEvent {
            id: flow.id.clone(),
            name: flow.name.clone(),
            description: flow.description.clone(),
            deleted: flow.deleted,
            checked_in_version: version(&flow.checked_in_version),
            saved_version: version(&flow.saved_version),
            published_version: version(&flow.published_version),
            current_operation: flow.current_operation.as_ref().map(FlowEventOperation::from),
        }
    }
}

/// `v2.users.{id}.conversations`, `v2.routing.queues.{id}.conversations`, `v2.conversations.{id}`
/// (`ConversationEventTopicConversation`, `QueueConversationEventTopicConversation`): no
/// `selfUri` or `startTime`, participants without ani/dnis/times of their own start.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversationEvent {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default)]
    pub participants: Vec<ConversationEventParticipant>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversationEventParticipant {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connected_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
    pub purpose: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wrapup_required: Option<bool>,
    #[serde(default)]
    pub attributes: std::collections::BTreeMap<String, String>,
}

impl From<&Conversation> for ConversationEvent {
    fn from(conversation: &Conversation) -> Self {
        let participants = conversation
            .participants
            .iter()
            .map(|participant| ConversationEventParticipant {
                id: participant.id.clone(),
                name: participant.name.clone(),
                address: participant.address.clone(),
                connected_time: participant.connected_time.clone(),
                end_time: participant.end_time.clone(),
                purpose: participant.purpose.clone(),
                queue_id: participant.queue_id.clone(),
                user_id: participant.user_id.clone(),
                wrapup_required: participant.wrapup_required,
                attributes: participant.attributes.clone(),
            })
            .collect();
        ConversationEvent { id: conversation.id.clone(), address: conversation.address.clone(), participants }
    }
}

/// `v2.users.{id}.conversations.calls`, `v2.routing.queues.{id}.conversations.calls`
/// (`ConversationCallEventTopicCallConversation` and the queue variant): the call shape of
/// `conversation::CallConversation` without `selfUri`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallConversationEvent {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default)]
    pub participants: Vec<CallParticipant>,
}

impl From<&Conversation> for CallConversationEvent {
    fn from(conversation: &Conversation) -> Self {
        CallConversationEvent {
            id: conversation.id.clone(),
            address: conversation.address.clone(),
            participants: conversation.participants.iter().map(CallParticipant::from).collect(),
        }
    }
}
