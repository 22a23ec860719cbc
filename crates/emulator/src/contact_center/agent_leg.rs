//! The part of a call after its flow: waiting in the ACD until an agent answers or the caller's
//! patience runs out, talking, wrap-up, and the end that hands the record to analytics.

use super::ContactCenter;
use super::Runtime;
use super::acd::{Agent, Offer};
use super::call::{LiveCall, Outcome, Phase};
use super::driver::sleep_modelled;
use super::events;
use rand::rngs::StdRng;
use std::sync::Arc;
use std::time::Duration;

#[allow(clippy::too_many_arguments)]
pub(super) async fn queue_call(
    runtime: &Runtime,
    center: &ContactCenter,
    call: &Arc<LiveCall>,
    org_id: &str,
    queue_id: &str,
    priority: i32,
    speed_up: f64,
    rng: &mut StdRng,
) {
    let options = center.options();
    let patience = options.patience.sampler().ok().and_then(|sampler| sampler.sample_ms(rng));
    let agent = match center.acd.offer(runtime, org_id, queue_id, &call.id, priority) {
        Offer::Answered(agent) => Some(agent),
        Offer::Waiting(mut answer) => {
            center.ensure_dispatcher(runtime);
            match patience {
                None => answer.await.ok(),
                Some(patience_ms) => {
                    tokio::select! {
                        agent = &mut answer => agent.ok(),
                        _ = sleep_modelled(patience_ms.max(1), speed_up) => {
                            if center.acd.cancel(org_id, queue_id, &call.id) {
                                None
                            } else {
                                // An agent took the call at the last moment.
                                answer.await.ok()
                            }
                        }
                    }
                }
            }
        }
    };
    let Some(agent) = agent else {
        if let Some(queue) = call.lock().record.queue.as_mut() {
            queue.abandoned_ms = Some(call.now_ms());
        }
        end_call(runtime, center, call, Outcome::Abandoned);
        return;
    };
    connect(runtime, center, call, org_id, agent, speed_up, rng).await;
}

async fn connect(
    runtime: &Runtime,
    center: &ContactCenter,
    call: &Arc<LiveCall>,
    org_id: &str,
    agent: Agent,
    speed_up: f64,
    rng: &mut StdRng,
) {
    let options = center.options();
    {
        let mut locked = call.lock();
        locked.agent_name = Some(agent.name.clone());
        if let Some(queue) = locked.record.queue.as_mut() {
            queue.answered_ms = Some(call.now_ms());
            queue.agent_id = Some(agent.user_id.clone());
        }
    }
    call.advance(Phase::Connected);
    events::conversation_changed(runtime, call);
    let handle = options.handle_time.sampler().map(|sampler| sampler.sample_finite_ms(rng)).unwrap_or(0);
    sleep_modelled(handle, speed_up).await;
    if let Some(queue) = call.lock().record.queue.as_mut() {
        queue.talk_end_ms = Some(call.now_ms());
    }
    call.advance(Phase::WrapUp);
    events::conversation_changed(runtime, call);
    let wrap_up = options.wrap_up.sampler().map(|sampler| sampler.sample_finite_ms(rng)).unwrap_or(0);
    sleep_modelled(wrap_up, speed_up).await;
    if let Some(queue) = call.lock().record.queue.as_mut() {
        queue.wrapup_end_ms = Some(call.now_ms());
    }
    center.acd.release(runtime, org_id, &agent.user_id);
    end_call(runtime, center, call, Outcome::Answered);
}

pub(super) fn end_call(runtime: &Runtime, center: &ContactCenter, call: &Arc<LiveCall>, outcome: Outcome) {
    let (org_id, record) = {
        let mut locked = call.lock();
        locked.outcome = outcome;
        locked.record.end_ms = Some(call.now_ms());
        (locked.org_id.clone(), locked.record.clone())
    };
    center.analytics.push(&org_id, record);
    call.advance(Phase::Ended);
    events::conversation_changed(runtime, call);
    center.retire(&call.id);
}

impl ContactCenter {
    /// Runs the ACD's periodic dispatch while calls wait, so agents who go on queue through the
    /// REST API pick them up. The task ends when no call waits.
    fn ensure_dispatcher(&self, runtime: &Runtime) {
        use std::sync::atomic::Ordering;
        if self.dispatcher_started.swap(true, Ordering::SeqCst) {
            return;
        }
        let runtime = runtime.clone();
        tokio::spawn(async move {
            let center = &runtime.center;
            loop {
                tokio::time::sleep(Duration::from_millis(200)).await;
                center.acd.dispatch(&runtime);
                if !center.acd.has_waiting() {
                    center.dispatcher_started.store(false, Ordering::SeqCst);
                    // A caller may have started waiting after the check; if so, keep going.
                    if center.acd.has_waiting() && !center.dispatcher_started.swap(true, Ordering::SeqCst) {
                        continue;
                    }
                    break;
                }
            }
        });
    }
}
