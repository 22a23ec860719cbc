//! The one routing policy of the contact center, shared by the simulation's ACD and the
//! emulator's live ACD: waiting calls are served highest priority first, then first come
//! (FIFO by arrival); the agent who answers is the eligible one idle the longest.
//!
//! Pure and clock-free: arrival and idle times are numbers the caller supplies (virtual
//! milliseconds in the simulation, epoch milliseconds in the emulator). The simulation keeps
//! index structures (priority levels, an idle deque) that reach the same answers in O(1);
//! `acd::policy_tests` checks both against these functions on the same table of cases.

use std::cmp::Ordering;

/// What the policy needs to know about a waiting call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitingCall {
    pub priority: i32,
    /// When the call joined the line.
    pub arrived_ms: i64,
    /// Order of arrival, breaking ties between calls that arrived in the same millisecond.
    pub sequence: u64,
}

/// Orders two waiting calls: `Less` when `a` is served before `b`.
pub fn serve_order(a: &WaitingCall, b: &WaitingCall) -> Ordering {
    b.priority.cmp(&a.priority).then(a.arrived_ms.cmp(&b.arrived_ms)).then(a.sequence.cmp(&b.sequence))
}

/// The call to serve next among `calls`, as an index into it.
pub fn next_call<'a, I>(calls: I) -> Option<usize>
where
    I: IntoIterator<Item = &'a WaitingCall>,
{
    calls
        .into_iter()
        .enumerate()
        .min_by(|(_, a), (_, b)| serve_order(a, b))
        .map(|(index, _)| index)
}

/// An agent who could take a call now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdleAgent<K> {
    /// When the agent last became free.
    pub idle_since_ms: i64,
    /// A stable tie-break between agents idle since the same millisecond (the simulation uses
    /// the order agents became idle, the emulator the user id).
    pub key: K,
}

/// The agent who answers: idle the longest, ties to the smallest key.
pub fn longest_idle<K, I>(agents: I) -> Option<K>
where
    K: Ord,
    I: IntoIterator<Item = IdleAgent<K>>,
{
    agents
        .into_iter()
        .min_by(|a, b| a.idle_since_ms.cmp(&b.idle_since_ms).then_with(|| a.key.cmp(&b.key)))
        .map(|agent| agent.key)
}
