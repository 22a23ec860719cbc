//! The smoke test on a live org: before any weight moves, synthetic calls to the hidden smoke DID
//! (which reaches the candidate slot directly) must end at an expected terminal block
//! (`crate::smoke`). Placing a synthetic inbound call is not something the real platform's API
//! offers (`POST /api/v2/conversations/calls` dials out from a user's station, which a client-
//! credentials integration has not got), so the caller supplies a [`SmokeDialer`]: the emulator's
//! `/_emulator/calls` in tests and for emulator targets. Without one the check is reported as not
//! applicable, never as passed.

use super::error::RolloutError;
use crate::smoke::{SmokeOutcome, expected_terminals, judge_call, report};
use futures_util::future::BoxFuture;
use switchboard_model::flow::FlowDefinition;
use switchboard_platform::api::traffic::PlacedCall;

/// Places one inbound call to a DID and answers once its flow part is over (or a time limit
/// passed: the answer then says `flowFinished: false`).
pub trait SmokeDialer: Send + Sync {
    fn dial<'a>(&'a self, did: &'a str) -> BoxFuture<'a, Result<PlacedCall, String>>;
}

/// Runs the smoke test: `calls` calls to `did`, each judged against the candidate's expected ends.
pub async fn smoke_test(
    dialer: Option<&dyn SmokeDialer>,
    did: Option<&str>,
    candidate: &FlowDefinition,
    candidate_flow_id: &str,
    declared: &[String],
    calls: u32,
) -> Result<SmokeOutcome, RolloutError> {
    let not_applicable = |reason: &str| Ok(SmokeOutcome::NotApplicable { reason: reason.to_string() });
    if calls == 0 {
        return not_applicable("the policy asks for no smoke calls (smoke_calls: 0)");
    }
    let Some(did) = did else {
        return not_applicable("no smoke-test DID: `rollout init --smoke-did NUMBER` adds one");
    };
    let Some(dialer) = dialer else {
        return not_applicable("this platform offers no API to place a synthetic inbound call; call the smoke DID by hand");
    };
    let expected = expected_terminals(candidate, declared);
    if expected.is_empty() {
        return Err(RolloutError::Flow(format!("{}: no transfer block to expect a smoke call at; set smoke_terminals in the policy", candidate.name)));
    }
    let mut judged = Vec::new();
    for _ in 0..calls {
        let placed = dialer.dial(did).await.map_err(|error| RolloutError::Flow(format!("smoke call to {did}: {error}")))?;
        judged.push(judge_call(&placed, candidate_flow_id, &expected));
    }
    let report = report(did, &expected, judged);
    if report.passed { Ok(SmokeOutcome::Passed { report }) } else { Err(RolloutError::SmokeFailed { report }) }
}
