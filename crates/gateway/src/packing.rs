//! Packing topics onto upstream channels (seed 003 §2), pure. Each topic lives on exactly one
//! channel (deduplicated across agents). A topic joins the channel its entity already uses
//! (`v2.users.{id}.*` are one entity), so events about one agent arrive over one socket, in
//! order; a new entity goes to the subscribing agent's hashed channel (rendezvous hashing over
//! the channels with room), so one agent's topics land together. A channel fills to
//! `fill_target` and never past the platform's `limit`; the pool grows up to `max_channels`.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::time::Instant;

/// Collections whose next segment is the entity id.
const COLLECTIONS: &[&str] = &["v2.routing.queues.", "v2.analytics.queues.", "v2.users.", "v2.flows.", "v2.conversations.", "v2.detail.events.conversation."];

/// `v2.users.{id}.presence` → `v2.users.{id}`; unknown shapes are their own entity.
pub fn entity_of(topic: &str) -> &str {
    for prefix in COLLECTIONS {
        if let Some(rest) = topic.strip_prefix(prefix) {
            let id_len = rest.find('.').unwrap_or(rest.len());
            return &topic[..prefix.len() + id_len];
        }
    }
    topic
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    pub channel: usize,
    /// The channel must be opened first.
    pub opened: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("every upstream channel is full ({channels} channels x {limit} topics)")]
pub struct PoolExhausted {
    pub channels: usize,
    pub limit: usize,
}

#[derive(Debug, Default, Clone)]
struct Slot {
    open: bool,
    topics: usize,
    empty_since: Option<Instant>,
}

#[derive(Debug)]
pub struct Packing {
    slots: Vec<Slot>,
    topic_channel: HashMap<String, usize>,
    /// Entity → (channel, topics of it placed there).
    entity_channel: HashMap<String, (usize, usize)>,
    limit: usize,
    fill_target: usize,
    max_channels: usize,
}

fn rendezvous(agent: &str, channel: usize) -> u64 {
    let mut hasher = DefaultHasher::new();
    agent.hash(&mut hasher);
    channel.hash(&mut hasher);
    hasher.finish()
}

impl Packing {
    pub fn new(limit: usize, fill_target: usize, max_channels: usize) -> Self {
        Packing {
            slots: Vec::new(),
            topic_channel: HashMap::new(),
            entity_channel: HashMap::new(),
            limit: limit.max(1),
            fill_target: fill_target.clamp(1, limit.max(1)),
            max_channels: max_channels.max(1),
        }
    }

    pub fn open_channels(&self) -> usize {
        self.slots.iter().filter(|slot| slot.open).count()
    }

    pub fn channel_of(&self, topic: &str) -> Option<usize> {
        self.topic_channel.get(topic).copied()
    }

    pub fn topics_on(&self, channel: usize) -> usize {
        self.slots.get(channel).map_or(0, |slot| slot.topics)
    }

    fn open_new(&mut self, now: Instant) -> Option<usize> {
        if self.open_channels() >= self.max_channels {
            return None;
        }
        let fresh = Slot { open: true, topics: 0, empty_since: Some(now) };
        match self.slots.iter().position(|slot| !slot.open) {
            Some(index) => {
                self.slots[index] = fresh;
                Some(index)
            }
            None => {
                self.slots.push(fresh);
                Some(self.slots.len() - 1)
            }
        }
    }

    /// Opens channels until `count` are open (pre-warming); returns the ones opened.
    pub fn ensure_open(&mut self, count: usize, now: Instant) -> Vec<usize> {
        let mut opened = Vec::new();
        while self.open_channels() < count.min(self.max_channels) {
            match self.open_new(now) {
                Some(index) => opened.push(index),
                None => break,
            }
        }
        opened
    }

    /// Where `topic`, requested by `agent`, goes.
    pub fn place(&mut self, agent: &str, topic: &str, now: Instant) -> Result<Placement, PoolExhausted> {
        if let Some(&channel) = self.topic_channel.get(topic) {
            return Ok(Placement { channel, opened: false });
        }
        let entity = entity_of(topic);
        let home = self.entity_channel.get(entity).map(|(channel, _)| *channel).filter(|channel| self.slots[*channel].topics < self.limit);
        let (channel, opened) = match home {
            Some(channel) => (channel, false),
            None => {
                let hashed = (0..self.slots.len())
                    .filter(|index| self.slots[*index].open && self.slots[*index].topics < self.fill_target)
                    .max_by_key(|index| rendezvous(agent, *index));
                match hashed {
                    Some(channel) => (channel, false),
                    None => match self.open_new(now) {
                        Some(channel) => (channel, true),
                        None => {
                            // Past the fill target on every channel: use the headroom left.
                            let spare = (0..self.slots.len()).find(|index| self.slots[*index].open && self.slots[*index].topics < self.limit);
                            (spare.ok_or(PoolExhausted { channels: self.max_channels, limit: self.limit })?, false)
                        }
                    },
                }
            }
        };
        let slot = &mut self.slots[channel];
        slot.topics += 1;
        slot.empty_since = None;
        self.topic_channel.insert(topic.to_string(), channel);
        let entry = self.entity_channel.entry(entity.to_string()).or_insert((channel, 0));
        if entry.0 == channel {
            entry.1 += 1;
        }
        Ok(Placement { channel, opened })
    }

    /// Takes `topic` off its channel; returns the channel.
    pub fn remove(&mut self, topic: &str, now: Instant) -> Option<usize> {
        let channel = self.topic_channel.remove(topic)?;
        let slot = &mut self.slots[channel];
        slot.topics = slot.topics.saturating_sub(1);
        if slot.topics == 0 {
            slot.empty_since = Some(now);
        }
        let entity = entity_of(topic);
        if let Some((home, count)) = self.entity_channel.get_mut(entity)
            && *home == channel
        {
            *count = count.saturating_sub(1);
            if *count == 0 {
                self.entity_channel.remove(entity);
            }
        }
        Some(channel)
    }

    /// Channels empty for at least `idle` that may close, keeping `keep_open` channels open.
    pub fn idle_channels(&mut self, now: Instant, idle: std::time::Duration, keep_open: usize) -> Vec<usize> {
        let mut open = self.open_channels();
        let mut closing = Vec::new();
        for (index, slot) in self.slots.iter_mut().enumerate() {
            if open <= keep_open {
                break;
            }
            if slot.open && slot.topics == 0 && slot.empty_since.is_some_and(|since| now.duration_since(since) >= idle) {
                slot.open = false;
                open -= 1;
                closing.push(index);
            }
        }
        closing
    }
}

#[cfg(test)]
mod tests;
