//! Metrics of a run: per queue, per flow, per flow version, per integration, and per interval.
//!
//! Counts and timer sums are kept raw ([`Tally`]) and ratios derived at report time
//! ([`Metrics`]), so totals add up exactly and any grouping can be re-derived from call records.
//! Interval buckets post each timer to the interval in which it finishes, as the platform's
//! analytics do: `nOffered` when the call enters the queue, `tAnswered` when it is answered,
//! `tAbandon` when the caller hangs up, `tHandle` when wrap-up ends.

use serde::Serialize;

/// Raw counts and timer sums (milliseconds).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Calls that entered (flows) — for queues, equal to `offered`.
    pub entered: u64,
    /// Calls placed on a queue.
    pub offered: u64,
    pub answered: u64,
    pub abandoned: u64,
    /// Calls that ended in a flow without reaching a queue.
    pub flow_disconnects: u64,
    /// Calls that ended in a voicemail box from a flow.
    pub voicemails: u64,
    pub answered_within_service_level: u64,
    pub answered_wait_ms_sum: u64,
    pub abandoned_wait_ms_sum: u64,
    pub max_wait_ms: u64,
    pub talk_ms_sum: u64,
    /// Talk plus wrap-up of answered calls (the platform's tHandle).
    pub handle_ms_sum: u64,
    pub data_action_attempts: u64,
    pub data_action_failures: u64,
}

impl Tally {
    pub fn add(&mut self, other: &Tally) {
        self.entered += other.entered;
        self.offered += other.offered;
        self.answered += other.answered;
        self.abandoned += other.abandoned;
        self.flow_disconnects += other.flow_disconnects;
        self.voicemails += other.voicemails;
        self.answered_within_service_level += other.answered_within_service_level;
        self.answered_wait_ms_sum += other.answered_wait_ms_sum;
        self.abandoned_wait_ms_sum += other.abandoned_wait_ms_sum;
        self.max_wait_ms = self.max_wait_ms.max(other.max_wait_ms);
        self.talk_ms_sum += other.talk_ms_sum;
        self.handle_ms_sum += other.handle_ms_sum;
        self.data_action_attempts += other.data_action_attempts;
        self.data_action_failures += other.data_action_failures;
    }

    pub fn metrics(&self) -> Metrics {
        let ratio = |numerator: u64, denominator: u64| {
            if denominator == 0 { None } else { Some(numerator as f64 / denominator as f64) }
        };
        Metrics {
            tally: *self,
            abandonment_rate: ratio(self.abandoned, self.offered),
            asa_ms: ratio(self.answered_wait_ms_sum, self.answered),
            mean_wait_ms: ratio(self.answered_wait_ms_sum + self.abandoned_wait_ms_sum, self.answered + self.abandoned),
            service_level: ratio(self.answered_within_service_level, self.answered + self.abandoned),
            aht_ms: ratio(self.handle_ms_sum, self.answered),
            data_action_failure_rate: ratio(self.data_action_failures, self.data_action_attempts),
        }
    }
}

/// A tally with its derived ratios. `None` where the denominator is zero.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Metrics {
    #[serde(flatten)]
    pub tally: Tally,
    /// abandoned / offered.
    pub abandonment_rate: Option<f64>,
    /// Average speed of answer: wait of answered calls / answered.
    pub asa_ms: Option<f64>,
    /// Wait of every call that left the queue (answered or abandoned), as queueing theory counts it.
    pub mean_wait_ms: Option<f64>,
    /// Answered within the threshold / (answered + abandoned).
    pub service_level: Option<f64>,
    /// Average handle time: (talk + wrap-up) / answered.
    pub aht_ms: Option<f64>,
    pub data_action_failure_rate: Option<f64>,
}

/// One interval of a queue, timers posted where they finish.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct IntervalTally {
    pub start_ms: u64,
    pub offered: u64,
    pub answered: u64,
    pub abandoned: u64,
    pub answered_within_service_level: u64,
    pub answered_wait_ms_sum: u64,
    pub abandoned_wait_ms_sum: u64,
    pub handled: u64,
    pub handle_ms_sum: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueueReport {
    pub name: String,
    pub id: String,
    pub agents: u32,
    pub metrics: Metrics,
    pub intervals: Vec<IntervalTally>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlowReport {
    pub name: String,
    pub metrics: Metrics,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlowVersionReport {
    pub id: String,
    pub name: String,
    pub version: String,
    pub metrics: Metrics,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct IntegrationTally {
    pub attempts: u64,
    pub successes: u64,
    pub failures: u64,
    pub timeouts: u64,
    pub rate_limited: u64,
    pub latency_ms_sum: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IntegrationReport {
    pub name: String,
    #[serde(flatten)]
    pub tally: IntegrationTally,
}

/// Everything a run measured. Ordered as the scenario lists things, so equal runs serialize equally.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimulationReport {
    pub scenario: String,
    pub seed: u64,
    pub duration_ms: u64,
    pub warmup_ms: u64,
    pub interval_ms: u64,
    pub service_level_ms: u64,
    /// Virtual time when the last call finished.
    pub ended_at_ms: u64,
    /// Calls simulated, warm-up included.
    pub calls: u64,
    pub events: u64,
    /// Totals over queues (queue figures) and calls (flow disconnects).
    pub totals: Metrics,
    pub queues: Vec<QueueReport>,
    pub flows: Vec<FlowReport>,
    pub flow_versions: Vec<FlowVersionReport>,
    pub integrations: Vec<IntegrationReport>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_come_from_the_raw_sums() {
        let tally = Tally {
            offered: 10,
            answered: 8,
            abandoned: 2,
            answered_within_service_level: 6,
            answered_wait_ms_sum: 8_000,
            abandoned_wait_ms_sum: 12_000,
            handle_ms_sum: 1_600_000,
            ..Tally::default()
        };
        let metrics = tally.metrics();
        assert_eq!(metrics.abandonment_rate, Some(0.2));
        assert_eq!(metrics.asa_ms, Some(1_000.0));
        assert_eq!(metrics.mean_wait_ms, Some(2_000.0));
        assert_eq!(metrics.service_level, Some(0.6));
        assert_eq!(metrics.aht_ms, Some(200_000.0));
        assert_eq!(Tally::default().metrics().asa_ms, None);
    }
}
