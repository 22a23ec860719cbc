//! The subscription table: which sessions watch which topics, reference-counted so a topic
//! watched by five hundred desktops is one upstream subscription. Pure: it only reports which
//! topics became needed or unneeded; the pool turns that into REST calls.

use std::collections::HashMap;
use std::sync::Arc;

pub type SessionId = u64;

/// The platform's shorthand `v2.users.{id}?presence&routingStatus` as separate topics; other
/// names pass unchanged (the same rule as the platform's subscription endpoint).
pub fn expand_topic(topic: &str) -> Vec<String> {
    match topic.split_once('?') {
        None => vec![topic.to_string()],
        Some((prefix, suffixes)) => suffixes.split('&').map(|suffix| format!("{prefix}.{suffix}")).collect(),
    }
}

/// A plausible topic name: dotted, ASCII, bounded. The platform has the final word (it answers
/// 400 to unknown topics); this only keeps junk out of the table.
pub fn is_plausible_topic(topic: &str) -> bool {
    topic.starts_with("v2.")
        && topic.len() <= 256
        && !topic.contains("..")
        && topic.bytes().all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'-' | b'_'))
}

#[derive(Debug, Default)]
pub struct SubscriptionTable {
    by_topic: HashMap<Arc<str>, Vec<SessionId>>,
    by_session: HashMap<SessionId, Vec<Arc<str>>>,
}

impl SubscriptionTable {
    /// Adds `topics` for `session`; returns those nobody watched before (to subscribe upstream).
    pub fn subscribe(&mut self, session: SessionId, topics: &[String]) -> Vec<String> {
        let mut needed = Vec::new();
        for topic in topics {
            let owned = self.by_session.entry(session).or_default();
            if owned.iter().any(|existing| **existing == **topic) {
                continue;
            }
            let key: Arc<str> = match self.by_topic.get_key_value(topic.as_str()) {
                Some((key, _)) => key.clone(),
                None => Arc::from(topic.as_str()),
            };
            owned.push(key.clone());
            let watchers = self.by_topic.entry(key).or_default();
            if watchers.is_empty() {
                needed.push(topic.clone());
            }
            watchers.push(session);
        }
        needed
    }

    /// Removes `topics` from `session`; returns those nobody watches any more.
    pub fn unsubscribe(&mut self, session: SessionId, topics: &[String]) -> Vec<String> {
        let mut unneeded = Vec::new();
        if let Some(owned) = self.by_session.get_mut(&session) {
            owned.retain(|existing| !topics.iter().any(|topic| **existing == **topic));
            if owned.is_empty() {
                self.by_session.remove(&session);
            }
        }
        for topic in topics {
            if let Some(watchers) = self.by_topic.get_mut(topic.as_str()) {
                let before = watchers.len();
                watchers.retain(|watcher| *watcher != session);
                if watchers.is_empty() && before > 0 {
                    self.by_topic.remove(topic.as_str());
                    unneeded.push(topic.clone());
                }
            }
        }
        unneeded
    }

    /// Forgets a session; returns the topics nobody watches any more.
    pub fn remove_session(&mut self, session: SessionId) -> Vec<String> {
        let topics: Vec<String> = self.by_session.get(&session).map(|owned| owned.iter().map(|topic| topic.to_string()).collect()).unwrap_or_default();
        self.unsubscribe(session, &topics)
    }

    pub fn subscribers(&self, topic: &str) -> &[SessionId] {
        self.by_topic.get(topic).map(Vec::as_slice).unwrap_or_default()
    }

    pub fn topics_of(&self, session: SessionId) -> Vec<String> {
        self.by_session.get(&session).map(|owned| owned.iter().map(|topic| topic.to_string()).collect()).unwrap_or_default()
    }

    pub fn watches(&self, session: SessionId, topic: &str) -> bool {
        self.by_session.get(&session).is_some_and(|owned| owned.iter().any(|existing| &**existing == topic))
    }

    /// Distinct topics watched (= upstream subscriptions wanted).
    pub fn topic_count(&self) -> usize {
        self.by_topic.len()
    }

    /// Session subscriptions, counted per session.
    pub fn subscription_count(&self) -> usize {
        self.by_session.values().map(Vec::len).sum()
    }
}

#[cfg(test)]
mod tests;
