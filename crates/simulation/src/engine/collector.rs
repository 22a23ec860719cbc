//! Accumulates metrics while the engine runs: queue figures and intervals as events happen, flow,
//! version and integration figures when each call finishes.

use super::record::{CallOutcome, CallRecord};
use crate::metrics::{
    FlowReport, FlowVersionReport, IntegrationReport, IntegrationTally, IntervalTally, Metrics, QueueReport, Tally,
};
use crate::runtime::AttemptOutcome;
use crate::scenario::Scenario;

pub(crate) struct Collector {
    interval_ms: u64,
    service_level_ms: u64,
    queues: Vec<Tally>,
    intervals: Vec<Vec<IntervalTally>>,
    /// Distinct flow names in scenario order, and each scenario flow's position among them.
    flow_names: Vec<String>,
    name_of_flow: Vec<usize>,
    by_name: Vec<Tally>,
    by_version: Vec<Tally>,
    integrations: Vec<IntegrationTally>,
    calls_counted: u64,
    flow_disconnects: u64,
    voicemails: u64,
    data_action_attempts: u64,
    data_action_failures: u64,
    /// Scratch buffers reused per call to avoid allocating while attributing.
    seen_versions: Vec<usize>,
    seen_names: Vec<usize>,
}

impl Collector {
    pub fn new(scenario: &Scenario, interval_ms: u64, service_level_ms: u64) -> Collector {
        let mut flow_names: Vec<String> = Vec::new();
        let mut name_of_flow = Vec::new();
        for flow in scenario.flows() {
            let position = match flow_names.iter().position(|name| **name == *flow.name) {
                Some(position) => position,
                None => {
                    flow_names.push(flow.name.to_string());
                    flow_names.len() - 1
                }
            };
            name_of_flow.push(position);
        }
        Collector {
            interval_ms: interval_ms.max(1),
            service_level_ms,
            queues: vec![Tally::default(); scenario.spec.queues.len()],
            intervals: vec![Vec::new(); scenario.spec.queues.len()],
            by_name: vec![Tally::default(); flow_names.len()],
            flow_names,
            name_of_flow,
            by_version: vec![Tally::default(); scenario.flows().len()],
            integrations: vec![IntegrationTally::default(); scenario.spec.integrations.len()],
            calls_counted: 0,
            flow_disconnects: 0,
            voicemails: 0,
            data_action_attempts: 0,
            data_action_failures: 0,
            seen_versions: Vec::new(),
            seen_names: Vec::new(),
        }
    }

    fn interval(&mut self, queue: u32, at_ms: u64) -> &mut IntervalTally {
        let buckets = &mut self.intervals[queue as usize];
        let index = (at_ms / self.interval_ms) as usize;
        while buckets.len() <= index {
            let start_ms = buckets.len() as u64 * self.interval_ms;
            buckets.push(IntervalTally { start_ms, ..IntervalTally::default() });
        }
        &mut buckets[index]
    }

    pub fn offered(&mut self, queue: u32, at_ms: u64) {
        let tally = &mut self.queues[queue as usize];
        tally.entered += 1;
        tally.offered += 1;
        self.interval(queue, at_ms).offered += 1;
    }

    pub fn answered(&mut self, queue: u32, at_ms: u64, wait_ms: u64) {
        let within = u64::from(wait_ms <= self.service_level_ms);
        let tally = &mut self.queues[queue as usize];
        tally.answered += 1;
        tally.answered_within_service_level += within;
        tally.answered_wait_ms_sum += wait_ms;
        tally.max_wait_ms = tally.max_wait_ms.max(wait_ms);
        let bucket = self.interval(queue, at_ms);
        bucket.answered += 1;
        bucket.answered_within_service_level += within;
        bucket.answered_wait_ms_sum += wait_ms;
    }

    pub fn abandoned(&mut self, queue: u32, at_ms: u64, wait_ms: u64) {
        let tally = &mut self.queues[queue as usize];
        tally.abandoned += 1;
        tally.abandoned_wait_ms_sum += wait_ms;
        tally.max_wait_ms = tally.max_wait_ms.max(wait_ms);
        let bucket = self.interval(queue, at_ms);
        bucket.abandoned += 1;
        bucket.abandoned_wait_ms_sum += wait_ms;
    }

    pub fn handled(&mut self, queue: u32, at_ms: u64, talk_ms: u64, wrapup_ms: u64) {
        let tally = &mut self.queues[queue as usize];
        tally.talk_ms_sum += talk_ms;
        tally.handle_ms_sum += talk_ms + wrapup_ms;
        let bucket = self.interval(queue, at_ms);
        bucket.handled += 1;
        bucket.handle_ms_sum += talk_ms + wrapup_ms;
    }

