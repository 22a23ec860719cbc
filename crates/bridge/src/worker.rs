//! One effect as a task: wait for a concurrency permit, perform it with retries and full-jitter
//! backoff, record it done (its key stays as the idempotency key) and count the outcome. An effect
//! still failing after its attempts stays pending for the engine's next sweep.

use crate::backoff::Backoff;
use crate::crm::CrmClient;
use crate::effects::perform;
use crate::metrics::Metrics;
use crate::store::{EffectKind, StateStore, WorkItem, now_ms};
use rand::SeedableRng;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use switchboard_platform::OrgClient;
use tokio::sync::Semaphore;

/// Attempts of one effect before it is left for the next sweep.
const EFFECT_ATTEMPTS: u32 = 5;

/// What one effect task needs.
pub(crate) struct Worker {
    pub(crate) platform: OrgClient,
    pub(crate) crm: Arc<CrmClient>,
    pub(crate) store: Arc<dyn StateStore>,
    pub(crate) metrics: Arc<Metrics>,
    pub(crate) in_flight: Arc<Mutex<HashSet<String>>>,
    pub(crate) semaphore: Arc<Semaphore>,
    pub(crate) backoff: Backoff,
}

impl Worker {
    pub(crate) async fn run(self, item: WorkItem) {
        let kind = match item.kind {
            EffectKind::ScreenPop => "screen_pop",
            EffectKind::Activity => "activity",
        };
        if let Ok(_permit) = self.semaphore.acquire().await {
            let mut rng = rand::rngs::StdRng::from_os_rng();
            for attempt in 0..EFFECT_ATTEMPTS {
                match perform(&item, &self.platform, &self.crm).await {
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
                        tokio::time::sleep(self.backoff.delay(attempt, &mut rng)).await;
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
        self.in_flight
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&item.key);
    }
}
