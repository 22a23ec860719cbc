//! The bridge's Prometheus metrics (`/metrics`). Labels carry kinds and outcomes, never ids,
//! numbers or secrets.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct EffectLabels {
    pub kind: String,
    pub outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct TaskLabels {
    /// `engine` (the lease loop and sessions), `crm_tls_reload` or `effect` (one effect's task).
    pub task: String,
}

pub struct Metrics {
    registry: Registry,
    pub events: Counter,
    pub effects: Family<EffectLabels, Counter>,
    pub effect_retries: Counter,
    pub reconciliations: Counter,
    pub reconnects: Counter,
    pub gaps: Counter,
    pub done_pruned: Counter,
    pub pending: Gauge,
    pub active: Gauge,
    pub pop_latency: Histogram,
    pub task_failures: Family<TaskLabels, Counter>,
    pub engine_up: Gauge,
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("switchboard_bridge");
        let metrics = Metrics {
            events: Counter::default(),
            effects: Family::default(),
            effect_retries: Counter::default(),
            reconciliations: Counter::default(),
            reconnects: Counter::default(),
            gaps: Counter::default(),
            done_pruned: Counter::default(),
            pending: Gauge::default(),
            active: Gauge::default(),
            pop_latency: Histogram::new([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,]),
            task_failures: Family::default(),
            engine_up: Gauge::default(),
            registry: Registry::default(),
        };
        registry.register(
            "done_keys_pruned",
            "Idempotency keys of finished work removed after the retention window",
            metrics.done_pruned.clone(),
        );
        registry.register(
            "events",
            "Conversation events received on the notification channel",
            metrics.events.clone(),
        );
        registry.register(
            "effects",
            "Effects finished, by kind and outcome",
            metrics.effects.clone(),
        );
        registry.register(
            "effect_retries",
            "Effect attempts retried after an upstream failure",
            metrics.effect_retries.clone(),
        );
        registry.register(
            "reconciliations",
            "REST reconciliations of the served queues",
            metrics.reconciliations.clone(),
        );
        registry.register(
            "reconnects",
            "Notification channel reconnects",
            metrics.reconnects.clone(),
        );
        registry.register(
            "gaps",
            "Replay gaps announced by the channel",
            metrics.gaps.clone(),
        );
        registry.register(
            "pending_effects",
            "Effects recorded and not yet done",
            metrics.pending.clone(),
        );
        registry.register(
            "active",
            "1 while this instance holds the processing lease",
            metrics.active.clone(),
        );
        registry.register(
            "pop_latency_seconds",
            "Call arrival in the queue to screen-pop attributes written",
            metrics.pop_latency.clone(),
        );
        // Both series exist from the start, so a dashboard sees 0 rather than nothing.
        for task in ["engine", "crm_tls_reload", "effect"] {
            let _ = metrics.task_failures.get_or_create(&TaskLabels {
                task: task.to_string(),
            });
        }
        registry.register(
            "task_failures",
            "Tasks that panicked or ended on their own, by task",
            metrics.task_failures.clone(),
        );
        registry.register(
            "engine_up",
            "1 while the engine (lease loop and sessions) runs",
            metrics.engine_up.clone(),
        );
        Metrics {
            registry,
            ..metrics
        }
    }

    pub fn effect(&self, kind: &str, outcome: &str) {
        self.effects
            .get_or_create(&EffectLabels {
                kind: kind.to_string(),
                outcome: outcome.to_string(),
            })
            .inc();
    }

    pub fn effect_count(&self, kind: &str, outcome: &str) -> u64 {
        self.effects
            .get_or_create(&EffectLabels {
                kind: kind.to_string(),
                outcome: outcome.to_string(),
            })
            .get()
    }

    pub fn task_failed(&self, task: &str) {
        self.task_failures
            .get_or_create(&TaskLabels {
                task: task.to_string(),
            })
            .inc();
    }

    pub fn task_failure_count(&self, task: &str) -> u64 {
        self.task_failures
            .get_or_create(&TaskLabels {
                task: task.to_string(),
            })
            .get()
    }

    /// The text exposition format.
    pub fn encode(&self) -> String {
        let mut text = String::new();
        if prometheus_client::encoding::text::encode(&mut text, &self.registry).is_err() {
            text.clear();
        }
        text
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}
