//! Adding one batch of topics to one platform channel so that every failure stays with the
//! topics, and so with the desktops, it belongs to.
//!
//! A batch is made of *requests*: the new topics one desktop's subscribe frame put on this
//! channel. One REST call carries them all. The platform answers a bad topic with a 400 for the
//! whole call, so on a 400 the batch is split — first between requests, then within the one
//! request that still fails — and the halves are retried, until the refused topics stand alone.
//! Splitting within one request is bounded (`SPLIT_BUDGET` calls per batch); past it, what is
//! left of that request is refused as a whole, still only to the desktop that asked. A topic the
//! platform answers `Rejected` (another org's user, a missing permission), or leaves out of the
//! channel's set, is refused with its reason: only topics the platform confirmed are subscribed.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use switchboard_api::notifications::ChannelTopic;
use switchboard_platform::{Platform, PlatformExt};

/// Extra calls a batch may spend splitting the topics of single requests.
const SPLIT_BUDGET: usize = 16;
/// The state the platform gives a topic it refused.
const REJECTED: &str = "Rejected";

/// Refused topics and why (the platform's reason where it gave one).
pub type Refused = BTreeMap<String, String>;

/// Topics of `requested` the listing does not confirm: `Rejected`, or absent from the set.
pub fn unconfirmed(requested: &[String], listing: &[ChannelTopic]) -> Refused {
    let by_id: HashMap<&str, &ChannelTopic> = listing.iter().map(|topic| (topic.id.as_str(), topic)).collect();
    let mut refused = Refused::new();
    for topic in requested {
        match by_id.get(topic.as_str()) {
            Some(entry) if entry.state.as_deref().is_some_and(|state| state.eq_ignore_ascii_case(REJECTED)) => {
                let reason = entry.rejection_reason.clone().unwrap_or_else(|| "the platform rejected this topic".to_string());
                refused.insert(topic.clone(), reason);
            }
            Some(_) => {}
            None => {
                refused.insert(topic.clone(), "the platform did not confirm this subscription".to_string());
            }
        }
    }
    refused
}

/// Subscribes `requests` (each desktop request's topics) on `channel_id`; returns the topics
/// that are not subscribed, with their reasons. Every other topic is.
pub async fn add(client: &Arc<dyn Platform>, channel_id: &str, requests: Vec<Vec<String>>) -> Refused {
    let mut refused = Refused::new();
    let mut budget = SPLIT_BUDGET;
    let mut work: Vec<Vec<Vec<String>>> = vec![requests.into_iter().filter(|request| !request.is_empty()).collect()];
    while let Some(part) = work.pop() {
        let topics: Vec<String> = part.iter().flatten().cloned().collect();
        if topics.is_empty() {
            continue;
        }
        let names: Vec<&str> = topics.iter().map(String::as_str).collect();
        let error = match client.notifications().subscribe(channel_id, &names).await {
            Ok(listing) => {
                refused.extend(unconfirmed(&topics, &listing));
                continue;
            }
            Err(error) => error,
        };
        let bad_request = error.status() == Some(400);
        if bad_request && part.len() > 1 {
            // Several desktops' requests: keep the innocent ones apart from the failing one.
            let mut first = part;
            let second = first.split_off(first.len() / 2);
            work.push(second);
            work.push(first);
        } else if bad_request && topics.len() > 1 && budget > 0 {
            budget -= 1;
            let mut first = topics;
            let second = first.split_off(first.len() / 2);
            work.push(vec![second]);
            work.push(vec![first]);
        } else {
            tracing::warn!(%error, topics = topics.len(), "upstream subscription refused");
            for topic in topics {
                refused.insert(topic, error.to_string());
            }
        }
    }
    refused
}

#[cfg(test)]
mod tests;
