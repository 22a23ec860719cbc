//! Flow locks, the real way: a flow about to be deployed is checked out (`POST
//! /api/v2/flows/actions/checkout`), which locks it to this OAuth client; the holder of a lock is
//! named by the flow's `lockedUser` / `lockedClient`.
//!
//! Policy (docs/review.md): a lock held by anyone else fails the review naming the holder and is
//! never stolen (no unlock, no checkout over it), however old it is; the platform reports no lock
//! age, so "stale" is a decision for the holder. A lock this client already holds (left by an
//! earlier run that died) is reused, reported as `stale-own-lock`, and released like the others.
//! Every lock the review holds is released at the end, also when a check fails or the run is
//! interrupted (the caller runs [`HeldLocks::release`] on every path).

use crate::finding::{Check, Finding, Severity};
use futures_util::TryStreamExt;
use switchboard_platform::api::flow::Flow;
use switchboard_platform::{Platform, PlatformError, PlatformExt};

/// Locks this review holds, to release at the end.
#[derive(Debug, Default, Clone)]
pub struct HeldLocks {
    /// (flow name, flow id)
    pub flows: Vec<(String, String)>,
}

pub fn subject(flow: &str) -> String {
    format!("lock:{flow}")
}

fn finding(code: &str, severity: Severity, flow: &str, message: String, evidence: Vec<String>) -> Finding {
    Finding { check: Check::FlowLocks, code: code.to_string(), severity, subject: subject(flow), message, evidence }
}

/// Who holds a flow's lock, as the platform names them.
fn holder(flow: &Flow) -> Option<String> {
    let describe = |kind: &str, entity: &switchboard_platform::api::common::EntityRef| match entity.name.as_deref() {
        Some(name) => format!("{kind} {name} ({})", entity.id),
        None => format!("{kind} {}", entity.id),
    };
    match (&flow.locked_client, &flow.locked_user) {
        (Some(client), Some(user)) => Some(format!("{} via {}", describe("user", user), describe("OAuth client", client))),
        (Some(client), None) => Some(describe("OAuth client", client)),
        (None, Some(user)) => Some(describe("user", user)),
        (None, None) => None,
    }
}

/// Acquiring stopped on an error after some checkouts: the locks already taken were released
/// (`release_findings` says if any of those unlocks failed), so nothing is left behind.
#[derive(Debug)]
pub struct AcquireFailed {
    pub error: PlatformError,
    pub release_findings: Vec<Finding>,
}

/// Checks out each named flow that exists in the org. `own_client_id` (when known) recognises a
/// lock this client left behind. On an error part-way the locks taken so far are released before
/// it returns: every path out of here leaves either all the locks held (`Ok`) or none.
pub async fn acquire<P: Platform + ?Sized>(platform: &P, flows: &[String], own_client_id: Option<&str>) -> Result<(HeldLocks, Vec<Finding>), AcquireFailed> {
    let mut held = HeldLocks::default();
    let mut findings = Vec::new();
    match acquire_into(platform, flows, own_client_id, &mut held, &mut findings).await {
        Ok(()) => Ok((held, findings)),
        Err(error) => Err(AcquireFailed { error, release_findings: held.release(platform).await }),
    }
}

async fn acquire_into<P: Platform + ?Sized>(
    platform: &P,
    flows: &[String],
    own_client_id: Option<&str>,
    held: &mut HeldLocks,
    findings: &mut Vec<Finding>,
) -> Result<(), PlatformError> {
    for name in flows {
        let existing: Vec<Flow> = platform.flows().list(Some(name), None).try_collect().await?;
        let Some(flow) = existing.into_iter().find(|flow| flow.name == *name && !flow.deleted) else {
            // A flow the deploy will create: nobody can hold its lock yet.
            continue;
        };
        let current = platform.flows().get(&flow.id).await?.value;
        if let Some(holder_name) = holder(&current) {
            let ours = own_client_id.is_some_and(|own| current.locked_client.as_ref().is_some_and(|client| client.id == own));
            if !ours {
                findings.push(finding(
                    "flow-locked-by-other",
                    Severity::Error,
                    name,
                    format!("flow `{name}` is locked by {holder_name}; the review does not take it over (ask them to check it in or unlock it)"),
                    vec![format!("GET /api/v2/flows/{}: lockedBy {holder_name}", current.id)],
                ));
                continue;
            }
            findings.push(finding(
                "stale-own-lock",
                Severity::Warning,
                name,
                format!("flow `{name}` was still locked by this client from an earlier run; reused and released at the end"),
                vec![format!("GET /api/v2/flows/{}: lockedBy {holder_name}", current.id)],
            ));
        }
        match platform.flows().checkout(&current.id).await {
            Ok(_) => held.flows.push((name.clone(), current.id.clone())),
            Err(PlatformError::Conflict { message, .. }) => {
                // Someone took it between our read and the checkout: name them from a fresh read.
                let now = platform.flows().get(&current.id).await.ok().and_then(|flow| holder(&flow.value));
                findings.push(finding(
                    "flow-locked-by-other",
                    Severity::Error,
                    name,
                    format!("flow `{name}` is locked by {}; not taken over", now.as_deref().unwrap_or("another client")),
                    vec![format!("POST /api/v2/flows/actions/checkout?flow={}: 409 {message}", current.id)],
                ));
            }
            Err(error) => return Err(error),
        }
    }
    Ok(())
}

impl HeldLocks {
    /// Unlocks every flow this review checked out; a failure is an error finding (the lock stays
    /// with this client, and the next run reports it as `stale-own-lock`).
    pub async fn release<P: Platform + ?Sized>(self, platform: &P) -> Vec<Finding> {
        let mut findings = Vec::new();
        for (name, id) in self.flows {
            if let Err(error) = platform.flows().unlock(&id).await {
                findings.push(finding(
                    "lock-release-failed",
                    Severity::Error,
                    &name,
                    format!("could not unlock flow `{name}`: {error}"),
                    vec![format!("POST /api/v2/flows/actions/unlock?flow={id}")],
                ));
            }
        }
        findings
    }
}
