//! One org's transaction: every change of its plan in order, each re-read and re-diffed right
//! before its write (a field changed since the plan is somebody's hand edit: kept and reported
//! unless `--force`), written conditionally, retried after a lost race, journaled. On failure
//! the org is restored from its snapshots and marked failed.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use serde_json::Value;
use switchboard_journal::{Applied, DeploymentId, Journal, Status, StepUpdate};

use super::{ApplyOptions, ConflictReport, OrgReport, StepOutcome};
use crate::plan::diff::{self, FieldChange, Origin};
use crate::plan::{Action, Change, IdIndex, LastApplied, OrgPlan, Plan, resolve_body};
use crate::provider::{LiveObject, Provider, ProviderError};
use crate::record::Before;

pub(super) struct OrgContext<'a> {
    pub plan: &'a Plan,
    pub org_plan: &'a OrgPlan,
    pub provider: &'a dyn Provider,
    /// Every org's provider (capacity weights read a queue in its own org, maybe the parent).
    pub providers: &'a crate::plan::Providers,
    pub journal: &'a Journal,
    pub deployment: &'a DeploymentId,
    pub options: &'a ApplyOptions,
    pub ids: Arc<Mutex<IdIndex>>,
    /// Steps a previous run finished (resume).
    pub done: BTreeSet<String>,
    pub resuming: bool,
}

