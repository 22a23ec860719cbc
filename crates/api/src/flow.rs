//! Architect flows (`/api/v2/flows`), their versions and the asynchronous operations on them.
//!
//! A version's configuration is our own format, `switchboard_model::flow::FlowDefinition`, carried
//! as JSON: `GET /api/v2/flows/{id}/versions/{versionId}/configuration` returns it, and
//! `POST /api/v2/flows/{id}/versions` saves a new one (the real platform carries Architect's
//! internal format there, which nothing outside Architect reads).

use crate::common::{Division, EntityRef};
use serde::{Deserialize, Serialize};

/// The real `Flow`. Flows are guarded by locks (`lockedUser`/`lockedClient`), not by versions.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Flow {
    #[serde(default)]
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub division: Option<Division>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `INBOUNDCALL`, `INQUEUECALL`, `WORKFLOW`, ... as the real API spells it.
    #[serde(rename = "type")]
    pub flow_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked_user: Option<EntityRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked_client: Option<EntityRef>,
    #[serde(default)]
    pub active: bool,
    #[serde(default)]
    pub system: bool,
    #[serde(default)]
    pub deleted: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_version: Option<FlowVersion>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saved_version: Option<FlowVersion>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked_in_version: Option<FlowVersion>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_operation: Option<Operation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_uri: Option<String>,
}

/// Who holds a flow's lock (checkout): an OAuth client or a user.
#[derive(Debug, Clone, PartialEq)]
pub enum LockHolder {
    Client(EntityRef),
    User(EntityRef),
}

impl LockHolder {
    pub fn entity(&self) -> &EntityRef {
        match self {
            LockHolder::Client(entity) | LockHolder::User(entity) => entity,
        }
    }

    /// The holder's name, else its id.
    pub fn label(&self) -> String {
        let entity = self.entity();
        let name = entity.name.clone().unwrap_or_else(|| entity.id.clone());
        match self {
            LockHolder::Client(_) => format!("OAuth client {name}"),
            LockHolder::User(_) => format!("user {name}"),
        }
    }
}

impl Flow {
    /// The lock's holder (`lockedUser` first, as the platform reports a user's checkout over
    /// a client's), `None` when the flow is not checked out.
    pub fn lock_holder(&self) -> Option<LockHolder> {
        self.locked_user.clone().map(LockHolder::User).or_else(|| self.locked_client.clone().map(LockHolder::Client))
    }

    /// Whether the lock is held by the OAuth client `client_id`.
    pub fn locked_by_client(&self, client_id: &str) -> bool {
        self.locked_user.is_none() && self.locked_client.as_ref().is_some_and(|client| client.id == client_id)
    }
}

/// The real `FlowVersion`. Dates here are epoch milliseconds, as the real API has them.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FlowVersion {
    /// `"1.0"`, `"2.0"`, ...
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration_version: Option<String>,
    /// `PUBLISH`, `CHECKIN` or `SAVE`: how this version came to be.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub version_type: Option<String>,
    #[serde(default)]
    pub secure: bool,
    #[serde(default)]
    pub debug: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by_client: Option<EntityRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_created: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_checked_in: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_saved: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_uri: Option<String>,
}

/// The real `Operation` a flow action leaves on the flow (`currentOperation`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Operation {
    pub id: String,
    pub complete: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<EntityRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// `CREATE`, `CHECKIN`, `DEBUG`, `DELETE`, `HISTORY`, `PUBLISH`, `STATE_CHANGE`, `UPDATE`, `VALIDATE`.
    pub action_name: String,
    /// `LOCKED`, `UNLOCKED`, `STARTED`, `PENDING_GENERATION`, `PENDING_BACKEND_NOTIFICATION`, `SUCCESS`, `FAILURE`.
    pub action_status: String,
}

/// Operation status values used by the emulator.
pub mod action_status {
    pub const LOCKED: &str = "LOCKED";
    pub const PENDING: &str = "PENDING_GENERATION";
    pub const SUCCESS: &str = "SUCCESS";
    pub const FAILURE: &str = "FAILURE";
}

/// Seed-only lock request (`PATCH /api/v2/flow/{flowId}/lock`, seed 001).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeedLockRequest {
    /// `acquire` or `release`.
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

/// Seed 001's `POST /api/v2/flow/{id}/validate` answer (an emulator extension): whether the latest
/// saved version's graph holds (`model::validate::validate_graph`), with its errors.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct FlowValidation {
    pub valid: bool,
    /// The version checked; absent when the flow has none saved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    pub errors: Vec<String>,
}
