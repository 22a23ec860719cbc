//! The live ACD: callers waiting per queue, answered by the queue's longest-idle agent.
//!
//! Which call and which agent come from the simulation's `acd::policy` (priority, then first
//! come; longest idle), the same policy the simulated contact center routes by.
//!
//! Agents are the queue's joined members whose routing status in the store is `IDLE`, so a
//! status change through the REST API takes effect on the next dispatch. An answered call
//! moves its agent to `INTERACTING` (talk and wrap-up, as on the real platform) and back to
//! `IDLE` on release. Lock order: the ACD lock, then the store lock, never the reverse.

use super::Runtime;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;
use switchboard_api::user::routing_status;
use switchboard_simulation::acd::policy::{self, IdleAgent};
use tokio::sync::oneshot;

/// The agent who answers a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agent {
    pub user_id: String,
    pub name: String,
}

pub enum Offer {
    Answered(Agent),
    Waiting(oneshot::Receiver<Agent>),
}

struct Waiter {
    call_id: String,
    /// Priority, arrival and sequence, as the shared routing policy orders them.
    call: policy::WaitingCall,
    answer: oneshot::Sender<Agent>,
}

#[derive(Default)]
struct AcdState {
    /// (org, queue id) → waiting callers.
    waiting: BTreeMap<(String, String), Vec<Waiter>>,
    /// (org, user) → epoch ms when the agent last became free.
    idle_since: HashMap<(String, String), i64>,
    /// Agents this ACD has given a call and not yet released.
    busy: HashSet<(String, String)>,
    sequence: u64,
}

#[derive(Default)]
pub struct Acd {
    state: Mutex<AcdState>,
}



fn set_status(runtime: &Runtime, org_id: &str, user_id: &str, status: &str, only_if: Option<&str>) {
    let changed = runtime.directory.with_org_mut(org_id, |org| crate::domain::presence::acd_set_status(org, user_id, status, only_if, &runtime.directory.now()));
    if changed == Some(true) {
        super::events::routing_status_changed(runtime, org_id, user_id, status);
    }
}

impl Acd {
    fn lock(&self) -> std::sync::MutexGuard<'_, AcdState> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Offers a call to a queue: answered at once by an idle agent, or put in line.
    pub fn offer(&self, runtime: &Runtime, org_id: &str, queue_id: &str, call_id: &str, priority: i32) -> Offer {
        let mut acd = self.lock();
        if let Some(agent) = pick_agent(&mut acd, runtime, org_id, queue_id) {
            return Offer::Answered(agent);
        }
        let (answer, receiver) = oneshot::channel();
        acd.sequence += 1;
        let sequence = acd.sequence;
        acd.waiting.entry((org_id.to_string(), queue_id.to_string())).or_default().push(Waiter {
            call_id: call_id.to_string(),
            call: policy::WaitingCall { priority, arrived_ms: runtime.clock.utc_ms(), sequence },
            answer,
        });
        Offer::Waiting(receiver)
    }

    /// Takes a waiting call out of line (the caller hung up). False when an agent already took it.
    pub fn cancel(&self, org_id: &str, queue_id: &str, call_id: &str) -> bool {
        let mut acd = self.lock();
        let Some(line) = acd.waiting.get_mut(&(org_id.to_string(), queue_id.to_string())) else { return false };
        let before = line.len();
        line.retain(|waiter| waiter.call_id != call_id);
        before != line.len()
    }

    /// The agent is done (after wrap-up): back to `IDLE`, and waiting calls get another chance.
    pub fn release(&self, runtime: &Runtime, org_id: &str, user_id: &str) {
        {
            let mut acd = self.lock();
            let key = (org_id.to_string(), user_id.to_string());
            acd.busy.remove(&key);
            acd.idle_since.insert(key, runtime.clock.utc_ms());
            set_status(runtime, org_id, user_id, routing_status::IDLE, Some(routing_status::INTERACTING));
        }
        self.dispatch(runtime);
    }

    /// Matches waiting calls with idle agents in every queue (also run periodically, so agents who
    /// go on queue through the REST API pick up waiting calls).
    pub fn dispatch(&self, runtime: &Runtime) {
        let mut acd = self.lock();
        let keys: Vec<(String, String)> =
            acd.waiting.iter().filter(|(_, line)| !line.is_empty()).map(|(key, _)| key.clone()).collect();
        for (org_id, queue_id) in keys {
            while let Some(line) = acd.waiting.get_mut(&(org_id.clone(), queue_id.clone())) {
                let Some(best) = policy::next_call(line.iter().map(|waiter| &waiter.call)) else { break };
                if line[best].answer.is_closed() {
                    line.remove(best);
                    continue;
                }
                let Some(agent) = pick_agent(&mut acd, runtime, &org_id, &queue_id) else { break };
                let Some(line) = acd.waiting.get_mut(&(org_id.clone(), queue_id.clone())) else { break };
                let waiter = line.remove(best);
                if let Err(agent) = waiter.answer.send(agent) {
                    // The caller left between the check and the send: the agent is free again.
                    acd.busy.remove(&(org_id.clone(), agent.user_id.clone()));
                    set_status(runtime, &org_id, &agent.user_id, routing_status::IDLE, Some(routing_status::INTERACTING));
                }
            }
        }
        acd.waiting.retain(|_, line| !line.is_empty());
    }

    /// Callers waiting in a queue right now.
    pub fn waiting(&self, org_id: &str, queue_id: &str) -> usize {
        self.lock().waiting.get(&(org_id.to_string(), queue_id.to_string())).map_or(0, Vec::len)
    }

    pub fn has_waiting(&self) -> bool {
        self.lock().waiting.values().any(|line| !line.is_empty())
    }
}

/// The longest-idle joined member with routing status `IDLE` that this ACD has not given a call;
/// marks it busy and `INTERACTING`.
fn pick_agent(acd: &mut AcdState, runtime: &Runtime, org_id: &str, queue_id: &str) -> Option<Agent> {
    let candidates: Vec<(String, String, Option<String>)> = runtime
        .directory.with_org(org_id, |org| {
            org.queue_members(queue_id)
                .into_iter()
                .filter(|(_, joined)| *joined)
                .filter_map(|(user_id, _)| {
                    let user = org.users.get(&user_id)?;
                    let routing = user.routing_status.as_ref()?;
                    (routing.status == routing_status::IDLE).then(|| (user_id.clone(), user.name.clone(), routing.start_time.clone()))
                })
                .collect()
        })
        .unwrap_or_default();
    let idle_since = |user_id: &str, start_time: &Option<String>| {
        acd.idle_since.get(&(org_id.to_string(), user_id.to_string())).copied().unwrap_or_else(|| {
            start_time
                .as_deref()
                .and_then(|text| chrono::DateTime::parse_from_rfc3339(text).ok())
                .map_or(0, |time| time.timestamp_millis())
        })
    };
    let free = candidates
        .into_iter()
        .filter(|(user_id, _, _)| !acd.busy.contains(&(org_id.to_string(), user_id.clone())))
        .map(|(user_id, name, start_time)| IdleAgent { idle_since_ms: idle_since(&user_id, &start_time), key: (user_id, name) });
    let (user_id, name) = policy::longest_idle(free)?;
    acd.busy.insert((org_id.to_string(), user_id.clone()));
    set_status(runtime, org_id, &user_id, routing_status::INTERACTING, None);
    Some(Agent { user_id, name })
}
