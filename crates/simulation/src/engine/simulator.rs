//! The event loop: arrivals start calls, calls step through flows, reach the ACD, are answered or
//! abandon, and agents go through handle and wrap-up. All state lives in flat vectors indexed by
//! call slot, agent and queue; strings appear only in flow steps and finished-call records.

use super::arrivals::ArrivalProcess;
use super::collector::Collector;
use super::control::{IntervalController, IntervalTallies};
use super::events::{EventKind, EventQueue};
use super::record::{CallOutcome, CallRecord, CallSink};
use super::world::ScenarioWorld;
use crate::acd::{Acd, CallRef, Placement};
use crate::metrics::SimulationReport;
use crate::runtime::{CallExecution, Caller, CallerSpec, DataActionOutcome, Effect};
use crate::scenario::Scenario;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;
use std::sync::Arc;
use switchboard_model::expr::fixed_now;

#[derive(Default)]
struct CallSlot {
    generation: u32,
    execution: Option<CallExecution>,
    call_id: u64,
    did: u32,
    arrived_at_ms: u64,
    flow_ms: u64,
    queue: Option<u32>,
    queued_at_ms: u64,
    wait_ms: u64,
    talk_ms: u64,
    wrapup_ms: u64,
    pending: Option<(DataActionOutcome, u64)>,
}

pub(crate) struct Simulator<'a, 's> {
    scenario: &'a Scenario,
    world: ScenarioWorld<'a>,
    rng: StdRng,
    events: EventQueue,
    now_ms: u64,
    calls: Vec<CallSlot>,
    free: Vec<u32>,
    acd: Acd,
    arrivals: Vec<ArrivalProcess>,
    did_numbers: Vec<Arc<str>>,
    queue_names: Vec<Arc<str>>,
    agents_per_queue: Vec<u32>,
    collector: Collector,
    sink: &'s mut dyn CallSink,
    next_call_id: u64,
    event_count: u64,
    duration_ms: u64,
    warmup_ms: u64,
    seed: u64,
    /// What callers do at menus and prompts; every call starts its own copy.
    callers: Arc<CallerSpec>,
    /// The controller hook, its interval and the tallies of the interval in progress.
    controller: Option<(&'s mut dyn IntervalController, u64)>,
    tallies: IntervalTallies,
}

fn minutes_to_ms(minutes: f64) -> u64 {
    (minutes * 60_000.0).round().max(0.0) as u64
}

impl<'a, 's> Simulator<'a, 's> {
    pub fn new(scenario: &'a Scenario, seed: u64, sink: &'s mut dyn CallSink) -> Simulator<'a, 's> {
        let spec = &scenario.spec;
        let mut acd = Acd::new(spec.queues.len());
        let mut agents_per_queue = vec![0u32; spec.queues.len()];
        for (count, queues) in &scenario.agent_groups {
            for _ in 0..*count {
                acd.add_agent(queues, 0);
            }
            for queue in queues {
                agents_per_queue[*queue as usize] += count;
            }
        }
        let interval_ms = minutes_to_ms(spec.interval_minutes).max(1);
        let service_level_ms = (spec.service_level_seconds * 1_000.0).round().max(0.0) as u64;
        Simulator {
            scenario,
            world: ScenarioWorld::new(scenario),
            rng: StdRng::seed_from_u64(seed),
            events: EventQueue::with_capacity(1024),
            now_ms: 0,
            calls: Vec::new(),
            free: Vec::new(),
            acd,
            arrivals: spec.dids.iter().map(|did| ArrivalProcess::new(did.calls_per_hour, did.curve.clone())).collect(),
            did_numbers: spec.dids.iter().map(|did| Arc::from(did.number.as_str())).collect(),
            queue_names: spec.queues.iter().map(|queue| Arc::from(queue.name.as_str())).collect(),
            agents_per_queue,
            collector: Collector::new(scenario, interval_ms, service_level_ms),
            sink,
            next_call_id: 0,
            event_count: 0,
            duration_ms: minutes_to_ms(spec.duration_minutes),
            warmup_ms: minutes_to_ms(spec.warmup_minutes),
            seed,
            callers: Arc::new(spec.callers.clone()),
            controller: None,
            tallies: IntervalTallies::default(),
        }
    }

