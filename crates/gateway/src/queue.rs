//! A session's bounded outbound queue (seed 003 §4): bounded in frames and bytes, conflating
//! state topics from 70 % full (only the latest presence or routing status per topic is kept),
//! and refusing when full so the session is closed rather than grown. Pure: no I/O, no clock.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Instant;
use tokio_tungstenite::tungstenite::Utf8Bytes;

/// One frame on its way to a desktop. `text` is shared by every session receiving the event.
#[derive(Debug, Clone)]
pub struct Outbound {
    /// The event's topic when the frame may be conflated (a state topic), else `None`.
    pub conflation_key: Option<Arc<str>>,
    pub text: Utf8Bytes,
    /// When the gateway received it from upstream (for the delivery-latency histogram).
    pub received_at: Instant,
}

/// State topics: each event carries the whole current state, so a newer one replaces an older
/// one without loss of meaning. Conversations and queue events are deltas and are never merged.
pub fn is_state_topic(topic: &str) -> bool {
    topic.ends_with(".presence") || topic.ends_with(".routingStatus") || topic.ends_with(".activity")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pushed {
    Queued,
    /// Replaced an older queued frame of the same state topic.
    Conflated,
    /// No room: the session must be closed ("try again later").
    Full,
}

#[derive(Debug)]
pub struct SessionQueue {
    frames: VecDeque<Outbound>,
    bytes: usize,
    max_frames: usize,
    max_bytes: usize,
    conflate_frames: usize,
    conflate_bytes: usize,
}

impl SessionQueue {
    pub fn new(max_frames: usize, max_bytes: usize, conflate_at: f64) -> Self {
        let fraction = conflate_at.clamp(0.0, 1.0);
        SessionQueue {
            frames: VecDeque::new(),
            bytes: 0,
            max_frames: max_frames.max(1),
            max_bytes: max_bytes.max(1),
            conflate_frames: ((max_frames as f64) * fraction) as usize,
            conflate_bytes: ((max_bytes as f64) * fraction) as usize,
        }
    }

    pub fn len(&self) -> usize {
        self.frames.len()
    }
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Whether the queue is past the conflation threshold (the session counts as slow).
    pub fn is_conflating(&self) -> bool {
        self.frames.len() >= self.conflate_frames || self.bytes >= self.conflate_bytes
    }

    /// `global_room`: bytes still free in the gateway-wide budget.
    pub fn push(&mut self, frame: Outbound, global_room: usize) -> Pushed {
        let size = frame.text.len();
        if self.is_conflating()
            && let Some(key) = &frame.conflation_key
            && let Some(older) = self.frames.iter_mut().rev().find(|queued| queued.conflation_key.as_ref() == Some(key))
        {
            // Keep the older frame's place (and its receive time, so latency stays honest),
            // carry the newer state.
            self.bytes = self.bytes - older.text.len() + size;
            older.text = frame.text;
            return Pushed::Conflated;
        }
        if self.frames.len() + 1 > self.max_frames || self.bytes + size > self.max_bytes || size > global_room {
            return Pushed::Full;
        }
        self.bytes += size;
        self.frames.push_back(frame);
        Pushed::Queued
    }

    pub fn pop(&mut self) -> Option<Outbound> {
        let frame = self.frames.pop_front()?;
        self.bytes -= frame.text.len();
        Some(frame)
    }

    /// Everything queued, for a closing session to release its share of the global budget.
    pub fn clear(&mut self) -> usize {
        let bytes = self.bytes;
        self.frames.clear();
        self.bytes = 0;
        bytes
    }
}

#[cfg(test)]
mod tests;
