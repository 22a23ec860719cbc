//! The hub's locked state and its bookkeeping: ownership checks, eviction, and keeping the
//! per-org topic index in step with the channels' topic sets.

use super::channel::{ChannelState, CloseReason};
use super::hub::NotificationError;
use std::collections::{HashMap, HashSet};
use tokio::time::Instant;

#[derive(Default)]
pub(super) struct Registry {
    pub channels: HashMap<String, ChannelState>,
    /// Channel ids per (org, OAuth client), in creation order: the 20-channel limit and the listing.
    pub owners: HashMap<(String, String), Vec<String>>,
    /// org → topic → subscribed channel ids; publish reads only this entry.
    pub subscribers: HashMap<String, HashMap<String, HashSet<String>>>,
    pub next_event_id: u64,
    /// Orders creations, subscription changes and connects (least-recently-used eviction) and
    /// numbers socket generations.
    pub sequence: u64,
}

impl Registry {
    /// The caller's live channel at `now` (the hub's clock); another org's or client's channel
    /// is reported as missing.
    pub fn owned_channel(
        &mut self,
        org_id: &str,
        client_id: &str,
        channel_id: &str,
        now: Instant,
    ) -> Result<&mut ChannelState, NotificationError> {
        self.drop_if_expired(channel_id, now);
        self.channels
            .get_mut(channel_id)
            .filter(|channel| channel.org_id == org_id && channel.client_id == client_id)
            .ok_or_else(|| NotificationError::ChannelNotFound(channel_id.to_string()))
    }

    pub fn drop_if_expired(&mut self, channel_id: &str, now: Instant) {
        if self.channels.get(channel_id).is_some_and(|channel| channel.is_expired(now)) {
            self.remove_channel(channel_id, CloseReason::ChannelRemoved);
        }
    }

    /// The least recently used channel of the owner, preferring ones with no socket.
    pub fn eviction_victim(&self, owner: &(String, String)) -> Option<String> {
        let ids = self.owners.get(owner)?;
        ids.iter()
            .filter_map(|id| self.channels.get(id).map(|channel| (id, channel)))
            .min_by_key(|(_, channel)| {
                let connected = channel.socket.as_ref().is_some_and(|socket| !socket.sender.is_closed());
                (connected, channel.last_used)
            })
            .map(|(id, _)| id.clone())
    }

    pub fn remove_channel(&mut self, channel_id: &str, reason: CloseReason) {
        let Some(mut channel) = self.channels.remove(channel_id) else { return };
        if let Some(socket) = channel.socket.take() {
            socket.close(reason);
        }
        let owner = (channel.org_id.clone(), channel.client_id.clone());
        if let Some(ids) = self.owners.get_mut(&owner) {
            ids.retain(|id| id != channel_id);
            if ids.is_empty() {
                self.owners.remove(&owner);
            }
        }
        self.unindex(&channel.org_id, channel_id, channel.topics.iter());
    }

    /// Removes the channel from the index entries of `topics`, dropping emptied entries.
    pub fn unindex<'a>(&mut self, org_id: &str, channel_id: &str, topics: impl Iterator<Item = &'a String>) {
        let Some(org_index) = self.subscribers.get_mut(org_id) else { return };
        for topic in topics {
            if let Some(ids) = org_index.get_mut(topic) {
                ids.remove(channel_id);
                if ids.is_empty() {
                    org_index.remove(topic);
                }
            }
        }
        if org_index.is_empty() {
            self.subscribers.remove(org_id);
        }
    }
}