    /// Calls `controller` every `interval_ms` (at least 1 ms) while arrivals last.
    pub fn with_controller(mut self, controller: &'s mut dyn IntervalController, interval_ms: u64) -> Self {
        self.controller = Some((controller, interval_ms.max(1)));
        self
    }

    /// Runs to the end; every 65,536 events `progress` hears the share of the day simulated
    /// (0.0–1.0, capped: calls still in progress after the last arrival finish past 1.0).
    pub fn run(mut self, progress: &mut dyn FnMut(f64)) -> SimulationReport {
        for did in 0..self.arrivals.len() {
            self.schedule_arrival(did as u32);
        }
        for (index, update) in self.scenario.spec.table_updates.iter().enumerate() {
            self.events.schedule(minutes_to_ms(update.at_minute), EventKind::TableUpdate { index: index as u32 });
        }
        if let Some((controller, interval_ms)) = self.controller.as_mut() {
            for write in controller.start() {
                self.world.update_row(&write.datatable, &write.key, &write.set);
            }
            self.tallies.end_ms = *interval_ms;
            self.events.schedule(*interval_ms, EventKind::ControlInterval);
        }
        while let Some(event) = self.events.pop() {
            self.now_ms = event.at_ms;
            self.event_count += 1;
            self.handle(event.kind);
            if self.event_count.is_multiple_of(65_536) {
                progress((self.now_ms as f64 / self.duration_ms.max(1) as f64).min(1.0));
            }
        }
        self.report()
    }

    fn handle(&mut self, kind: EventKind) {
        match kind {
            EventKind::Arrival { did } => {
                self.schedule_arrival(did);
                self.start_call(did);
            }
            EventKind::FlowResume { call, generation } => {
                if self.is_current(call, generation) {
                    self.advance(call);
                }
            }
            EventKind::DataActionDone { call, generation } => {
                if !self.is_current(call, generation) {
                    return;
                }
                let slot = &mut self.calls[call as usize];
                if let (Some((outcome, latency_ms)), Some(execution)) = (slot.pending.take(), slot.execution.as_mut()) {
                    execution.complete_data_action(outcome, latency_ms);
                }
                self.advance(call);
            }
            EventKind::PatienceExpired { call, generation } => {
                let Some(queue) = self.calls[call as usize].queue else { return };
                if self.is_current(call, generation) && self.acd.abandon(queue, CallRef { index: call, generation }) {
                    let wait_ms = self.now_ms - self.calls[call as usize].queued_at_ms;
                    if self.counted(call) {
                        self.collector.abandoned(queue, self.now_ms, wait_ms);
                    }
                    self.finish(call, CallOutcome::Abandoned { wait_ms });
                }
            }
            EventKind::HandleEnd { agent, call, generation } => {
                self.acd.finish_handle(agent);
                let slot = &self.calls[call as usize];
                let queue = slot.queue.filter(|_| slot.generation == generation).unwrap_or(0);
                let wrapup_ms = self.scenario.wrapup[queue as usize].sample_finite_ms(&mut self.rng);
                self.calls[call as usize].wrapup_ms = wrapup_ms;
                self.events.schedule(self.now_ms + wrapup_ms, EventKind::WrapUpEnd { agent, call, generation });
            }
            EventKind::WrapUpEnd { agent, call, generation } => {
                if self.is_current(call, generation) {
                    let slot = &self.calls[call as usize];
                    let (wait_ms, talk_ms, wrapup_ms) = (slot.wait_ms, slot.talk_ms, slot.wrapup_ms);
                    if let (Some(queue), true) = (slot.queue, self.counted(call)) {
                        self.collector.handled(queue, self.now_ms, talk_ms, wrapup_ms);
                    }
                    self.finish(call, CallOutcome::Answered { wait_ms, talk_ms, wrapup_ms, agent });
                }
                if let Some(next) = self.acd.finish_wrapup(agent, self.now_ms) {
                    self.answer(next.call.index, next.agent, next.waited_ms);
                }
            }
            EventKind::TableUpdate { index } => {
                if let Some(update) = self.scenario.spec.table_updates.get(index as usize) {
                    self.world.update_row(&update.datatable, &update.key, &update.set);
                }
            }
            EventKind::ControlInterval => self.control_interval(),
        }
    }

