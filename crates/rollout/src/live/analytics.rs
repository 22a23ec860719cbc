//! One analysis window from the analytics API, per slot, through the conversation detail query
//! (`POST /api/v2/analytics/conversations/details/query`, real API). A conversation belongs to the
//! slot whose flow its `ivr` participant ran (the session's `flow.flowId`; a call through the
//! Traffic Cop has the Cop's session and then its slot's), and each of its events counts in the
//! window in which it happened, as the aggregate metrics do:
//!
//! - a call and its flow disconnect or error: when the slot session's segment ended, by its
//!   `flow.exitReason` (`FLOW_DISCONNECT` / `FLOW_ERROR_DISCONNECT`);
//! - a queue outcome: when the `acd` session emitted `tAnswered` (answered; its value, the wait,
//!   goes into the speed-of-answer rank test) or `tAbandon` (abandoned); offered counts both, so
//!   abandonment is abandoned / (answered + abandoned) among the outcomes of the window.
//!
//! Aggregates would be cheaper but the real conversation aggregates have no flow dimension and
//! give sums, not each wait; the detail records have both, on every platform.

use crate::tally::{ArmTally, Window};
use switchboard_platform::api::analytics_details::{AnalyticsConversation, ConversationDetailQuery};
use switchboard_platform::{Platform, PlatformExt};

/// How far before the window the query reaches, so that a call that started earlier is seen when
/// its events fall in the window (the real detail query matches conversations by their start).
/// Events more than this after a call's start are not counted.
pub const LOOKBACK_MS: i64 = 30 * 60 * 1_000;

/// An epoch-ms instant as the analytics API writes it.
pub fn iso_instant(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|instant| instant.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_else(|| "1970-01-01T00:00:00.000Z".to_string())
}

fn epoch_ms(text: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(text).ok().map(|instant| instant.timestamp_millis())
}

/// Adds the events of one conversation that fall in `[start_ms, end_ms)` to the arm whose slot
/// it ran; false if it ran neither.
pub fn count_conversation(
    conversation: &AnalyticsConversation,
    active_flow_id: &str,
    candidate_flow_id: &str,
    (start_ms, end_ms): (i64, i64),
    window: &mut Window,
) -> bool {
    let within = |at: Option<i64>| at.is_some_and(|at| at >= start_ms && at < end_ms);
    // The last slot the call entered decides (a call never runs both: the Traffic Cop keeps it on
    // its version).
    let Some(slot) = conversation
        .sessions_of("ivr")
        .filter(|session| session.flow.as_ref().is_some_and(|flow| flow.flow_id == active_flow_id || flow.flow_id == candidate_flow_id))
        .last()
    else {
        return false;
    };
    let Some(flow) = slot.flow.as_ref() else { return false };
    let arm: &mut ArmTally = if flow.flow_id == candidate_flow_id { &mut window.candidate } else { &mut window.active };
    let left_flow = slot.segments.iter().filter_map(|segment| segment.segment_end.as_deref().and_then(epoch_ms)).max();
    if within(left_flow) {
        arm.calls += 1;
        match flow.exit_reason.as_deref() {
            Some("FLOW_DISCONNECT") => arm.flow_disconnects += 1,
            Some("FLOW_ERROR_DISCONNECT") => {
                arm.flow_disconnects += 1;
                arm.flow_errors += 1;
            }
            _ => {}
        }
    }
    for session in conversation.sessions_of("acd") {
        for metric in &session.metrics {
            let at = metric.emit_date.as_deref().and_then(epoch_ms);
            match metric.name.as_str() {
                "tAnswered" if within(at) => {
                    arm.offered += 1;
                    arm.answered += 1;
                    arm.answer_waits_ms.push(u64::try_from(metric.value).unwrap_or(0));
                }
                "tAbandon" if within(at) => {
                    arm.offered += 1;
                    arm.abandoned += 1;
                }
                _ => {}
            }
        }
    }
    true
}

