//! What `rollout status`, `history` and the others print: one JSON document, or a few lines.

use serde::Serialize;
use switchboard_rollout::controller::EventKind;
use switchboard_rollout::live::RolloutRecord;
use switchboard_rollout::live::InitReport;
use switchboard_rollout::{ArmTally, RolloutEvent, Slot, Verdict};

#[derive(Debug, Serialize)]
pub struct Status {
    pub flow: String,
    pub phase: String,
    pub step: usize,
    pub steps: Vec<u8>,
    pub weight: u8,
    pub active: Slot,
    pub candidate: Slot,
    pub active_calls: ArmTally,
    pub candidate_calls: ArmTally,
    pub abandonment_available: bool,
    pub last_verdict: Option<Verdict>,
    pub recent_events: Vec<RolloutEvent>,
}

impl Status {
    pub fn of(record: &RolloutRecord) -> Status {
        let controller = &record.controller;
        Status {
            flow: controller.flow.clone(),
            phase: format!("{:?}", controller.phase).to_lowercase(),
            step: controller.step,
            steps: controller.policy.steps.clone(),
            weight: controller.weight(),
            active: controller.active.clone(),
            candidate: controller.candidate.clone(),
            active_calls: controller.active_totals.clone(),
            candidate_calls: controller.candidate_totals.clone(),
            abandonment_available: record.abandonment_available,
            last_verdict: controller.last_verdict().cloned(),
            recent_events: controller.history.iter().rev().take(10).rev().cloned().collect(),
        }
    }
}

fn rate(value: Option<f64>) -> String {
    value.map(|rate| format!("{:.1}%", 100.0 * rate)).unwrap_or_else(|| "-".into())
}

pub fn print_status(status: &Status) {
    println!("rollout of {}: {} at step {} of {:?}, candidate weight {} %", status.flow, status.phase, status.step + 1, status.steps, status.weight);
    for (label, slot, calls) in [("active", &status.active, &status.active_calls), ("candidate", &status.candidate, &status.candidate_calls)] {
        println!(
            "  {label:<9} {} v{}: {} calls, disconnects {}, abandonment {}, ASA {}",
            slot.flow_id,
            slot.version,
            calls.calls,
            rate(calls.disconnect_rate()),
            if status.abandonment_available { rate(calls.abandon_rate()) } else { "n/a on this platform".into() },
            calls.mean_answer_ms().map(|ms| format!("{:.1} s", ms / 1_000.0)).unwrap_or_else(|| "-".into())
        );
    }
    if let Some(verdict) = &status.last_verdict {
        println!("  last verdict: {:?}: {}", verdict.kind, verdict.reason);
    }
}

pub fn event_line(event: &RolloutEvent) -> String {
    let what = match &event.kind {
        EventKind::Started => "started".to_string(),
        EventKind::Verdict { verdict } => format!("verdict {:?}: {}", verdict.kind, verdict.reason),
        EventKind::StepAdvanced => "step advanced".to_string(),
        EventKind::Paused => "paused".to_string(),
        EventKind::Resumed => "resumed".to_string(),
        EventKind::Aborted { reason } => format!("ABORTED: {reason}"),
        EventKind::Promoted { reason } => format!("PROMOTED: {reason}"),
    };
    format!("[{}] weight {:>3} % step {}: {what}", event.at_ms, event.weight, event.step + 1)
}

pub fn print_init(report: &InitReport) {
    println!("{} is ready for rollouts (Traffic Cop {}, table {})", report.flow, report.traffic_cop_id, report.table_id);
    for item in &report.created {
        println!("  created {item}");
    }
    for ivr in &report.repointed {
        println!("  DIDs of IVR '{ivr}' now reach the Traffic Cop");
    }
    if report.created.is_empty() && report.repointed.is_empty() {
        println!("  nothing to do: already set up");
    }
}
