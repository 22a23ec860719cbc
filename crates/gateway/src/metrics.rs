//! The gateway's Prometheus metrics and the same figures as a plain snapshot (`GatewayStats`)
//! for tests, the demo and the load generator.

use crate::close::CloseReason;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use serde::Serialize;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReasonLabel {
    pub reason: &'static str,
}

pub struct Metrics {
    registry: Registry,
    pub sessions: Gauge,
    pub upstream_channels: Gauge,
    pub upstream_topics: Gauge,
    pub session_subscriptions: Gauge,
    pub queued_frames: Gauge,
    pub queued_bytes: Gauge,
    pub delivered: Counter,
    pub conflated: Counter,
    pub dropped: Counter,
    pub upstream_events: Counter,
    pub upstream_reconnects: Counter,
    pub gaps: Counter,
    pub closed: Family<ReasonLabel, Counter>,
    pub delivery_latency: Histogram,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("gateway");
        let metrics = Metrics {
            sessions: Gauge::default(),
            upstream_channels: Gauge::default(),
            upstream_topics: Gauge::default(),
            session_subscriptions: Gauge::default(),
            queued_frames: Gauge::default(),
            queued_bytes: Gauge::default(),
            delivered: Counter::default(),
            conflated: Counter::default(),
            dropped: Counter::default(),
            upstream_events: Counter::default(),
            upstream_reconnects: Counter::default(),
            gaps: Counter::default(),
            closed: Family::default(),
            // 50 µs .. ~3 s.
            delivery_latency: Histogram::new(exponential_buckets(0.000_05, 2.0, 16)),
            registry: Registry::default(),
        };
        registry.register("sessions", "Open agent sessions", metrics.sessions.clone());
        registry.register("upstream_channels", "Open upstream notification channels", metrics.upstream_channels.clone());
        registry.register("upstream_subscriptions", "Distinct topics subscribed upstream", metrics.upstream_topics.clone());
        registry.register("session_subscriptions", "Topic subscriptions of all sessions", metrics.session_subscriptions.clone());
        registry.register("queued_frames", "Frames queued for all sessions", metrics.queued_frames.clone());
        registry.register("queued_bytes", "Bytes queued for all sessions", metrics.queued_bytes.clone());
        registry.register("frames_delivered", "Frames written to sessions", metrics.delivered.clone());
        registry.register("frames_conflated", "State frames replaced by a newer one in a slow session's queue", metrics.conflated.clone());
        registry.register("frames_dropped", "Frames refused by a full queue (the session is closed)", metrics.dropped.clone());
        registry.register("upstream_events", "Events received from upstream channels", metrics.upstream_events.clone());
        registry.register("upstream_reconnects", "Upstream channel reconnections", metrics.upstream_reconnects.clone());
        registry.register("gaps", "Gap notices sent to sessions", metrics.gaps.clone());
        registry.register("sessions_closed", "Sessions closed, by reason", metrics.closed.clone());
        registry.register("delivery_latency_seconds", "Upstream receipt to downstream write", metrics.delivery_latency.clone());
        Metrics { registry, ..metrics }
    }
}

impl Metrics {
    pub fn closed(&self, reason: CloseReason) {
        self.closed.get_or_create(&ReasonLabel { reason: reason.label() }).inc();
    }

    pub fn encode(&self) -> String {
        switchboard_service::health::encode(&self.registry)
    }

    /// What `/metrics` serves (see `admin`).
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    pub fn stats(&self) -> GatewayStats {
        let count = |gauge: &Gauge| u64::try_from(gauge.get()).unwrap_or(0);
        GatewayStats {
            sessions: count(&self.sessions),
            upstream_channels: count(&self.upstream_channels),
            upstream_topics: count(&self.upstream_topics),
            session_subscriptions: count(&self.session_subscriptions),
            queued_frames: count(&self.queued_frames),
            delivered: self.delivered.get(),
            conflated: self.conflated.get(),
            dropped: self.dropped.get(),
            upstream_events: self.upstream_events.get(),
            upstream_reconnects: self.upstream_reconnects.get(),
            gaps: self.gaps.get(),
        }
    }
}

/// A point-in-time copy of the main figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GatewayStats {
    pub sessions: u64,
    pub upstream_channels: u64,
    pub upstream_topics: u64,
    pub session_subscriptions: u64,
    pub queued_frames: u64,
    pub delivered: u64,
    pub conflated: u64,
    pub dropped: u64,
    pub upstream_events: u64,
    pub upstream_reconnects: u64,
    pub gaps: u64,
}
