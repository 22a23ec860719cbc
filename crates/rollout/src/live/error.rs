//! Everything a live rollout command can fail with, each one line naming what is wrong.

use crate::controller::ControllerError;
use crate::schema::SchemaProblem;

#[derive(Debug, thiserror::Error)]
pub enum RolloutError {
    #[error(transparent)]
    Platform(#[from] switchboard_platform::PlatformError),
    #[error("journal: {0}")]
    Journal(#[from] switchboard_journal::JournalError),
    #[error(transparent)]
    Controller(#[from] ControllerError),
    #[error("{file}: the candidate breaks the participant-data schema: {}", problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Schema { file: String, problems: Vec<SchemaProblem> },
    #[error("{0}")]
    Flow(String),
    #[error("flow '{flow}' is not set up for rollouts: run `switchboard rollout init --flow {flow}` first ({detail})")]
    NotInitialized { flow: String, detail: String },
    #[error("smoke test failed, nothing routed to the candidate: {report}")]
    SmokeFailed { report: crate::smoke::SmokeReport },
    #[error("no rollout of '{flow}' in the journal")]
    NoRollout { flow: String },
    #[error("a rollout of '{flow}' is already {phase} (abort or promote it first)")]
    InProgress { flow: String, phase: String },
    #[error("journal: stored rollout state of '{flow}' is unreadable: {detail}")]
    Corrupt { flow: String, detail: String },
}
