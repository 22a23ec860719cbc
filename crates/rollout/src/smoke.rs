//! The smoke test's verdict (pure): synthetic calls to the hidden smoke DID reach the candidate
//! slot directly, and each must end at one of the candidate's expected terminal blocks — declared
//! in the policy, or derived: every block that hands the call on (to a queue, a voicemail box or
//! another flow), never a disconnect or an error path.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use switchboard_model::flow::{Block, FlowDefinition};
use switchboard_platform::api::traffic::PlacedCall;

/// The blocks a healthy call may end at: `declared` when given, else every transfer block.
pub fn expected_terminals(candidate: &FlowDefinition, declared: &[String]) -> BTreeSet<String> {
    if !declared.is_empty() {
        return declared.iter().cloned().collect();
    }
    candidate
        .blocks
        .iter()
        .filter(|(_, block)| matches!(block, Block::TransferToQueue { .. } | Block::TransferToVoicemail { .. } | Block::TransferToFlow { .. }))
        .map(|(name, _)| name.clone())
        .collect()
}

/// One synthetic call and what it did in the candidate slot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SmokeCall {
    pub conversation_id: String,
    /// The last block the call ran in the candidate slot.
    pub last_block: Option<String>,
    /// `queue`, `voicemail`, `disconnect`, or `unfinished` when the flow did not end in time.
    pub end: String,
    /// The disconnect's reason or the flow error, when there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    pub passed: bool,
}

/// The smoke test's evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SmokeReport {
    pub did: String,
    pub expected: Vec<String>,
    pub calls: Vec<SmokeCall>,
    pub passed: bool,
}

/// What the smoke test came to at `rollout start`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum SmokeOutcome {
    Passed { report: SmokeReport },
    /// No check was possible, and why (no smoke DID, or no way to place a call on this platform).
    NotApplicable { reason: String },
}

/// Judges one call placed to the smoke DID against the candidate slot's flow id.
pub fn judge_call(placed: &PlacedCall, candidate_flow_id: &str, expected: &BTreeSet<String>) -> SmokeCall {
    let path = placed.path.as_ref();
    let last_block =
        path.and_then(|path| path.visits.iter().rev().find(|visit| visit.flow_id == candidate_flow_id)).map(|visit| visit.block.clone());
    let terminal = path.and_then(|path| path.terminal.as_ref());
    let end = match terminal {
        Some(terminal) => terminal.kind.clone(),
        None if placed.flow_finished => "ended".to_string(),
        None => "unfinished".to_string(),
    };
    let detail = terminal.and_then(|terminal| terminal.detail.clone().or_else(|| terminal.reason.clone()));
    let passed = placed.flow_finished && end != "disconnect" && last_block.as_ref().is_some_and(|block| expected.contains(block));
    SmokeCall { conversation_id: placed.conversation_id.clone(), last_block, end, detail, passed }
}

/// The report over every call: passed only if every call did and there was at least one.
pub fn report(did: &str, expected: &BTreeSet<String>, calls: Vec<SmokeCall>) -> SmokeReport {
    let passed = !calls.is_empty() && calls.iter().all(|call| call.passed);
    SmokeReport { did: did.to_string(), expected: expected.iter().cloned().collect(), calls, passed }
}

impl std::fmt::Display for SmokeReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let failed: Vec<String> = self
            .calls
            .iter()
            .filter(|call| !call.passed)
            .map(|call| {
                format!(
                    "{} ended '{}' at {}{}",
                    call.conversation_id,
                    call.end,
                    call.last_block.as_deref().unwrap_or("no candidate block"),
                    call.detail.as_ref().map(|detail| format!(" ({detail})")).unwrap_or_default()
                )
            })
            .collect();
        write!(
            f,
            "{} of {} smoke calls to {} reached an expected end ({}){}",
            self.calls.len() - failed.len(),
            self.calls.len(),
            self.did,
            self.expected.join(", "),
            if failed.is_empty() { String::new() } else { format!("; {}", failed.join("; ")) }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard_platform::api::traffic::{BlockVisitView, CallPathView, TerminalView};

    fn placed(blocks: &[&str], kind: &str) -> PlacedCall {
        let visit = |block: &&str| BlockVisitView { flow_id: "green".into(), flow_version: "2".into(), block: block.to_string() };
        PlacedCall {
            conversation_id: "c1".into(),
            org: "acme".into(),
            did: "+1".into(),
            flow_finished: true,
            ended: false,
            path: Some(CallPathView {
                visits: blocks.iter().map(visit).collect(),
                terminal: Some(TerminalView { flow_id: "green".into(), kind: kind.into(), block: blocks.last().map(|b| b.to_string()).unwrap_or_default(), ..TerminalView::default() }),
                ..CallPathView::default()
            }),
            outcome: "in_progress".into(),
            queue_id: None,
            agent_id: None,
            attributes: Default::default(),
            flow_ms: None,
        }
    }

    #[test]
    fn a_call_passes_only_at_an_expected_transfer() {
        let flow = switchboard_model::load_flow(
            "name: X\nstart: a\nblocks:\n  a: {type: play, prompt: hi, next: q}\n  q: {type: transfer_to_queue, queue: Support, on_failure: bye}\n  bye: {type: disconnect}\n",
            "x.yaml",
        )
        .unwrap_or_else(|error| panic!("{error}"));
        let expected = expected_terminals(&flow, &[]);
        assert_eq!(expected, BTreeSet::from(["q".to_string()]));
        assert!(judge_call(&placed(&["a", "q"], "queue"), "green", &expected).passed);
        let dropped = judge_call(&placed(&["a", "bye"], "disconnect"), "green", &expected);
        assert!(!dropped.passed);
        assert!(!judge_call(&placed(&["a", "q"], "queue"), "blue", &expected).passed, "a call that never ran the candidate fails");
        let report = report("+1", &expected, vec![dropped]);
        assert!(!report.passed);
        assert!(report.to_string().contains("0 of 1 smoke calls"), "{report}");
        assert_eq!(expected_terminals(&flow, &["bye".to_string()]), BTreeSet::from(["bye".to_string()]));
    }
}
