//! One analysis window from the analytics API, per slot, through the conversation detail query
//! (`POST /api/v2/analytics/conversations/details/query`, real API): every conversation that
//! finished in the window is counted once, for the slot whose flow its `ivr` participant ran (the
//! session's `flow.flowId`; a call through the Traffic Cop has the Cop's session and then its
//! slot's):
//!
//! - calls: conversations that entered the slot; flow disconnects and errors: the slot session's
//!   `flow.exitReason` `FLOW_DISCONNECT` / `FLOW_ERROR_DISCONNECT`;
//! - offered: conversations with an `acd` session; answered: its `tAnswered` metric, whose value
//!   (the wait) goes into the speed-of-answer rank test; abandoned: its `tAbandon` metric.
//!
//! Aggregates would be cheaper but the real conversation aggregates have no flow dimension and
//! give sums, not each wait; the detail records have both, on every platform.

use crate::tally::{ArmTally, Window};
use switchboard_platform::api::analytics_details::{AnalyticsConversation, ConversationDetailQuery};
use switchboard_platform::{Platform, PlatformExt};

/// How far before the window the query reaches, so that a call that started earlier and finished
/// in the window is seen (the real detail query matches conversations by their start). Calls
/// longer than this are not counted.
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

/// Adds one finished conversation to the arm whose slot it ran; false if it ran neither.
pub fn count_conversation(conversation: &AnalyticsConversation, active_flow_id: &str, candidate_flow_id: &str, window: &mut Window) -> bool {
    // The last slot the call entered decides (a call never runs both: the Traffic Cop keeps it on
    // its version).
    let Some(flow) = conversation
        .sessions_of("ivr")
        .filter_map(|session| session.flow.as_ref())
        .filter(|flow| flow.flow_id == active_flow_id || flow.flow_id == candidate_flow_id)
        .last()
    else {
        return false;
    };
    let arm: &mut ArmTally = if flow.flow_id == candidate_flow_id { &mut window.candidate } else { &mut window.active };
    arm.calls += 1;
    match flow.exit_reason.as_deref() {
        Some("FLOW_DISCONNECT") => arm.flow_disconnects += 1,
        Some("FLOW_ERROR_DISCONNECT") => {
            arm.flow_disconnects += 1;
            arm.flow_errors += 1;
        }
        _ => {}
    }
    let acd: Vec<_> = conversation.sessions_of("acd").collect();
    if !acd.is_empty() {
        arm.offered += 1;
        if let Some(wait) = acd.iter().find_map(|session| session.metric("tAnswered")) {
            arm.answered += 1;
            arm.answer_waits_ms.push(u64::try_from(wait).unwrap_or(0));
        } else if acd.iter().any(|session| session.metric("tAbandon").is_some()) {
            arm.abandoned += 1;
        }
    }
    true
}

/// Both slots' conversations that finished in `[start_ms, end_ms)`.
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
        let finished = conversation.conversation_end.as_deref().and_then(epoch_ms);
        if finished.is_some_and(|finished| finished >= start_ms && finished < end_ms) {
            count_conversation(conversation, active_flow_id, candidate_flow_id, &mut window);
        }
    }
    Ok(window)
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard_platform::api::analytics_details::{AnalyticsFlow, AnalyticsParticipant, AnalyticsSession, AnalyticsSessionMetric};

    fn ivr(flow_id: &str, exit: &str) -> AnalyticsSession {
        AnalyticsSession {
            flow: Some(AnalyticsFlow { flow_id: flow_id.into(), exit_reason: Some(exit.into()), ..AnalyticsFlow::default() }),
            ..AnalyticsSession::default()
        }
    }

    fn conversation(ivr_sessions: Vec<AnalyticsSession>, acd_metric: Option<(&str, i64)>) -> AnalyticsConversation {
        let mut participants = vec![AnalyticsParticipant { purpose: "ivr".into(), sessions: ivr_sessions, ..AnalyticsParticipant::default() }];
        if let Some((name, value)) = acd_metric {
            let metrics = vec![AnalyticsSessionMetric { name: name.into(), value, emit_date: None }];
            participants.push(AnalyticsParticipant {
                purpose: "acd".into(),
                sessions: vec![AnalyticsSession { metrics, ..AnalyticsSession::default() }],
                ..AnalyticsParticipant::default()
            });
        }
        AnalyticsConversation { participants, ..AnalyticsConversation::default() }
    }

    #[test]
    fn each_conversation_counts_once_for_the_slot_it_ran_after_the_traffic_cop() {
        let mut window = Window::default();
        let answered = conversation(vec![ivr("cop", "TRANSFER"), ivr("green", "TRANSFER")], Some(("tAnswered", 4_200)));
        let abandoned = conversation(vec![ivr("cop", "TRANSFER"), ivr("blue", "TRANSFER")], Some(("tAbandon", 9_000)));
        let dropped = conversation(vec![ivr("cop", "TRANSFER"), ivr("green", "FLOW_ERROR_DISCONNECT")], None);
        let elsewhere = conversation(vec![ivr("other", "TRANSFER")], Some(("tAnswered", 1)));
        for item in [&answered, &abandoned, &dropped] {
            assert!(count_conversation(item, "blue", "green", &mut window));
        }
        assert!(!count_conversation(&elsewhere, "blue", "green", &mut window), "another flow's call is not counted");
        let candidate = &window.candidate;
        assert_eq!((candidate.calls, candidate.offered, candidate.answered, candidate.flow_disconnects, candidate.flow_errors), (2, 1, 1, 1, 1));
        assert_eq!(candidate.answer_waits_ms, vec![4_200]);
        let active = &window.active;
        assert_eq!((active.calls, active.offered, active.abandoned, active.answered), (1, 1, 1, 0));
    }
}
