//! `POST /api/v2/analytics/conversations/details/query`: conversations overlapping the interval
//! whose queue segment matches the query's `queueId` segment filters, finished and in progress,
//! oldest first (or newest with `order: desc`), paged. Each conversation has its customer, its `ivr`
//! participant (one session per flow entered, with the flow, version and exit reason) and, once
//! queued, its `acd` participant (`tAcd`, then `tAnswered` or `tAbandon`), as the real records do.

use super::ConversationRecord;
use super::interval::{format_instant, parse_interval};
use crate::contact_center::ContactCenter;
use crate::contact_center::participant_id;
use crate::error::ApiError;
use crate::routes::extract::ApiJson;
use crate::state::Caller;
use axum::Json;
use axum::extract::State;
use std::sync::Arc;
use switchboard_api::analytics_details::{
    AnalyticsConversation, AnalyticsFlow, AnalyticsParticipant, AnalyticsSegment, AnalyticsSession, AnalyticsSessionMetric,
    ConversationDetailQuery, ConversationDetailResponse,
};

const MAX_PAGE_SIZE: u32 = 100;

pub(super) async fn query(
    State(center): State<Arc<ContactCenter>>,
    caller: Caller,
    ApiJson(query): ApiJson<ConversationDetailQuery>,
) -> Result<Json<ConversationDetailResponse>, ApiError> {
    let window = parse_interval(&query.interval).map_err(ApiError::bad_request)?;
    let queues: Vec<&str> = query
        .segment_filters
        .iter()
        .flat_map(|filter| filter.predicates.iter().chain(filter.clauses.iter().flat_map(|clause| &clause.predicates)))
        .filter(|predicate| predicate.dimension.as_deref() == Some("queueId"))
        .filter_map(|predicate| predicate.value.as_deref())
        .collect();
    let mut records: Vec<ConversationRecord> = center
        .records_with_live(&caller.org_id)
        .into_iter()
        .filter(|record| record.start_ms < window.end_ms && record.end_ms.is_none_or(|end| end >= window.start_ms))
        .filter(|record| queues.is_empty() || record.queue.as_ref().is_some_and(|queue| queues.contains(&queue.queue_id.as_str())))
        .collect();
    records.sort_by(|a, b| a.start_ms.cmp(&b.start_ms).then_with(|| a.conversation_id.cmp(&b.conversation_id)));
    if query.order.as_deref() == Some("desc") {
        records.reverse();
    }
    let paging = query.paging.unwrap_or(switchboard_api::analytics_details::DetailPaging { page_size: 25, page_number: 1 });
    if paging.page_size == 0 || paging.page_size > MAX_PAGE_SIZE || paging.page_number == 0 {
        return Err(ApiError::bad_request(format!("paging: pageSize must be 1..={MAX_PAGE_SIZE} and pageNumber at least 1")));
    }
    let total_hits = records.len() as u64;
    let skip = (paging.page_number as usize - 1) * paging.page_size as usize;
    let conversations = records.iter().skip(skip).take(paging.page_size as usize).map(detail).collect();
    Ok(Json(ConversationDetailResponse { conversations, total_hits }))
}

/// The customer participant (with the caller's numbers), the IVR participant's flow sessions and,
/// once queued, the ACD participant.
fn detail(record: &ConversationRecord) -> AnalyticsConversation {
    let session = |segments: Vec<AnalyticsSegment>| AnalyticsSession {
        media_type: "voice".to_string(),
        ani: Some(record.ani.clone()),
        dnis: Some(record.dnis.clone()),
        segments,
        ..AnalyticsSession::default()
    };
    let segment = |start: i64, end: Option<i64>, segment_type: &str| AnalyticsSegment {
        segment_start: format_instant(start),
        segment_end: end.map(format_instant),
        segment_type: segment_type.to_string(),
        ..AnalyticsSegment::default()
    };
    let mut participants = vec![AnalyticsParticipant {
        participant_id: participant_id(&record.conversation_id, "customer"),
        purpose: "customer".to_string(),
        sessions: vec![session(vec![segment(record.start_ms, record.end_ms, "system")])],
    }];
    if !record.flows.is_empty() {
        let sessions = record
            .flows
            .iter()
            .map(|flow| AnalyticsSession {
                flow: Some(AnalyticsFlow {
                    flow_id: flow.flow_id.clone(),
                    flow_name: Some(flow.flow_name.clone()),
                    flow_version: Some(flow.flow_version.clone()),
                    flow_type: Some("INBOUNDCALL".to_string()),
                    exit_reason: super::flow_metrics::exit_reason(&flow.exit).map(str::to_string),
                    transfer_type: None,
                }),
                ..session(vec![segment(flow.entered_ms, flow.exited_ms, "ivr")])
            })
            .collect();
        participants.push(AnalyticsParticipant { participant_id: participant_id(&record.conversation_id, "ivr"), purpose: "ivr".to_string(), sessions });
    }
    if let Some(queue) = &record.queue {
        let ended = queue.answered_ms.or(queue.abandoned_ms);
        let metric = |name: &str, at: i64| AnalyticsSessionMetric {
            name: name.to_string(),
            value: i64::try_from(record.span_ms(queue.entered_ms, at)).unwrap_or(i64::MAX),
            emit_date: Some(format_instant(at)),
        };
        let mut metrics = Vec::new();
        if let Some(answered) = queue.answered_ms {
            metrics.extend([metric("tAcd", answered), metric("tAnswered", answered)]);
        } else if let Some(abandoned) = queue.abandoned_ms {
            metrics.extend([metric("tAcd", abandoned), metric("tAbandon", abandoned)]);
        }
        let mut interact = segment(queue.entered_ms, ended, "interact");
        interact.queue_id = Some(queue.queue_id.clone());
        interact.disconnect_type = if queue.answered_ms.is_some() {
            Some("transfer".to_string())
        } else {
            queue.abandoned_ms.map(|_| "peer".to_string())
        };
        participants.push(AnalyticsParticipant {
            participant_id: participant_id(&record.conversation_id, "acd"),
            purpose: "acd".to_string(),
            sessions: vec![AnalyticsSession { metrics, ..session(vec![interact]) }],
        });
    }
    AnalyticsConversation {
        conversation_id: record.conversation_id.clone(),
        conversation_start: format_instant(record.start_ms),
        conversation_end: record.end_ms.map(format_instant),
        participants,
    }
}
