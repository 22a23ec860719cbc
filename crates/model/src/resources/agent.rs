//! Agents (platform users who take calls): queue memberships, presence and on-queue state.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Agent {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Queue names (desired state) or ids (live state) the agent is a member of.
    #[serde(default)]
    pub queues: BTreeSet<String>,
    #[serde(default)]
    pub presence: Presence,
    /// Routing status: on queue means the ACD may offer calls (when presence allows).
    #[serde(default)]
    pub on_queue: bool,
}

/// The platform calls agents users.
pub type User = Agent;

/// The platform's system presences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    Available,
    Away,
    Busy,
    Break,
    Meal,
    Meeting,
    Training,
    #[default]
    Offline,
}

impl Agent {
    /// Whether the ACD may route calls from `queue` to this agent.
    pub fn can_take_calls_from(&self, queue: &str) -> bool {
        self.on_queue && self.queues.contains(queue) && self.presence != Presence::Offline
    }
}

super::resource!(Agent, "user");