    fn control_interval(&mut self) {
        let Some((controller, interval_ms)) = self.controller.as_mut() else { return };
        let interval_ms = *interval_ms;
        let next = IntervalTallies { start_ms: self.now_ms, end_ms: self.now_ms + interval_ms, ..IntervalTallies::default() };
        let tallies = std::mem::replace(&mut self.tallies, next);
        for write in controller.on_interval(&tallies) {
            self.world.update_row(&write.datatable, &write.key, &write.set);
        }
        if self.now_ms + interval_ms <= self.duration_ms {
            self.events.schedule(self.now_ms + interval_ms, EventKind::ControlInterval);
        }
    }

    fn is_current(&self, call: u32, generation: u32) -> bool {
        self.calls.get(call as usize).is_some_and(|slot| slot.generation == generation && slot.execution.is_some())
    }

    fn counted(&self, call: u32) -> bool {
        self.calls[call as usize].arrived_at_ms >= self.warmup_ms
    }

    fn clock_origin_ms(&self) -> i64 {
        fixed_now().timestamp_millis().saturating_add(i64::try_from(self.now_ms).unwrap_or(i64::MAX))
    }

    fn schedule_arrival(&mut self, did: u32) {
        if let Some(at_ms) = self.arrivals[did as usize].next_after(self.now_ms, self.duration_ms, &mut self.rng) {
            self.events.schedule(at_ms, EventKind::Arrival { did });
        }
    }

    fn start_call(&mut self, did: u32) {
        let flow = self.scenario.flows[self.scenario.did_flows[did as usize]].clone();
        self.next_call_id += 1;
        let ani = format!("+1555{:07}", self.rng.random_range(0..10_000_000u32));
        let data = BTreeMap::from(switchboard_model::flow::call_start_variables(&ani, &self.did_numbers[did as usize]));
        let index = match self.free.pop() {
            Some(index) => index,
            None => {
                self.calls.push(CallSlot::default());
                (self.calls.len() - 1) as u32
            }
        };
        let clock_origin_ms = self.clock_origin_ms();
        let slot = &mut self.calls[index as usize];
        let generation = slot.generation;
        *slot = CallSlot {
            generation,
            // The simulated day starts at the expression language's fixed instant, so a call's
            // `GetCurrentDateTimeUtc()` is its arrival time on that day.
            execution: Some(CallExecution::new(flow, data).with_clock_origin_ms(clock_origin_ms).with_caller(Caller::new(self.callers.clone()))),
            call_id: self.next_call_id,
            did,
            arrived_at_ms: self.now_ms,
            ..CallSlot::default()
        };
        self.advance(index);
    }

    /// Steps the call's flow until it needs time, an integration, the ACD, or ends.
    fn advance(&mut self, call: u32) {
        loop {
            let slot = &mut self.calls[call as usize];
            let generation = slot.generation;
            let Some(execution) = slot.execution.as_mut() else { return };
            match execution.step(&self.world, &mut self.rng) {
                Effect::Play { ms } | Effect::Wait { ms } | Effect::Backoff { ms } => {
                    if ms > 0 {
                        self.events.schedule(self.now_ms + ms, EventKind::FlowResume { call, generation });
                        return;
                    }
                }
                Effect::CallDataAction { integration, timeout_ms, .. } => {
                    let (outcome, latency_ms) = self.model_data_action(&integration, timeout_ms);
                    self.calls[call as usize].pending = Some((outcome, latency_ms));
                    self.events.schedule(self.now_ms + latency_ms, EventKind::DataActionDone { call, generation });
                    return;
                }
                Effect::TransferToQueue { queue, priority } => match self.scenario.queue_refs.get(&queue) {
                    Some(&queue) => return self.enter_queue(call, queue, priority),
                    None => {
                        execution.reject_queue_transfer(&format!("no queue named '{queue}'"));
                    }
                },
                Effect::Disconnect { reason } => {
                    self.calls[call as usize].flow_ms = self.now_ms - self.calls[call as usize].arrived_at_ms;
                    return self.finish(call, CallOutcome::FlowDisconnect { reason });
                }
                Effect::TransferToVoicemail { target } => {
                    self.calls[call as usize].flow_ms = self.now_ms - self.calls[call as usize].arrived_at_ms;
                    return self.finish(call, CallOutcome::Voicemail { target: Arc::from(target.as_str()) });
                }
            }
        }
    }

