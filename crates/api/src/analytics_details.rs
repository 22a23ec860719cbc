//! The conversation detail query (`POST /api/v2/analytics/conversations/details/query`): which
//! conversations touched a queue in an interval, in the real `ConversationQuery` /
//! `AnalyticsConversationQueryResponse` shapes (a subset: ids, times, participants, sessions,
//! segments). The bridge reconciles from it where a notification stream cannot replay.

use crate::analytics::QueryFilter;
use serde::{Deserialize, Serialize};

/// `ConversationQuery`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversationDetailQuery {
    /// `start/end` in ISO-8601; conversations overlapping it match.
    pub interval: String,
    /// `asc` or `desc` by `conversationStart`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_by: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub segment_filters: Vec<QueryFilter>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paging: Option<DetailPaging>,
}

/// `PagingSpec`: pages of up to 100, numbered from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DetailPaging {
    pub page_size: u32,
    pub page_number: u32,
}

/// `AnalyticsConversationQueryResponse`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversationDetailResponse {
    #[serde(default)]
    pub conversations: Vec<AnalyticsConversation>,
    #[serde(default)]
    pub total_hits: u64,
}

/// `AnalyticsConversationWithoutAttributes`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalyticsConversation {
    pub conversation_id: String,
    pub conversation_start: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_end: Option<String>,
    #[serde(default)]
    pub participants: Vec<AnalyticsParticipant>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalyticsParticipant {
    pub participant_id: String,
    pub purpose: String,
    #[serde(default)]
    pub sessions: Vec<AnalyticsSession>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalyticsSession {
    pub media_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ani: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dnis: Option<String>,
    /// The flow an `ivr` participant's session ran (one session per flow the call entered).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow: Option<AnalyticsFlow>,
    /// The session's metrics (`tAcd`, `tAnswered`, `tAbandon` on an `acd` session...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub metrics: Vec<AnalyticsSessionMetric>,
    #[serde(default)]
    pub segments: Vec<AnalyticsSegment>,
}

/// `AnalyticsFlow`: which flow (and version) a session ran and how it left it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalyticsFlow {
    pub flow_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow_type: Option<String>,
    /// `TRANSFER`, `DISCONNECT`, `FLOW_DISCONNECT`, `FLOW_ERROR_DISCONNECT`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transfer_type: Option<String>,
}

/// `AnalyticsSessionMetric`: a metric the session emitted, in milliseconds for `t*` metrics.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalyticsSessionMetric {
    pub name: String,
    pub value: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emit_date: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalyticsSegment {
    pub segment_start: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment_end: Option<String>,
    /// `interact`, `ivr`, `wrapup`, ...
    pub segment_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_id: Option<String>,
    /// How the segment ended (`peer`, `client`, `transfer`, `system`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disconnect_type: Option<String>,
}

impl AnalyticsSession {
    /// The value of the session's metric `name`, if it emitted one.
    pub fn metric(&self, name: &str) -> Option<i64> {
        self.metrics.iter().find(|metric| metric.name == name).map(|metric| metric.value)
    }
}

impl AnalyticsConversation {
    /// Every session of participants with `purpose` (`ivr`, `acd`, `customer`, `agent`).
    pub fn sessions_of<'a>(&'a self, purpose: &'a str) -> impl Iterator<Item = &'a AnalyticsSession> + 'a {
        self.participants.iter().filter(move |participant| participant.purpose == purpose).flat_map(|participant| &participant.sessions)
    }

    /// Whether any segment of the conversation was in `queue_id`.
    pub fn touched_queue(&self, queue_id: &str) -> bool {
        self.participants
            .iter()
            .flat_map(|participant| &participant.sessions)
            .flat_map(|session| &session.segments)
            .any(|segment| segment.queue_id.as_deref() == Some(queue_id))
    }
}
