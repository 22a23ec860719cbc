//! One effect as a task: wait for a concurrency permit, perform it with retries and full-jitter
//! backoff, record it done (its key stays as the idempotency key) and count the outcome. An effect
//! still failing after its attempts stays pending for the engine's next sweep. The effect's key
//! leaves the in-flight set however the task ends (a panic included), so the sweep retries it.

use crate::backoff::Backoff;
use crate::crm::CrmClient;
use crate::effects::perform;
use crate::metrics::Metrics;
use crate::store::{EffectKind, StateStore, WorkItem, now_ms};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use switchboard_platform::Platform;
use tokio::sync::Semaphore;

/// Attempts of one effect before it is left for the next sweep.
const EFFECT_ATTEMPTS: u32 = 5;

/// What one effect task needs.
pub(crate) struct Worker {
    pub(crate) platform: Arc<dyn Platform>,
    pub(crate) crm: Arc<CrmClient>,
    pub(crate) store: Arc<dyn StateStore>,
    pub(crate) metrics: Arc<Metrics>,
    pub(crate) in_flight: Arc<Mutex<HashSet<String>>>,
    pub(crate) semaphore: Arc<Semaphore>,
    pub(crate) backoff: Backoff,
    /// Seeded by the engine's generator, itself seeded from the configuration.
    pub(crate) rng: rand::rngs::StdRng,
}

/// Takes the key out of the in-flight set when dropped: at the end of the task, or while a panic
/// unwinds it (otherwise the key would stay "in flight" and the sweep would never retry it).
struct InFlight {
    set: Arc<Mutex<HashSet<String>>>,
    key: String,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.set
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&self.key);
    }
}

impl Worker {
    pub(crate) async fn run(mut self, item: WorkItem) {
        let _in_flight = InFlight {
            set: self.in_flight.clone(),
            key: item.key.clone(),
        };
        let kind = match item.kind {
            EffectKind::ScreenPop => "screen_pop",
            EffectKind::Activity => "activity",
        };
        if let Ok(_permit) = self.semaphore.acquire().await {
            for attempt in 0..EFFECT_ATTEMPTS {
                match perform(&item, self.platform.as_ref(), &self.crm).await {
                    Ok(outcome) => {
                        match self
                            .store
                            .complete(item.key.clone(), outcome.to_string())
                            .await
                        {
                            Ok(()) => {
                                self.metrics.effect(kind, outcome);
                                if item.kind == EffectKind::ScreenPop
                                    && outcome.starts_with("written")
                                    && item.arrived_ms > 0
                                {
                                    self.metrics.pop_latency.observe(
                                        (now_ms() - item.arrived_ms).max(0) as f64 / 1000.0,
                                    );
                                }
                            }
                            Err(error) => {
                                tracing::warn!(key = %item.key, "effect done but not recorded (it will repeat, harmlessly): {error}")
                            }
                        }
                        break;
                    }
                    Err(error) if error.is_retryable() && attempt + 1 < EFFECT_ATTEMPTS => {
                        self.metrics.effect_retries.inc();
                        tokio::time::sleep(self.backoff.delay(attempt, &mut self.rng)).await;
                    }
                    Err(error) if error.is_retryable() => {
                        self.metrics.effect_retries.inc();
                        tracing::warn!(key = %item.key, "effect still failing; left for the next sweep: {error}");
                    }
                    Err(error) => {
                        tracing::warn!(key = %item.key, "effect failed for good: {error}");
                        self.metrics.effect(kind, "failed");
                        let _ = self
                            .store
                            .complete(item.key.clone(), "failed".to_string())
                            .await;
                        break;
                    }
                }
            }
        }
    }
}
