//! The notification service's REST half: channels, their topic subscriptions, and the topic
//! catalogue. Connecting to a channel's `connectUri` (the WebSocket) is not done here.

use switchboard_api::notifications::{AvailableTopic, AvailableTopicListing, Channel, ChannelListing, ChannelTopic, ChannelTopicListing};

use crate::error::Result;
use crate::platform::Platform;
use crate::request::ApiRequest;
use crate::typed::{fetch, fetch_nothing, segment};

const PATH: &str = "/api/v2/notifications/channels";

pub struct Notifications<'a, P: ?Sized> {
    pub(crate) platform: &'a P,
}

impl<P: Platform + ?Sized> Notifications<'_, P> {
    fn subscriptions_path(channel_id: &str) -> String {
        format!("{PATH}/{}/subscriptions", segment(channel_id))
    }

    fn topics(topic_ids: &[&str]) -> Vec<ChannelTopic> {
        topic_ids.iter().map(|id| ChannelTopic { id: (*id).to_owned(), state: None, rejection_reason: None, self_uri: None }).collect()
    }

    /// Not idempotent: a retried POST could create a second channel, and the 21st channel of a
    /// client evicts its oldest.
    pub async fn create_channel(self) -> Result<Channel> {
        fetch(self.platform, ApiRequest::post(PATH).about("notification channel", None)).await
    }

    /// The calling client's channels (the listing is not paged).
    pub async fn channels(self) -> Result<Vec<Channel>> {
        let listing: ChannelListing = fetch(self.platform, ApiRequest::get(PATH).about("notification channel", None)).await?;
        Ok(listing.entities)
    }

    pub async fn subscriptions(self, channel_id: &str) -> Result<Vec<ChannelTopic>> {
        let request = ApiRequest::get(Self::subscriptions_path(channel_id)).about("notification channel", Some(channel_id));
        let listing: ChannelTopicListing = fetch(self.platform, request).await?;
        Ok(listing.entities)
    }

    /// Adds topics (`v2.users.{id}.presence`, or the shorthand `v2.users.{id}?presence&routingStatus`)
    /// and returns the channel's whole set. A set union, so repeating it is safe. More than 1,000
    /// topics on one channel → `BadRequest`.
    pub async fn subscribe(self, channel_id: &str, topic_ids: &[&str]) -> Result<Vec<ChannelTopic>> {
        let request = ApiRequest::post(Self::subscriptions_path(channel_id))
            .about("notification channel", Some(channel_id))
            .json(&Self::topics(topic_ids))?
            .idempotent();
        let listing: ChannelTopicListing = fetch(self.platform, request).await?;
        Ok(listing.entities)
    }

    /// PUT: the channel's topics become exactly `topic_ids`.
    pub async fn replace_subscriptions(self, channel_id: &str, topic_ids: &[&str]) -> Result<Vec<ChannelTopic>> {
        let request = ApiRequest::put(Self::subscriptions_path(channel_id)).about("notification channel", Some(channel_id)).json(&Self::topics(topic_ids))?;
        let listing: ChannelTopicListing = fetch(self.platform, request).await?;
        Ok(listing.entities)
    }

    /// Removes every topic; the channel itself stays until it expires.
    pub async fn unsubscribe_all(self, channel_id: &str) -> Result<()> {
        fetch_nothing(self.platform, ApiRequest::delete(Self::subscriptions_path(channel_id)).about("notification channel", Some(channel_id))).await
    }

    /// Topic templates the platform offers, e.g. `v2.users.{id}.presence`.
    pub async fn available_topics(self) -> Result<Vec<AvailableTopic>> {
        let listing: AvailableTopicListing = fetch(self.platform, ApiRequest::get("/api/v2/notifications/availabletopics").about("notification topic", None)).await?;
        Ok(listing.entities)
    }
}
