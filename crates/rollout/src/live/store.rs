//! Controller state in the shared journal: one JSON record per (org, flow) under namespace
//! `rollout`, changed only by compare-and-swap on its revision, plus the event log. A command from
//! another process (abort, pause) and the running driver never overwrite each other: whoever loses
//! the swap reloads and applies its input to the newer state.

use super::error::RolloutError;
use crate::controller::{Controller, Input, Output};
use serde::{Deserialize, Serialize};
use switchboard_journal::{Journal, JournalError};

pub const NAMESPACE: &str = "rollout";

/// What the journal keeps per rollout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RolloutRecord {
    pub controller: Controller,
    /// The `Deployment_Control` table's id in the org.
    pub table_id: String,
    /// End of the last judged window (epoch ms): the next window starts here.
    pub window_end_ms: i64,
    /// The controller revision whose row is known to be in the table. Less than
    /// `controller.revision` means a write was interrupted: the driver writes that row on resume,
    /// once, and never a second step.
    pub written_revision: u64,
    /// Whether abandonment per version is known (always, since the judge reads the conversation
    /// detail records; false only in records written by older drivers).
    #[serde(default)]
    pub abandonment_available: bool,
}

#[derive(Clone)]
pub struct Store {
    pub journal: Journal,
    pub key: String,
}

impl Store {
    /// `org` and `flow` make the key (`acme/Main IVR`).
    pub fn new(journal: Journal, org: &str, flow: &str) -> Store {
        Store { journal, key: format!("{org}/{flow}") }
    }

    /// The lease scope that keeps a second controller off this flow.
    pub fn lease_scope(&self) -> String {
        format!("rollout:{}", self.key)
    }

    pub async fn load(&self) -> Result<Option<(RolloutRecord, u64)>, RolloutError> {
        let Some((value, revision)) = self.journal.get_state(NAMESPACE, &self.key).await? else { return Ok(None) };
        let record = serde_json::from_value(value).map_err(|error| RolloutError::Corrupt { flow: self.key.clone(), detail: error.to_string() })?;
        Ok(Some((record, revision)))
    }

    /// Stores `record` if the journal still holds `expected` (None: a new rollout, or replacing a
    /// finished one with `replace`).
    pub async fn save(&self, record: &RolloutRecord, expected: Option<u64>) -> Result<u64, RolloutError> {
        let value = serde_json::to_value(record).map_err(|error| RolloutError::Corrupt { flow: self.key.clone(), detail: error.to_string() })?;
        Ok(self.journal.put_state(NAMESPACE, &self.key, &value, expected).await?)
    }

    pub async fn append(&self, output: &Output) -> Result<(), RolloutError> {
        for event in &output.events {
            let value = serde_json::to_value(event).map_err(|error| RolloutError::Corrupt { flow: self.key.clone(), detail: error.to_string() })?;
            self.journal.append_event(NAMESPACE, &self.key, &value).await?;
        }
        Ok(())
    }

    /// Applies an operator input with compare-and-swap, retrying on a concurrent change. Returns
    /// the new record and what the controller asked for (the caller writes the row).
    pub async fn apply(&self, input: Input, now_ms: u64) -> Result<(RolloutRecord, u64, Output), RolloutError> {
        loop {
            let Some((mut record, revision)) = self.load().await? else {
                return Err(RolloutError::NoRollout { flow: self.key.clone() });
            };
            let output = record.controller.step(input.clone(), now_ms)?;
            match self.save(&record, Some(revision)).await {
                Ok(new_revision) => {
                    self.append(&output).await?;
                    return Ok((record, new_revision, output));
                }
                Err(RolloutError::Journal(JournalError::Conflict { .. })) => continue,
                Err(error) => return Err(error),
            }
        }
    }
}
