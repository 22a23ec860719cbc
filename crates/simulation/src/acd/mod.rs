//! The ACD: queues of waiting calls and the agents who answer them.
//!
//! Routing follows `policy` (shared with the emulator's live ACD): a call that arrives when members
//! are idle goes to the one idle the longest; an agent who becomes free takes the best waiting call
//! over all its queues (highest priority, then first come). Per queue, priority levels of FIFO
//! lines and a deque of idle agents in the order they became idle are indexes that give the
//! policy's answer in O(1); `policy_tests` checks them against `policy` on one table of cases.
//! Pure bookkeeping driven by the engine; times are the caller's.
//! Removals (abandoned calls, agents taken by another queue) are lazy: entries are checked when
//! they reach the front, so every operation is O(1) amortised.

use std::collections::VecDeque;

pub mod policy;

pub type QueueId = u32;
pub type AgentId = u32;

/// A call as the engine names it: a slot index and the slot's generation (slots are reused).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CallRef {
    pub index: u32,
    pub generation: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgentStatus {
    /// On queue and free since `since_ms`.
    Idle {
        since_ms: u64,
    },
    Busy {
        call: CallRef,
        queue: QueueId,
    },
    WrapUp,
    /// Not on queue (away, break, logged out).
    OffQueue,
}

/// What happened to a call offered to a queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    Answered { agent: AgentId },
    Waiting,
}

/// A waiting call given to a newly free agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assignment {
    pub call: CallRef,
    pub queue: QueueId,
    pub agent: AgentId,
    pub waited_ms: u64,
}

#[derive(Debug, Clone, Copy)]
struct Waiting {
    call: CallRef,
    since_ms: u64,
    sequence: u64,
}

impl Waiting {
    fn as_policy(&self, priority: i32) -> policy::WaitingCall {
        policy::WaitingCall { priority, arrived_ms: policy_ms(self.since_ms), sequence: self.sequence }
    }
}

/// Virtual milliseconds as the policy's signed times (a run never reaches `i64::MAX` ms).
fn policy_ms(ms: u64) -> i64 {
    i64::try_from(ms).unwrap_or(i64::MAX)
}

#[derive(Debug, Default)]
struct Level {
    priority: i32,
    calls: VecDeque<Waiting>,
}

#[derive(Debug, Default)]
struct QueueState {
    /// Sorted by priority, highest first; usually a single level.
    levels: Vec<Level>,
    /// Idle members in the order they became idle (so the front is the longest idle).
    idle: VecDeque<(AgentId, u32)>,
    waiting_count: u32,
    idle_count: u32,
    members: u32,
}

#[derive(Debug)]
struct Agent {
    queues: Vec<QueueId>,
    status: AgentStatus,
    /// Bumped whenever the agent stops being idle, to invalidate its idle-list entries.
    epoch: u32,
}

#[derive(Debug, Default)]
pub struct Acd {
    queues: Vec<QueueState>,
    agents: Vec<Agent>,
    /// Per call slot: `generation + 1` while the call waits in a queue, else 0.
    waiting: Vec<u64>,
    sequence: u64,
}

impl Acd {
    pub fn new(queue_count: usize) -> Acd {
        Acd { queues: (0..queue_count).map(|_| QueueState::default()).collect(), ..Acd::default() }
    }

    /// Adds an agent, member of `queues`, idle and on queue from `now_ms`.
    pub fn add_agent(&mut self, queues: &[QueueId], now_ms: u64) -> AgentId {
        let id = self.agents.len() as AgentId;
        let queues: Vec<QueueId> =
            queues.iter().copied().filter(|queue| (*queue as usize) < self.queues.len()).collect();
        for queue in &queues {
            self.queues[*queue as usize].members += 1;
        }
        self.agents.push(Agent { queues, status: AgentStatus::OffQueue, epoch: 0 });
        self.make_idle(id, now_ms);
        id
    }

    pub fn agent_status(&self, agent: AgentId) -> Option<AgentStatus> {
        self.agents.get(agent as usize).map(|agent| agent.status)
    }

    pub fn agent_count(&self) -> usize {
        self.agents.len()
    }

    pub fn waiting_count(&self, queue: QueueId) -> u32 {
        self.queues.get(queue as usize).map_or(0, |state| state.waiting_count)
    }

    pub fn idle_count(&self, queue: QueueId) -> u32 {
        self.queues.get(queue as usize).map_or(0, |state| state.idle_count)
    }

    pub fn member_count(&self, queue: QueueId) -> u32 {
        self.queues.get(queue as usize).map_or(0, |state| state.members)
    }

    /// Offers a call: answered at once by the longest-idle member, or put in line.
    pub fn enqueue(&mut self, queue: QueueId, call: CallRef, priority: i32, now_ms: u64) -> Placement {
        if let Some(agent) = self.pop_idle(queue) {
            self.make_busy(agent, call, queue);
            return Placement::Answered { agent };
        }
        let index = call.index as usize;
        if self.waiting.len() <= index {
            self.waiting.resize(index + 1, 0);
        }
        self.waiting[index] = u64::from(call.generation) + 1;
        self.sequence += 1;
        let entry = Waiting { call, since_ms: now_ms, sequence: self.sequence };
        let Some(state) = self.queues.get_mut(queue as usize) else { return Placement::Waiting };
        let position = state.levels.iter().position(|level| level.priority <= priority);
        match position {
            Some(at) if state.levels[at].priority == priority => state.levels[at].calls.push_back(entry),
            Some(at) => state.levels.insert(at, Level { priority, calls: VecDeque::from([entry]) }),
            None => state.levels.push(Level { priority, calls: VecDeque::from([entry]) }),
        }
        state.waiting_count += 1;
        Placement::Waiting
    }

