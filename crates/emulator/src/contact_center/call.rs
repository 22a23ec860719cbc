//! One live call as the rest of the emulator sees it: participant data, the conversation's
//! participants and phase, the record analytics will keep, and the runtime's path once the flow
//! part is over. The driver task owns the `CallExecution`; this is the shared, lockable side.

use crate::analytics::ConversationRecord;
use crate::analytics::interval::format_instant;
use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};
use switchboard_api::conversation::{Conversation, Participant};
use switchboard_simulation::runtime::CallPath;
use tokio::sync::watch;

/// Where a call is. Ordered: a call only moves forward.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    InFlow,
    Queued,
    Connected,
    WrapUp,
    Ended,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    InProgress,
    Answered,
    Abandoned,
    /// Ended in the flow (disconnect block, flow error, failed transfer).
    Disconnected,
    /// Ended in a voicemail box from the flow.
    Voicemail,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::InProgress => "in_progress",
            Outcome::Answered => "answered",
            Outcome::Abandoned => "abandoned",
            Outcome::Disconnected => "disconnected",
            Outcome::Voicemail => "voicemail",
        }
    }
}

#[derive(Debug)]
pub struct CallState {
    pub org_id: String,
    pub did: String,
    pub ani: String,
    pub phase: Phase,
    pub outcome: Outcome,
    /// Participant data as of the last runtime step, plus PATCHed attributes.
    pub attributes: BTreeMap<String, String>,
    /// PATCHed attributes the driver has not handed to the runtime yet.
    pub pending_attributes: Vec<(String, String)>,
    pub path: Option<CallPath>,
    pub record: ConversationRecord,
    pub queue_name: Option<String>,
    pub agent_name: Option<String>,
    /// Wall-clock speed-up of this call's prompts, waits, handling and patience.
    pub speed_up: f64,
    /// Flow time spent in the flows, set when the flow part ends.
    pub flow_ms: Option<u64>,
}

/// Participant ids are derived from the conversation id so they are stable and unique.
pub fn participant_id(conversation_id: &str, purpose: &str) -> String {
    crate::state::ids::derive_id(&[conversation_id, purpose])
}

#[derive(Debug)]
pub struct LiveCall {
    pub id: String,
    state: Mutex<CallState>,
    phase: watch::Sender<Phase>,
    /// The emulator's clock: every time the call records comes from it.
    pub clock: crate::clock::Clock,
}

impl LiveCall {
    pub fn new(id: String, state: CallState, clock: crate::clock::Clock) -> LiveCall {
        let (phase, _) = watch::channel(state.phase);
        LiveCall { id, state: Mutex::new(state), phase, clock }
    }

    /// UTC now in Unix milliseconds, on the emulator's clock.
    pub fn now_ms(&self) -> i64 {
        self.clock.utc_ms()
    }

    pub fn lock(&self) -> MutexGuard<'_, CallState> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Moves the call to `phase` and wakes whoever waits for it.
    pub fn advance(&self, phase: Phase) {
        self.lock().phase = phase;
        self.phase.send_replace(phase);
    }

    /// Waits until the call reaches `phase` (or later).
    pub async fn reached(&self, phase: Phase) {
        let mut receiver = self.phase.subscribe();
        let _ = receiver.wait_for(|current| *current >= phase).await;
    }

    /// The real API's conversation shape.
    pub fn conversation(&self) -> Conversation {
        let call = self.lock();
        let record = &call.record;
        let time = |ms: Option<i64>| ms.map(format_instant);
        let mut participants = vec![Participant {
            id: participant_id(&self.id, "customer"),
            start_time: time(Some(record.start_ms)),
            end_time: time(record.end_ms),
            connected_time: time(Some(record.start_ms)),
            name: Some("Customer".to_string()),
            purpose: "customer".to_string(),
            address: Some(call.ani.clone()),
            ani: Some(call.ani.clone()),
            dnis: Some(call.did.clone()),
            attributes: call.attributes.clone(),
            ..Participant::default()
        }];
        if let (Some(first), Some(last)) = (record.flows.first(), record.flows.last()) {
            participants.push(Participant {
                id: participant_id(&self.id, "ivr"),
                start_time: time(Some(first.entered_ms)),
                end_time: time(last.exited_ms),
                connected_time: time(Some(first.entered_ms)),
                name: Some(last.flow_name.clone()),
                purpose: "ivr".to_string(),
                address: Some(call.did.clone()),
                dnis: Some(call.did.clone()),
                ..Participant::default()
            });
        }
        if let Some(queue) = &record.queue {
            let left = queue.answered_ms.or(queue.abandoned_ms);
            participants.push(Participant {
                id: participant_id(&self.id, "acd"),
                start_time: time(Some(queue.entered_ms)),
                end_time: time(left),
                connected_time: time(Some(queue.entered_ms)),
                name: call.queue_name.clone(),
                queue_id: Some(queue.queue_id.clone()),
                queue_name: call.queue_name.clone(),
                purpose: "acd".to_string(),
                disconnect_type: queue.abandoned_ms.map(|_| "peer".to_string()).or(queue.answered_ms.map(|_| "transfer".to_string())),
                ..Participant::default()
            });
            if let (Some(agent), Some(answered)) = (&queue.agent_id, queue.answered_ms) {
                participants.push(Participant {
                    id: participant_id(&self.id, "agent"),
                    start_time: time(Some(answered)),
                    end_time: time(queue.wrapup_end_ms.or(queue.talk_end_ms)),
                    connected_time: time(Some(answered)),
                    name: call.agent_name.clone(),
                    user_id: Some(agent.clone()),
                    queue_id: Some(queue.queue_id.clone()),
                    queue_name: call.queue_name.clone(),
                    purpose: "agent".to_string(),
                    wrapup_required: Some(true),
                    ..Participant::default()
                });
            }
        }
        Conversation {
            id: self.id.clone(),
            start_time: format_instant(record.start_ms),
            end_time: time(record.end_ms),
            address: Some(call.did.clone()),
            participants,
            self_uri: Some(format!("/api/v2/conversations/{}", self.id)),
        }
    }
}
