//! The thin async driver: one analysis interval at a time, the controller's state saved in the
//! journal before its row is written (so a driver killed between the two writes that row once on
//! resume and never takes a second step), a lease so only one driver runs per flow, and operator
//! commands that change the state by compare-and-swap from any process.

use super::analytics::analytics_window;
use super::error::RolloutError;
use super::org::{Org, StartReport};
use super::smoke::{SmokeDialer, smoke_test};
use super::store::{RolloutRecord, Store};
use crate::controller::{Controller, Input, Output, Phase};
use crate::policy::Policy;
use std::time::Duration;
use switchboard_journal::JournalError;
use switchboard_model::flow::FlowDefinition;
use switchboard_platform::Platform;

pub struct Driver<'a, P: ?Sized> {
    pub org: Org<'a, P>,
    pub store: Store,
    /// Places the smoke test's calls; `None`: the smoke test is reported not applicable.
    pub smoke: Option<Box<dyn SmokeDialer + 'a>>,
}

/// Milliseconds since the epoch (the driver's wall clock; the controller only sees numbers).
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn as_u64(ms: i64) -> u64 {
    u64::try_from(ms).unwrap_or(0)
}

impl<'a, P: Platform + ?Sized> Driver<'a, P> {
    pub fn new(org: Org<'a, P>, store: Store) -> Driver<'a, P> {
        Driver { org, store, smoke: None }
    }

    /// The driver with a way to place the smoke test's calls.
    pub fn with_smoke_dialer(mut self, dialer: impl SmokeDialer + 'a) -> Driver<'a, P> {
        self.smoke = Some(Box::new(dialer));
        self
    }

    /// Schema gate, data actions, publish to the idle slot, smoke test, first weight step. Refuses
    /// while another rollout of the flow is unfinished; a failed smoke test refuses before any
    /// weight moves (the evidence goes to the journal's event log and the error).
    pub async fn start(&self, candidate: &FlowDefinition, file: &str, policy: Policy) -> Result<(RolloutRecord, StartReport), RolloutError> {
        policy.check().map_err(crate::controller::ControllerError::from)?;
        let previous = self.store.load().await?;
        if let Some((record, _)) = &previous
            && !record.controller.phase.is_finished()
        {
            return Err(RolloutError::InProgress { flow: self.org.flow.clone(), phase: format!("{:?}", record.controller.phase).to_lowercase() });
        }
        let (mut report, table_id) = self.org.publish_candidate(candidate, file).await?;
        let did = self.org.smoke_did(&report.candidate).await?;
        let smoke = smoke_test(self.smoke.as_deref(), did.as_deref(), candidate, &report.candidate.flow_id, &policy.smoke_terminals, policy.smoke_calls).await;
        match smoke {
            Ok(outcome) => report.smoke = Some(outcome),
            Err(RolloutError::SmokeFailed { report: evidence }) => {
                let event = serde_json::json!({ "at_ms": as_u64(now_ms()), "kind": "smoke_failed", "candidate": report.candidate, "report": evidence });
                self.store.journal.append_event(super::store::NAMESPACE, &self.store.key, &event).await?;
                return Err(RolloutError::SmokeFailed { report: evidence });
            }
            Err(error) => return Err(error),
        }
        let now = now_ms();
        let (controller, output) = Controller::start(&self.org.flow, policy, report.active.clone(), report.candidate.clone(), as_u64(now))?;
        let mut record = RolloutRecord { controller, table_id, window_end_ms: now, written_revision: 0, abandonment_available: true };
        let mut revision = self.store.save(&record, previous.map(|(_, revision)| revision)).await?;
        self.store.append(&output).await?;
        if let Some(row) = &output.write {
            self.org.write_row(&record.table_id, row).await?;
            record.written_revision = record.controller.revision;
            revision = self.store.save(&record, Some(revision)).await?;
        }
        let _ = revision;
        Ok((record, report))
    }

    /// One analysis interval: judge the calls since the last one and apply the verdict. Returns the
    /// controller's output, or `None` when the rollout is finished or another process changed the
    /// state meanwhile (the next tick works from the newer state).
    pub async fn tick(&self) -> Result<Option<Output>, RolloutError> {
        let Some((mut record, mut revision)) = self.store.load().await? else {
            return Err(RolloutError::NoRollout { flow: self.org.flow.clone() });
        };
        // A write the last driver decided but may not have made: make it now, once.
        if record.written_revision < record.controller.revision {
            self.org.write_row(&record.table_id, &record.controller.row).await?;
            record.written_revision = record.controller.revision;
            revision = match self.store.save(&record, Some(revision)).await {
                Ok(revision) => revision,
                Err(RolloutError::Journal(JournalError::Conflict { .. })) => return Ok(None),
                Err(error) => return Err(error),
            };
        }
        if record.controller.phase.is_finished() {
            return Ok(None);
        }
        let now = now_ms();
        let controller = &record.controller;
        let window =
            analytics_window(self.org.platform, record.window_end_ms, now, &controller.active.flow_id, &controller.candidate.flow_id).await?;
        let output = record.controller.step(Input::Interval(window), as_u64(now))?;
        record.window_end_ms = now;
        record.abandonment_available = true;
        // State first, then the row: see the module comment.
        revision = match self.store.save(&record, Some(revision)).await {
            Ok(revision) => revision,
            Err(RolloutError::Journal(JournalError::Conflict { .. })) => return Ok(None),
            Err(error) => return Err(error),
        };
        self.store.append(&output).await?;
        if let Some(row) = &output.write {
            self.org.write_row(&record.table_id, row).await?;
            record.written_revision = record.controller.revision;
            if let Err(error) = self.store.save(&record, Some(revision)).await
                && !matches!(error, RolloutError::Journal(JournalError::Conflict { .. }))
            {
                return Err(error);
            }
        }
        Ok(Some(output))
    }

    /// Runs intervals until the rollout is promoted or aborted, holding the flow's lease (a second
    /// driver on the same flow is refused with the holder's name). `on_tick` sees every output.
    pub async fn run(&self, holder: &str, mut on_tick: impl FnMut(&RolloutRecord, &Output)) -> Result<RolloutRecord, RolloutError> {
        let Some((record, _)) = self.store.load().await? else {
            return Err(RolloutError::NoRollout { flow: self.org.flow.clone() });
        };
        let interval = Duration::from_millis(record.controller.policy.interval_ms.max(10));
        let ttl = (interval * 3).max(Duration::from_secs(10));
        let mut lease = self.store.journal.acquire_lease(&self.store.lease_scope(), holder, ttl).await?;
        let result = async {
            loop {
                if let Some((record, _)) = self.store.load().await?
                    && record.controller.phase.is_finished()
                    && record.written_revision >= record.controller.revision
                {
                    return Ok(record);
                }
                tokio::time::sleep(interval).await;
                lease.renew(ttl).await?;
                if let Some(output) = self.tick().await?
                    && let Some((record, _)) = self.store.load().await?
                {
                    on_tick(&record, &output);
                }
            }
        }
        .await;
        let _ = lease.release().await;
        result
    }

    /// An operator command, by compare-and-swap on the journal's state and then the row write,
    /// in that order for every command, abort included: a driver that dies between the two (or a
    /// row write that fails) leaves a decided state whose row the next tick writes once. Abort
    /// reaches new calls as soon as its row write returns, one journal write after the command.
    pub async fn command(&self, input: Input) -> Result<(RolloutRecord, Output), RolloutError> {
        let (mut record, revision, output) = self.store.apply(input, as_u64(now_ms())).await?;
        if let Some(row) = &output.write {
            self.org.write_row(&record.table_id, row).await?;
            record.written_revision = record.controller.revision;
            if let Err(error) = self.store.save(&record, Some(revision)).await
                && !matches!(error, RolloutError::Journal(JournalError::Conflict { .. }))
            {
                return Err(error);
            }
        }
        Ok((record, output))
    }

    pub async fn status(&self) -> Result<RolloutRecord, RolloutError> {
        self.store.load().await?.map(|(record, _)| record).ok_or_else(|| RolloutError::NoRollout { flow: self.org.flow.clone() })
    }

    /// Every event of the flow's rollouts, oldest first, from the journal's log.
    pub async fn history(&self) -> Result<Vec<serde_json::Value>, RolloutError> {
        let events = self.store.journal.events(super::store::NAMESPACE, &self.store.key).await?;
        Ok(events.into_iter().map(|event| event.value).collect())
    }
}

/// True once nothing more will happen.
pub fn is_finished(record: &RolloutRecord) -> bool {
    matches!(record.controller.phase, Phase::Promoted | Phase::Aborted)
}
