//! The conversation detail query on the `Analytics` accessor:
//! `POST /api/v2/analytics/conversations/details/query`, one page or every page.

use switchboard_api::analytics_details::{AnalyticsConversation, ConversationDetailQuery, ConversationDetailResponse, DetailPaging};

use super::Analytics;
use crate::error::Result;
use crate::platform::Platform;
use crate::request::ApiRequest;
use crate::typed::fetch;

const DETAILS_PATH: &str = "/api/v2/analytics/conversations/details/query";
/// The real API's largest detail page.
const DETAILS_PAGE_SIZE: u32 = 100;
/// A guard against a server that never runs out of pages.
const MAX_DETAIL_PAGES: u32 = 1_000;

impl<P: Platform + ?Sized> Analytics<'_, P> {
    /// One page of conversation details (a read, so idempotent like the aggregate queries).
    pub async fn conversation_details(self, query: &ConversationDetailQuery) -> Result<ConversationDetailResponse> {
        let request = ApiRequest::post(DETAILS_PATH).about("conversation detail", None).json(query)?.idempotent();
        fetch(self.platform, request).await
    }

    /// Every page of a detail query, in the query's order.
    pub async fn conversation_details_all(self, query: &ConversationDetailQuery) -> Result<Vec<AnalyticsConversation>> {
        let mut conversations = Vec::new();
        for page_number in 1..=MAX_DETAIL_PAGES {
            let mut page_query = query.clone();
            page_query.paging = Some(DetailPaging { page_size: DETAILS_PAGE_SIZE, page_number });
            let page = self.conversation_details(&page_query).await?;
            let received = page.conversations.len();
            conversations.extend(page.conversations);
            if received < DETAILS_PAGE_SIZE as usize || conversations.len() as u64 >= page.total_hits {
                break;
            }
        }
        Ok(conversations)
    }
}