/// Both slots' events in `[start_ms, end_ms)`.
pub async fn analytics_window<P: Platform + ?Sized>(
    platform: &P,
    start_ms: i64,
    end_ms: i64,
    active_flow_id: &str,
    candidate_flow_id: &str,
) -> Result<Window, switchboard_platform::PlatformError> {
    let end_ms = end_ms.max(start_ms + 1);
    let query = ConversationDetailQuery {
        interval: format!("{}/{}", iso_instant(start_ms.saturating_sub(LOOKBACK_MS)), iso_instant(end_ms)),
        order: Some("asc".to_string()),
        ..ConversationDetailQuery::default()
    };
    let conversations = platform.analytics().conversation_details_all(&query).await?;
    let mut window =
        Window { start_ms: u64::try_from(start_ms).unwrap_or(0), end_ms: u64::try_from(end_ms).unwrap_or(0), ..Window::default() };
    for conversation in &conversations {
        count_conversation(conversation, active_flow_id, candidate_flow_id, (start_ms, end_ms), &mut window);
    }
    Ok(window)
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard_platform::api::analytics_details::{AnalyticsFlow, AnalyticsParticipant, AnalyticsSegment, AnalyticsSession, AnalyticsSessionMetric};

    const AT: &str = "2026-11-29T10:00:05.000Z";
    const LATER: &str = "2026-11-29T10:05:00.000Z";

    fn ivr(flow_id: &str, exit: &str) -> AnalyticsSession {
        let segment = AnalyticsSegment { segment_end: Some(AT.into()), segment_type: "ivr".into(), ..AnalyticsSegment::default() };
        AnalyticsSession {
            flow: Some(AnalyticsFlow { flow_id: flow_id.into(), exit_reason: Some(exit.into()), ..AnalyticsFlow::default() }),
            segments: vec![segment],
            ..AnalyticsSession::default()
        }
    }

    fn conversation(ivr_sessions: Vec<AnalyticsSession>, acd_metric: Option<(&str, i64)>) -> AnalyticsConversation {
        let mut participants = vec![AnalyticsParticipant { purpose: "ivr".into(), sessions: ivr_sessions, ..AnalyticsParticipant::default() }];
        if let Some((name, value)) = acd_metric {
            let emit_date = Some(if name == "late" { LATER } else { AT }.to_string());
            let name = if name == "late" { "tAnswered" } else { name };
            let metrics = vec![AnalyticsSessionMetric { name: name.into(), value, emit_date }];
            participants.push(AnalyticsParticipant {
                purpose: "acd".into(),
                sessions: vec![AnalyticsSession { metrics, ..AnalyticsSession::default() }],
                ..AnalyticsParticipant::default()
            });
        }
        AnalyticsConversation { participants, ..AnalyticsConversation::default() }
    }

    #[test]
    fn each_event_counts_in_its_window_for_the_slot_the_call_ran_after_the_traffic_cop() {
        let mut window = Window::default();
        let span = (epoch_ms("2026-11-29T10:00:00.000Z").unwrap_or(0), epoch_ms("2026-11-29T10:01:00.000Z").unwrap_or(0));
        let answered = conversation(vec![ivr("cop", "TRANSFER"), ivr("green", "TRANSFER")], Some(("tAnswered", 4_200)));
        let abandoned = conversation(vec![ivr("cop", "TRANSFER"), ivr("blue", "TRANSFER")], Some(("tAbandon", 9_000)));
        let dropped = conversation(vec![ivr("cop", "TRANSFER"), ivr("green", "FLOW_ERROR_DISCONNECT")], None);
        let answered_later = conversation(vec![ivr("cop", "TRANSFER"), ivr("green", "TRANSFER")], Some(("late", 60_000)));
        let elsewhere = conversation(vec![ivr("other", "TRANSFER")], Some(("tAnswered", 1)));
        for item in [&answered, &abandoned, &dropped] {
            assert!(count_conversation(item, "blue", "green", span, &mut window));
        }
        assert!(count_conversation(&answered_later, "blue", "green", span, &mut window));
        assert!(!count_conversation(&elsewhere, "blue", "green", span, &mut window), "another flow's call is not counted");
        let candidate = &window.candidate;
        // The late answer's call counts now, its answer in the window it happens in.
        assert_eq!((candidate.calls, candidate.offered, candidate.answered, candidate.flow_disconnects, candidate.flow_errors), (3, 1, 1, 1, 1));
        assert_eq!(candidate.answer_waits_ms, vec![4_200]);
        let active = &window.active;
        assert_eq!((active.calls, active.offered, active.abandoned, active.answered), (1, 1, 1, 0));
    }
}