    /// The caller hung up while waiting. Returns false if the call was not waiting (already answered).
    pub fn abandon(&mut self, queue: QueueId, call: CallRef) -> bool {
        if !self.is_waiting(call) {
            return false;
        }
        self.waiting[call.index as usize] = 0;
        if let Some(state) = self.queues.get_mut(queue as usize) {
            state.waiting_count = state.waiting_count.saturating_sub(1);
        }
        true
    }

    /// The agent finished talking and goes to wrap-up.
    pub fn finish_handle(&mut self, agent: AgentId) {
        if let Some(agent) = self.agents.get_mut(agent as usize) {
            agent.status = AgentStatus::WrapUp;
        }
    }

    /// The agent finished wrap-up: takes the next waiting call, or becomes idle.
    pub fn finish_wrapup(&mut self, agent: AgentId, now_ms: u64) -> Option<Assignment> {
        match self.agents.get(agent as usize).map(|agent| agent.status) {
            Some(AgentStatus::WrapUp) => self.become_free(agent, now_ms),
            _ => None,
        }
    }

    /// Puts an agent on or off queue. Going on queue may hand it a waiting call at once. An agent
    /// taken off queue while busy finishes its call and stays off.
    pub fn set_on_queue(&mut self, agent: AgentId, on_queue: bool, now_ms: u64) -> Option<Assignment> {
        let status = self.agents.get(agent as usize)?.status;
        match (status, on_queue) {
            (AgentStatus::OffQueue, true) => self.become_free(agent, now_ms),
            (AgentStatus::Idle { .. }, false) => {
                self.leave_idle(agent);
                self.agents[agent as usize].status = AgentStatus::OffQueue;
                None
            }
            _ => None,
        }
    }

    fn is_waiting(&self, call: CallRef) -> bool {
        self.waiting.get(call.index as usize) == Some(&(u64::from(call.generation) + 1))
    }

    fn become_free(&mut self, agent: AgentId, now_ms: u64) -> Option<Assignment> {
        match self.take_best_waiting(agent) {
            Some((queue, waiting)) => {
                self.make_busy(agent, waiting.call, queue);
                Some(Assignment {
                    call: waiting.call,
                    queue,
                    agent,
                    waited_ms: now_ms.saturating_sub(waiting.since_ms),
                })
            }
            None => {
                self.make_idle(agent, now_ms);
                None
            }
        }
    }

    /// The best live waiting call over the agent's queues, removed from its queue.
    fn take_best_waiting(&mut self, agent: AgentId) -> Option<(QueueId, Waiting)> {
        let queues = std::mem::take(&mut self.agents[agent as usize].queues);
        let mut best: Option<(QueueId, i32, Waiting)> = None;
        for &queue in &queues {
            if let Some((priority, head)) = self.live_head(queue) {
                let better = match &best {
                    None => true,
                    Some((_, best_priority, best_head)) => {
                        policy::serve_order(&head.as_policy(priority), &best_head.as_policy(*best_priority))
                            == std::cmp::Ordering::Less
                    }
                };
                if better {
                    best = Some((queue, priority, head));
                }
            }
        }
        self.agents[agent as usize].queues = queues;
        let (queue, _, head) = best?;
        let state = &mut self.queues[queue as usize];
        if let Some(level) = state.levels.first_mut() {
            level.calls.pop_front();
        }
        state.waiting_count = state.waiting_count.saturating_sub(1);
        self.waiting[head.call.index as usize] = 0;
        Some((queue, head))
    }

    /// Drops stale entries and empty levels; returns the first live waiting call and its priority.
    fn live_head(&mut self, queue: QueueId) -> Option<(i32, Waiting)> {
        let waiting = &self.waiting;
        let state = self.queues.get_mut(queue as usize)?;
        while let Some(level) = state.levels.first_mut() {
            while let Some(head) = level.calls.front() {
                if waiting.get(head.call.index as usize) == Some(&(u64::from(head.call.generation) + 1)) {
                    return Some((level.priority, *head));
                }
                level.calls.pop_front();
            }
            state.levels.remove(0);
        }
        None
    }

    fn pop_idle(&mut self, queue: QueueId) -> Option<AgentId> {
        let state = self.queues.get_mut(queue as usize)?;
        while let Some((agent, epoch)) = state.idle.pop_front() {
            let entry = &self.agents[agent as usize];
            if entry.epoch == epoch && matches!(entry.status, AgentStatus::Idle { .. }) {
                return Some(agent);
            }
        }
        None
    }

    fn make_idle(&mut self, agent: AgentId, now_ms: u64) {
        let entry = &mut self.agents[agent as usize];
        entry.status = AgentStatus::Idle { since_ms: now_ms };
        let epoch = entry.epoch;
        for &queue in &entry.queues {
            let state = &mut self.queues[queue as usize];
            state.idle.push_back((agent, epoch));
            state.idle_count += 1;
        }
    }

    fn leave_idle(&mut self, agent: AgentId) {
        let entry = &mut self.agents[agent as usize];
        entry.epoch = entry.epoch.wrapping_add(1);
        for &queue in &entry.queues {
            let state = &mut self.queues[queue as usize];
            state.idle_count = state.idle_count.saturating_sub(1);
        }
    }

    fn make_busy(&mut self, agent: AgentId, call: CallRef, queue: QueueId) {
        if matches!(self.agents[agent as usize].status, AgentStatus::Idle { .. }) {
            self.leave_idle(agent);
        }
        self.agents[agent as usize].status = AgentStatus::Busy { call, queue };
    }
}

#[cfg(test)]
mod policy_tests;
#[cfg(test)]
mod tests;