    /// Decides an attempt's answer and latency from the integration's model.
    fn model_data_action(&mut self, integration: &str, timeout_ms: u64) -> (DataActionOutcome, u64) {
        let Some(&index) = self.scenario.integration_refs.get(integration) else {
            return (DataActionOutcome::Failure { status: Some(404), retry_after_ms: None }, 0);
        };
        let spec = &self.scenario.spec.integrations[index];
        let latency_ms = self.scenario.latency[index].sample_finite_ms(&mut self.rng);
        if latency_ms >= timeout_ms {
            return (DataActionOutcome::Timeout, timeout_ms);
        }
        let draw: f64 = self.rng.random();
        let outcome = if draw < spec.rate_limit_probability {
            DataActionOutcome::Failure { status: Some(429), retry_after_ms: Some(spec.retry_after_ms) }
        } else if draw < spec.rate_limit_probability + spec.failure_probability {
            DataActionOutcome::Failure { status: Some(spec.failure_status), retry_after_ms: None }
        } else {
            DataActionOutcome::Success { outputs: spec.outputs.clone() }
        };
        (outcome, latency_ms)
    }

    fn enter_queue(&mut self, call: u32, queue: u32, priority: i32) {
        let now_ms = self.now_ms;
        let slot = &mut self.calls[call as usize];
        slot.queue = Some(queue);
        slot.queued_at_ms = now_ms;
        slot.flow_ms = now_ms - slot.arrived_at_ms;
        let generation = slot.generation;
        if self.counted(call) {
            self.collector.offered(queue, now_ms);
        }
        match self.acd.enqueue(queue, CallRef { index: call, generation }, priority, now_ms) {
            Placement::Answered { agent } => self.answer(call, agent, 0),
            Placement::Waiting => {
                if let Some(patience_ms) = self.scenario.patience[queue as usize].sample_ms(&mut self.rng) {
                    self.events.schedule(now_ms + patience_ms, EventKind::PatienceExpired { call, generation });
                }
            }
        }
    }

    fn answer(&mut self, call: u32, agent: u32, wait_ms: u64) {
        let slot = &self.calls[call as usize];
        let (generation, queue) = (slot.generation, slot.queue.unwrap_or(0));
        let talk_ms = self.scenario.handle[queue as usize].sample_finite_ms(&mut self.rng);
        let slot = &mut self.calls[call as usize];
        slot.wait_ms = wait_ms;
        slot.talk_ms = talk_ms;
        if self.counted(call) {
            self.collector.answered(queue, self.now_ms, wait_ms);
        }
        self.events.schedule(self.now_ms + talk_ms, EventKind::HandleEnd { agent, call, generation });
    }

    fn finish(&mut self, call: u32, outcome: CallOutcome) {
        let counted = self.counted(call);
        let slot = &mut self.calls[call as usize];
        let Some(mut execution) = slot.execution.take() else { return };
        let record = CallRecord {
            call_id: slot.call_id,
            did: self.did_numbers[slot.did as usize].clone(),
            arrived_at_ms: slot.arrived_at_ms,
            ended_at_ms: self.now_ms,
            flow_ms: slot.flow_ms,
            queue: slot.queue.map(|queue| self.queue_names[queue as usize].clone()),
            queued_at_ms: slot.queue.map(|_| slot.queued_at_ms),
            outcome,
            path: execution.take_path(),
            participant_data: execution.take_participant_data(),
            in_warmup: !counted,
        };
        slot.generation = slot.generation.wrapping_add(1);
        slot.pending = None;
        self.free.push(call);
        if counted {
            self.collector.call_finished(self.scenario, &record);
        }
        if self.controller.is_some() {
            self.tallies.add(&record);
        }
        self.sink.on_call_finished(&record);
    }

    fn report(&self) -> SimulationReport {
        let spec = &self.scenario.spec;
        SimulationReport {
            scenario: spec.name.clone(),
            seed: self.seed,
            duration_ms: self.duration_ms,
            warmup_ms: self.warmup_ms,
            interval_ms: minutes_to_ms(spec.interval_minutes).max(1),
            service_level_ms: (spec.service_level_seconds * 1_000.0).round().max(0.0) as u64,
            ended_at_ms: self.now_ms,
            calls: self.next_call_id,
            events: self.event_count,
            totals: self.collector.totals(),
            queues: self.collector.queue_reports(self.scenario, &self.agents_per_queue),
            flows: self.collector.flow_reports(),
            flow_versions: self.collector.flow_version_reports(self.scenario),
            integrations: self.collector.integration_reports(self.scenario),
        }
    }
}
