//! Conversations: read one (`GET /api/v2/conversations/{id}`) and set participant data
//! (`PATCH .../calls/{id}/participants/{participantId}/attributes`), which a running flow sees.

use switchboard_api::conversation::{Conversation, ParticipantAttributes};

use crate::error::Result;
use crate::platform::Platform;
use crate::request::ApiRequest;
use crate::typed::{fetch, fetch_nothing, segment};

const PATH: &str = "/api/v2/conversations";

pub struct Conversations<'a, P: ?Sized> {
    pub(crate) platform: &'a P,
}

impl<P: Platform + ?Sized> Conversations<'_, P> {
    pub async fn get(self, id: &str) -> Result<Conversation> {
        fetch(self.platform, ApiRequest::get(format!("{PATH}/{}", segment(id))).about("conversation", Some(id))).await
    }

    /// Merges `attributes` into the participant's data. The real platform answers 202 with no
    /// body, so nothing is returned; read the conversation again to see the merged set. Setting
    /// absolute values twice converges, so the PATCH is marked idempotent.
    pub async fn set_participant_attributes(self, conversation_id: &str, participant_id: &str, attributes: &ParticipantAttributes) -> Result<()> {
        let path = format!("{PATH}/calls/{}/participants/{}/attributes", segment(conversation_id), segment(participant_id));
        let request = ApiRequest::patch(path).about("conversation participant", Some(participant_id)).json(attributes)?.idempotent();
        fetch_nothing(self.platform, request).await
    }
}