#[derive(Debug, thiserror::Error)]
enum StepError {
    #[error(transparent)]
    Provider(#[from] ProviderError),
    #[error("journal: {0}")]
    Journal(#[from] switchboard_journal::JournalError),
    #[error("references still unresolved: {0}")]
    Unresolved(String),
    #[error("{0}")]
    Capacity(String),
    #[error("still contended after {0} read-compare-write rounds")]
    Contended(u32),
}

/// What one step did.
struct StepResult {
    outcome: StepOutcome,
    conflicts: Vec<ConflictReport>,
}

pub(super) async fn apply_org(context: OrgContext<'_>) -> OrgReport {
    let org = context.org_plan.org.clone();
    let progress = context.options.progress.clone();
    let mut report = OrgReport { org: org.clone(), status: Status::InProgress.as_str().into(), written: 0, unchanged: 0, conflicts: Vec::new(), error: None };
    let steps: Vec<&Change> = context.org_plan.changes.iter().collect();
    progress.org_started(&org, steps.len());
    if let Err(error) = context.journal.set_org_status(context.deployment, &org, Status::InProgress, None).await {
        report.status = Status::Failed.as_str().into();
        report.error = Some(error.to_string());
        return report;
    }
    let mut failure = None;
    for change in steps {
        let key = change.key.to_string();
        if context.done.contains(&key) {
            progress.step(&org, &key, change.action, StepOutcome::Skipped);
            continue;
        }
        match step(&context, change).await {
            Ok(result) => {
                match result.outcome {
                    StepOutcome::Written => report.written += 1,
                    StepOutcome::Unchanged | StepOutcome::Skipped => report.unchanged += 1,
                    StepOutcome::ConflictKept | StepOutcome::Failed => {}
                }
                report.conflicts.extend(result.conflicts);
                progress.step(&org, &key, change.action, result.outcome);
            }
            Err(error) => {
                progress.step(&org, &key, change.action, StepOutcome::Failed);
                let message = format!("{key}: {error}");
                let _ = context
                    .journal
                    .record_step(context.deployment, &StepUpdate { org: org.clone(), resource_key: key.clone(), action: change.action.as_str().into(), status: Status::Failed, error: Some(message.clone()), applied: None })
                    .await;
                failure = Some(message);
                break;
            }
        }
    }
    let status = match &failure {
        None => Status::Done,
        Some(message) => {
            // The org is a transaction: put back what this deployment changed in it.
            let restored = super::restore::restore_org(context.journal, context.deployment, &context.plan.environment, &org, context.provider).await;
            report.error = Some(match restored {
                Ok(_) => format!("{message} (org restored from its snapshots)"),
                Err(error) => format!("{message}; restoring the org failed too: {error}"),
            });
            Status::Failed
        }
    };
    let _ = context.journal.set_org_status(context.deployment, &org, status, report.error.as_deref()).await;
    report.status = status.as_str().into();
    progress.org_finished(&org, status.as_str());
    report
}

/// `body` with capacity weights read now (from their orgs) and references resolved to ids.
async fn resolved(context: &OrgContext<'_>, body: &Value) -> Result<Value, StepError> {
    let org = context.org_plan.org.as_str();
    let mut counts = crate::capacity::Counts::new();
    if !crate::capacity::targets(body).is_empty() {
        // A copy of the index: the lock must not be held across the reads.
        let ids = context.ids.lock().map_err(|_| StepError::Unresolved("id index poisoned".into()))?.clone();
        crate::capacity::read_counts(body, org, &ids, context.providers, &mut counts).await.map_err(StepError::Capacity)?;
    }
    let substituted = crate::capacity::substitute(body, org, &counts);
    if let Some(missing) = crate::capacity::targets(&substituted).first() {
        return Err(StepError::Capacity(format!("capacity of {missing}: no such object to count agents on")));
    }
    let ids = context.ids.lock().map_err(|_| StepError::Unresolved("id index poisoned".into()))?;
    let body = resolve_body(&substituted, org, &ids);
    if crate::plan::resolve::is_pending(&body) {
        return Err(StepError::Unresolved(serde_json::to_string(&body).unwrap_or_default().chars().take(200).collect()));
    }
    Ok(body)
}

fn remember(context: &OrgContext<'_>, object: &LiveObject) {
    if let Ok(mut ids) = context.ids.lock() {
        ids.insert(&context.org_plan.org, &object.kind, &object.name, &object.id, object.enabled);
    }
}

async fn journal_step(context: &OrgContext<'_>, change: &Change, status: Status, applied: Option<Applied>) -> Result<(), StepError> {
    let step = StepUpdate { org: context.org_plan.org.clone(), resource_key: change.key.to_string(), action: change.action.as_str().into(), status, error: None, applied };
    context.journal.record_step(context.deployment, &step).await?;
    Ok(())
}

async fn snapshot(context: &OrgContext<'_>, change: &Change, object: Option<&LiveObject>) -> Result<(), StepError> {
    let last = context.journal.last_applied(&context.plan.environment, &context.org_plan.org, &change.key.to_string()).await?;
    let before = Before { object: object.cloned(), last: last.and_then(|value| serde_json::from_value::<LastApplied>(value).ok()) };
    let value = serde_json::to_value(&before).unwrap_or(Value::Null);
    context.journal.snapshot(context.deployment, &context.org_plan.org, &change.key.to_string(), Some(&value)).await?;
    Ok(())
}

async fn resnapshot(context: &OrgContext<'_>, change: &Change, object: Option<&LiveObject>) -> Result<(), StepError> {
    let last = context.journal.last_applied(&context.plan.environment, &context.org_plan.org, &change.key.to_string()).await?;
    let before = Before { object: object.cloned(), last: last.and_then(|value| serde_json::from_value::<LastApplied>(value).ok()) };
    let value = serde_json::to_value(&before).unwrap_or(Value::Null);
    context.journal.replace_snapshot(context.deployment, &context.org_plan.org, &change.key.to_string(), Some(&value)).await?;
    Ok(())
}

fn applied(object: &LiveObject, body: &Value) -> Applied {
    let record = LastApplied { id: Some(object.id.clone()), body: body.clone(), revision: object.revision.clone(), guard: object.guard.clone() };
    Applied::Content(serde_json::to_value(record).unwrap_or(Value::Null))
}

fn conflict_reports(change: &Change, fields: &[FieldChange]) -> Vec<ConflictReport> {
    fields
        .iter()
        .filter(|field| field.is_conflict())
        .map(|field| ConflictReport { resource: change.key.to_string(), field: field.field.clone(), live: field.live.clone(), desired: field.desired.clone() })
        .collect()
}

async fn find_by_name(provider: &dyn Provider, kind: &str, name: &str) -> Result<Option<LiveObject>, ProviderError> {
    let listed = provider.list(kind, &[name.to_string()]).await?;
    Ok(listed.into_iter().find(|object| object.name == name))
}

async fn step(context: &OrgContext<'_>, change: &Change) -> Result<StepResult, StepError> {
    let provider = context.provider;
    let kind = change.key.kind.as_str();
    match change.action {
        Action::Unchanged => {
            if let (Some(seen), Some(desired)) = (&change.seen, &change.desired) {
                remember(context, seen);
                // Record what holds, so the next plan has a base even for adopted resources.
                if change.base.is_none() {
                    let body = resolved(context, desired).await?;
                    journal_step(context, change, Status::Done, Some(applied(seen, &body))).await?;
                }
            }
            return Ok(StepResult { outcome: StepOutcome::Unchanged, conflicts: Vec::new() });
        }
        Action::Conflict if !context.options.force => {
            if let Some(seen) = &change.seen {
                remember(context, seen);
            }
            return Ok(StepResult { outcome: StepOutcome::ConflictKept, conflicts: conflict_reports(change, &change.fields) });
        }
        Action::Delete => {
            let Some(seen) = &change.seen else { return Ok(StepResult { outcome: StepOutcome::Unchanged, conflicts: Vec::new() }) };
            journal_step(context, change, Status::InProgress, None).await?;
            let fresh = provider.read(kind, &seen.id).await?;
            snapshot(context, change, fresh.as_ref()).await?;
            if let Some(fresh) = fresh {
                provider.delete(&fresh).await?;
            }
            journal_step(context, change, Status::Done, Some(Applied::Removed)).await?;
            return Ok(StepResult { outcome: StepOutcome::Written, conflicts: Vec::new() });
        }
        Action::Create | Action::Update | Action::Conflict => {}
    }
    let Some(desired) = &change.desired else { return Ok(StepResult { outcome: StepOutcome::Unchanged, conflicts: Vec::new() }) };
    let body = resolved(context, desired).await?;
    journal_step(context, change, Status::InProgress, None).await?;
    // Where the object is now. With a guard (our last write's ETag, still current at plan
    // time) the plan's object is used as is: the conditional write proves it unchanged, and a
    // stale guard fails as a conflict that re-reads. Otherwise (no guard, or a resumed run
    // after a partial write) a fresh read; for a create, whether an earlier (killed) run or
    // someone else created it meanwhile.
    let mut current = match &change.seen {
        Some(seen) if seen.guard.is_some() && !context.resuming => Some(seen.clone()),
        Some(seen) => provider.read(kind, &seen.id).await?,
        None if context.resuming => find_by_name(provider, kind, &change.key.name).await?,
        None => None,
    };
    snapshot(context, change, current.as_ref()).await?;
    let wanted = provider.comparable(kind, body.clone());
    // What the plan saw is the base: a field that moved since is a hand edit.
    let seen_base = change.seen.as_ref().map(|seen| provider.comparable(kind, crate::plan::live::with_last_known(seen, None)));
    let mut rounds = 0;
    loop {
        let Some(fresh) = current.take() else {
            let created = provider.create(kind, &body).await?;
            remember(context, &created);
            journal_step(context, change, Status::Done, Some(applied(&created, &body))).await?;
            return Ok(StepResult { outcome: StepOutcome::Written, conflicts: Vec::new() });
        };
        remember(context, &fresh);
        let found = provider.comparable(kind, fresh.body.clone());
        let mut fields = diff::diff(&wanted, &found, seen_base.as_ref().or(change.base.as_ref()));
        // The plan's conflicts stay conflicts (a hand edit before the plan).
        for field in &mut fields {
            if let Some(planned) = change.fields.iter().find(|planned| planned.field == field.field && planned.is_conflict()) {
                field.origin = if field.origin == Origin::Ours { planned.origin } else { field.origin };
            }
        }
        if context.options.force {
            for field in &mut fields {
                field.origin = Origin::Ours;
            }
        }
        let conflicts = conflict_reports(change, &fields);
        if fields.iter().all(FieldChange::is_conflict) {
            journal_step(context, change, Status::Done, Some(applied(&fresh, &body))).await?;
            let outcome = if conflicts.is_empty() { StepOutcome::Unchanged } else { StepOutcome::ConflictKept };
            return Ok(StepResult { outcome, conflicts });
        }
        // Conflicting fields keep their live value; a conflict on a field the write cannot
        // keep apart (flow content) leaves the whole object alone.
        let raw_fields: Vec<FieldChange> = fields
            .iter()
            .map(|field| FieldChange { live: raw_at(&fresh.body, &field.field), ..field.clone() })
            .collect();
        if raw_fields.iter().any(|field| field.is_conflict() && desired_lacks(&body, &field.field)) {
            journal_step(context, change, Status::Done, Some(applied(&fresh, &body))).await?;
            return Ok(StepResult { outcome: StepOutcome::ConflictKept, conflicts });
        }
        let write = diff::write_body(&body, &raw_fields, false);
        match provider.update(&fresh, &write).await {
            Ok(written) => {
                remember(context, &written);
                journal_step(context, change, Status::Done, Some(applied(&written, &body))).await?;
                let outcome = if conflicts.is_empty() { StepOutcome::Written } else { StepOutcome::ConflictKept };
                return Ok(StepResult { outcome, conflicts });
            }
            Err(error) if error.is_conflict() && rounds + 1 < context.options.max_rounds => {
                // Someone wrote in between: read again and re-diff. Nothing of ours was written
                // (the write was refused whole), so the fresh object is the true "before".
                rounds += 1;
                current = provider.read(kind, &fresh.id).await?;
                if !context.resuming {
                    resnapshot(context, change, current.as_ref()).await?;
                }
            }
            Err(error) if error.is_conflict() => return Err(StepError::Contended(rounds + 1)),
            Err(error) => return Err(error.into()),
        }
    }
}

fn raw_at(body: &Value, field: &str) -> Option<Value> {
    match field.strip_prefix("rows.") {
        Some(row) => body.get("rows")?.get(row).cloned(),
        None => body.get(field).cloned(),
    }
}

fn desired_lacks(body: &Value, field: &str) -> bool {
    field.strip_prefix("rows.").is_none() && body.get(field).is_none()
}
