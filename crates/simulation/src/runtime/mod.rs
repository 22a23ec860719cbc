//! The flow runtime: one call's execution of flow versions as a pure state machine.
//!
//! [`CallExecution::step`] runs instantaneous blocks (variables, decisions, look-ups, transfers
//! between flows) and stops at the first block that takes time or needs the outside world, returned
//! as an [`Effect`]. A driver carries the effect out — the discrete-event engine in virtual time, the
//! emulator with tokio timers and real HTTP in wall-clock mode — and calls `step` again (after a
//! data action, first [`CallExecution::complete_data_action`]). The runtime itself never sleeps,
//! never does I/O and reads the clock only through the durations it is told.

mod assign;
mod blocks;
mod call;
mod caller;
mod frames;
mod input;
mod path;
mod program;
pub mod retry;

pub use call::{CallExecution, DEFAULT_STEP_LIMIT, FLOW_VERSION_ATTRIBUTE};
pub use caller::{Caller, CallerSpec, InputSource, NO_INPUT, is_dtmf_key, menu_has_choice};
pub use path::{AttemptOutcome, BlockVisit, CallPath, CallerInput, DataActionAttempt, Terminal, TerminalOutcome};
pub use program::{BlockIndex, FlowProgram, PROMPT_MS, ProgramError, RetrySettings};

use std::collections::BTreeMap;
use std::sync::Arc;

/// A flow version ready to run, as the world hands it out.
#[derive(Debug, Clone)]
pub struct FlowHandle {
    pub id: Arc<str>,
    pub name: Arc<str>,
    pub version: Arc<str>,
    pub program: Arc<FlowProgram>,
    /// Whether entering this flow stamps `Flow_Version` on a call that has none yet. Routers such as
    /// a Traffic Cop set this to false so the attribute names the version that does the work.
    pub stamps_flow_version: bool,
}

/// A data-table look-up that could not be answered (the table is missing, the store failed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct LookupError(pub String);

/// What the runtime reads from the org while a call runs. Implementations return live state: a
/// changed data-table row steers the very next look-up.
pub trait FlowWorld {
    /// A published flow by name or by id.
    fn flow_by_ref(&self, reference: &str) -> Option<FlowHandle>;
    /// A data-table row by key: `Ok(None)` when the key is absent.
    fn datatable_row(&self, table: &str, key: &str) -> Result<Option<BTreeMap<String, String>>, LookupError>;
    /// A queue by name (or id): its id, or `None` when the org has no such queue (`find_queue`).
    fn queue_by_ref(&self, reference: &str) -> Option<String>;
}

/// What a driver must do before the call can go on.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Play a prompt for `ms`, then call `step` again.
    Play { ms: u64 },
    /// Wait for `ms`, then call `step` again.
    Wait { ms: u64 },
    /// Call the integration; then `complete_data_action` and `step`.
    CallDataAction { integration: Arc<str>, inputs: BTreeMap<String, String>, attempt: u32, timeout_ms: u64 },
    /// Wait `ms` before the next attempt of the same data action, then call `step` again.
    Backoff { ms: u64 },
    /// Hand the call to the ACD. The flow part of the call is over (unless the driver rejects the
    /// queue with `reject_queue_transfer`).
    TransferToQueue { queue: String, priority: i32 },
    /// The call ends in the flow.
    Disconnect { reason: Arc<str> },
    /// The call ends in a voicemail box (a user's or a queue's, as the flow named it).
    TransferToVoicemail { target: String },
}

impl Effect {
    /// Whether the call's flow part is over.
    pub fn is_terminal(&self) -> bool {
        matches!(self, Effect::TransferToQueue { .. } | Effect::Disconnect { .. } | Effect::TransferToVoicemail { .. })
    }
}

/// The answer to a data-action attempt.
#[derive(Debug, Clone, PartialEq)]
pub enum DataActionOutcome {
    Success {
        outputs: BTreeMap<String, String>,
    },
    /// `status: None` means no HTTP response at all. `retry_after_ms` comes from a `Retry-After` header.
    Failure {
        status: Option<u16>,
        retry_after_ms: Option<u64>,
    },
    Timeout,
}

#[cfg(test)]
mod tests;
