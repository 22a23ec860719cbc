//! The event queue: a binary heap ordered by time, ties broken by insertion order so a seed fixes
//! the run exactly. Events are small `Copy` values; cancelled timers are not removed but ignored
//! when they fire (their call's generation or state no longer matches).

use crate::acd::AgentId;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EventKind {
    Arrival {
        did: u32,
    },
    /// A prompt, wait or backoff ended: step the call's flow again.
    FlowResume {
        call: u32,
        generation: u32,
    },
    /// The data-action attempt's answer (decided when the attempt started) arrives.
    DataActionDone {
        call: u32,
        generation: u32,
    },
    PatienceExpired {
        call: u32,
        generation: u32,
    },
    HandleEnd {
        agent: AgentId,
        call: u32,
        generation: u32,
    },
    WrapUpEnd {
        agent: AgentId,
        call: u32,
        generation: u32,
    },
    TableUpdate {
        index: u32,
    },
    /// The end of an analysis interval: the controller hook runs.
    ControlInterval,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Event {
    pub at_ms: u64,
    pub sequence: u64,
    pub kind: EventKind,
}

impl Ord for Event {
    fn cmp(&self, other: &Self) -> Ordering {
        // BinaryHeap is a max-heap: reverse so the earliest (then first scheduled) comes out first.
        (other.at_ms, other.sequence).cmp(&(self.at_ms, self.sequence))
    }
}

impl PartialOrd for Event {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[derive(Debug, Default)]
pub(crate) struct EventQueue {
    heap: BinaryHeap<Event>,
    sequence: u64,
}

impl EventQueue {
    pub fn with_capacity(capacity: usize) -> EventQueue {
        EventQueue { heap: BinaryHeap::with_capacity(capacity), sequence: 0 }
    }

    pub fn schedule(&mut self, at_ms: u64, kind: EventKind) {
        self.sequence += 1;
        self.heap.push(Event { at_ms, sequence: self.sequence, kind });
    }

    pub fn pop(&mut self) -> Option<Event> {
        self.heap.pop()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn earliest_first_and_ties_in_scheduling_order() {
        let mut queue = EventQueue::default();
        queue.schedule(10, EventKind::Arrival { did: 1 });
        queue.schedule(5, EventKind::Arrival { did: 2 });
        queue.schedule(10, EventKind::Arrival { did: 3 });
        queue.schedule(5, EventKind::Arrival { did: 4 });
        let order: Vec<EventKind> = std::iter::from_fn(|| queue.pop()).map(|event| event.kind).collect();
        let dids: Vec<u32> = order
            .iter()
            .map(|kind| match kind {
                EventKind::Arrival { did } => *did,
                _ => 0,
            })
            .collect();
        assert_eq!(dids, vec![2, 4, 1, 3]);
    }
}
