//! Where one pool slot's stream stands, per upstream channel *incarnation*: the last event id
//! seen on the platform channel it is connected to now (what `Last-Event-ID` resumes from), and
//! the fingerprints of the events it forwarded lately (what a make-before-break overlap or a
//! replay must not deliver twice). Pure: no I/O, no clock.
//!
//! Event ids are only comparable within one platform channel: a re-created channel (after a
//! platform restart, expiry or eviction) may number its events from the start again, or in an
//! id space of its own. So a new incarnation starts with no last id, and the copies a
//! make-before-break overlap delivers twice are recognised by content, never by comparing ids of
//! two channels. Outside an overlap nothing is skipped: one socket never sends an event twice,
//! and two events with the same text are two events.

use std::collections::hash_map::DefaultHasher;
use std::collections::{HashSet, VecDeque};
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU8, Ordering};

/// Fingerprints kept for duplicate detection, and how many of the replacement's first events
/// are checked against them: enough for a make-before-break overlap (the old socket is drained
/// for at most a second; the replacement replays from its start), 8 bytes each.
const RECENT: usize = 4_096;

/// What to do with one upstream event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// New: deliver it.
    Forward,
    /// Already delivered by the channel this one replaced: skip it.
    Duplicate,
    /// New, but its id is not above the channel's last one: the platform numbered again from
    /// the start without the channel changing. Deliver it and report a gap, since what came
    /// between cannot be known.
    IdsRestarted,
}

/// The stream position of one pool slot.
#[derive(Debug, Default)]
pub struct Cursor {
    incarnation: u64,
    last_id: Option<u64>,
    recent: VecDeque<u64>,
    recent_set: HashSet<u64>,
    /// Events of the current channel still checked against the previous channel's.
    overlap_left: usize,
}

/// A stable fingerprint of an event's text (SipHash with fixed keys: no randomness, the same in
/// every process). Two copies of one event are byte-identical on the platform's channels.
fn fingerprint(text: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

impl Cursor {
    /// The platform channel was re-created after the old one was lost: ids restart, and nothing
    /// the new one sends can be a copy (the old socket is gone).
    pub fn new_incarnation(&mut self) {
        self.incarnation += 1;
        self.last_id = None;
        self.overlap_left = 0;
    }

    /// The platform channel was replaced while the old one still delivered (make before break):
    /// ids restart, and the new channel's first events are checked for copies of the old's.
    pub fn replaced(&mut self) {
        self.new_incarnation();
        self.overlap_left = RECENT;
    }

    /// How many platform channels this slot has had before the current one.
    pub fn incarnation(&self) -> u64 {
        self.incarnation
    }

    /// The `Last-Event-ID` to reconnect to the same channel with: the last id seen on it, or 0
    /// (everything the channel holds) when it has carried no event with an id yet.
    pub fn resume_after(&self) -> u64 {
        self.last_id.unwrap_or(0)
    }

    /// Records one event of the current channel and says what to do with it.
    pub fn observe(&mut self, id: Option<u64>, text: &str) -> Verdict {
        let print = fingerprint(text);
        if self.overlap_left > 0 {
            self.overlap_left -= 1;
            if self.recent_set.contains(&print) {
                return Verdict::Duplicate;
            }
        }
        self.remember(print);
        let Some(id) = id else { return Verdict::Forward };
        let restarted = self.last_id.is_some_and(|last| id <= last);
        self.last_id = Some(id);
        if restarted { Verdict::IdsRestarted } else { Verdict::Forward }
    }

    fn remember(&mut self, print: u64) {
        if self.recent.len() == RECENT
            && let Some(oldest) = self.recent.pop_front()
        {
            self.recent_set.remove(&oldest);
        }
        self.recent.push_back(print);
        self.recent_set.insert(print);
    }
}

/// Whether the platform replays after `Last-Event-ID`, as far as the gateway has seen: events
/// that carry ids (the emulator's extension) mean it does; events without ids (the real
/// platform, a `--strict` emulator) mean it does not. Shared by every channel of a pool.
#[derive(Debug, Default)]
pub struct ReplaySupport(AtomicU8);

/// What `ReplaySupport` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replay {
    /// No event seen yet: a reconnect resumes where it can but still reports a gap.
    Unknown,
    Offered,
    Absent,
}

impl ReplaySupport {
    pub fn get(&self) -> Replay {
        match self.0.load(Ordering::Relaxed) {
            1 => Replay::Offered,
            2 => Replay::Absent,
            _ => Replay::Unknown,
        }
    }

    /// Learns from one topic event.
    pub fn saw_event(&self, has_id: bool) {
        let value = if has_id { 1 } else { 2 };
        // Written only on a change: every channel task reads it on every event.
        if self.0.load(Ordering::Relaxed) != value {
            self.0.store(value, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests;