    /// Flow, version and integration figures of a finished (counted) call.
    pub fn call_finished(&mut self, scenario: &Scenario, record: &CallRecord) {
        self.calls_counted += 1;
        let mut call = Tally { entered: 1, ..Tally::default() };
        match &record.outcome {
            CallOutcome::FlowDisconnect { .. } => {
                call.flow_disconnects = 1;
                self.flow_disconnects += 1;
            }
            CallOutcome::Voicemail { .. } => {
                call.voicemails = 1;
                self.voicemails += 1;
            }
            CallOutcome::Abandoned { wait_ms } => {
                call.offered = 1;
                call.abandoned = 1;
                call.abandoned_wait_ms_sum = *wait_ms;
                call.max_wait_ms = *wait_ms;
            }
            CallOutcome::Answered { wait_ms, talk_ms, wrapup_ms, .. } => {
                call.offered = 1;
                call.answered = 1;
                call.answered_within_service_level = u64::from(*wait_ms <= self.service_level_ms);
                call.answered_wait_ms_sum = *wait_ms;
                call.max_wait_ms = *wait_ms;
                call.talk_ms_sum = *talk_ms;
                call.handle_ms_sum = talk_ms + wrapup_ms;
            }
        }
        self.seen_versions.clear();
        self.seen_names.clear();
        // Consecutive visits are usually in the same flow: compare the shared id pointer before hashing.
        let mut last: Option<(&std::sync::Arc<str>, usize)> = None;
        for visit in &record.path.visits {
            let flow = match last {
                Some((id, flow)) if std::sync::Arc::ptr_eq(id, &visit.flow_id) => flow,
                _ => {
                    let Some(&flow) = scenario.flow_refs.get(&*visit.flow_id) else { continue };
                    last = Some((&visit.flow_id, flow));
                    flow
                }
            };
            if !self.seen_versions.contains(&flow) {
                self.seen_versions.push(flow);
            }
            let name = self.name_of_flow[flow];
            if !self.seen_names.contains(&name) {
                self.seen_names.push(name);
            }
        }
        for &flow in &self.seen_versions {
            self.by_version[flow].add(&call);
        }
        for &name in &self.seen_names {
            self.by_name[name].add(&call);
        }
        for attempt in &record.path.data_actions {
            let failed = attempt.outcome != AttemptOutcome::Success;
            self.data_action_attempts += 1;
            self.data_action_failures += u64::from(failed);
            if let Some(&flow) = scenario.flow_refs.get(&*attempt.flow_id) {
                self.by_version[flow].data_action_attempts += 1;
                self.by_version[flow].data_action_failures += u64::from(failed);
                let name = self.name_of_flow[flow];
                self.by_name[name].data_action_attempts += 1;
                self.by_name[name].data_action_failures += u64::from(failed);
            }
            if let Some(&integration) = scenario.integration_refs.get(&*attempt.integration) {
                let tally = &mut self.integrations[integration];
                tally.attempts += 1;
                tally.latency_ms_sum += attempt.latency_ms;
                match attempt.outcome {
                    AttemptOutcome::Success => tally.successes += 1,
                    AttemptOutcome::Timeout => tally.timeouts += 1,
                    AttemptOutcome::Failure { status } => {
                        tally.failures += 1;
                        tally.rate_limited += u64::from(status == Some(429));
                    }
                }
            }
        }
    }

    pub fn totals(&self) -> Metrics {
        let mut totals = Tally::default();
        for queue in &self.queues {
            totals.add(queue);
        }
        totals.entered = self.calls_counted;
        totals.flow_disconnects = self.flow_disconnects;
        totals.voicemails = self.voicemails;
        totals.data_action_attempts = self.data_action_attempts;
        totals.data_action_failures = self.data_action_failures;
        totals.metrics()
    }

    pub fn queue_reports(&self, scenario: &Scenario, agents_per_queue: &[u32]) -> Vec<QueueReport> {
        scenario
            .spec
            .queues
            .iter()
            .enumerate()
            .map(|(index, queue)| QueueReport {
                name: queue.name.clone(),
                id: queue.id.clone().unwrap_or_else(|| queue.name.clone()),
                agents: agents_per_queue.get(index).copied().unwrap_or(0),
                metrics: self.queues[index].metrics(),
                intervals: self.intervals[index].clone(),
            })
            .collect()
    }

    pub fn flow_reports(&self) -> Vec<FlowReport> {
        self.flow_names
            .iter()
            .zip(&self.by_name)
            .map(|(name, tally)| FlowReport { name: name.clone(), metrics: tally.metrics() })
            .collect()
    }

    pub fn flow_version_reports(&self, scenario: &Scenario) -> Vec<FlowVersionReport> {
        scenario
            .flows()
            .iter()
            .zip(&self.by_version)
            .map(|(flow, tally)| FlowVersionReport {
                id: flow.id.to_string(),
                name: flow.name.to_string(),
                version: flow.version.to_string(),
                metrics: tally.metrics(),
            })
            .collect()
    }

    pub fn integration_reports(&self, scenario: &Scenario) -> Vec<IntegrationReport> {
        scenario
            .spec
            .integrations
            .iter()
            .zip(&self.integrations)
            .map(|(integration, tally)| IntegrationReport { name: integration.name.clone(), tally: *tally })
            .collect()
    }
}
