//! The engine's outer loop: resolve the served queues (which proves the token), then either hold
//! the lease and run sessions, or stand by and check again every third of its lifetime; the
//! queues are resolved again after every session and every `PLATFORM_CHECK_INTERVAL`, so
//! readiness follows the platform. On stop: drain in-flight effects and release the lease.

use crate::engine::{Engine, PLATFORM_CHECK_INTERVAL, SessionEnd};
use crate::error::BridgeError;
use crate::queues;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::time::Instant;

impl Engine {
    fn stopping(&self) -> bool {
        *self.stopped.borrow()
    }

    /// Sleeps, or returns `true` early when stopping.
    async fn pause(&mut self, duration: Duration) -> bool {
        let mut stopped = self.stopped.clone();
        let woke_by_stop = tokio::select! {
            _ = tokio::time::sleep(duration) => false,
            _ = async { stopped.wait_for(|stop| *stop).await.map(|_| ()) } => true,
        };
        woke_by_stop || self.stopping()
    }

    fn set_active(&self, active: bool) {
        self.status.active.store(active, Ordering::Relaxed);
        self.metrics.active.set(i64::from(active));
    }

    /// Resolves `BRIDGE_QUEUES`. Until it succeeds the bridge is not ready and says why: a
    /// misspelt queue must not look healthy while it retries for ever.
    async fn prepare(&mut self) -> Result<(), BridgeError> {
        match queues::resolve(self.platform.as_ref(), &self.config.queues).await {
            Ok(resolved) => {
                self.queues = resolved;
                self.status.queues_resolved.store(true, Ordering::Relaxed);
                self.status.set_problem(None);
                Ok(())
            }
            Err(error) => {
                if matches!(error, BridgeError::UnknownQueue(_)) {
                    self.status.queues_resolved.store(false, Ordering::Relaxed);
                }
                self.status.set_problem(Some(error.to_string()));
                Err(error)
            }
        }
    }

    pub(crate) async fn run(mut self) -> Result<(), BridgeError> {
        let mut attempt = 0u32;
        let mut checked: Option<Instant> = None;
        while !self.stopping() {
            let due = checked.is_none_or(|at| at.elapsed() >= PLATFORM_CHECK_INTERVAL);
            if due || !self.status.queues_resolved.load(Ordering::Relaxed) {
                if let Err(error) = self.prepare().await {
                    // The platform may be starting too, or the queue not created yet: retried.
                    tracing::warn!("resolving the served queues failed, retrying: {error}");
                    self.set_active(false);
                    let delay = self.backoff.delay(attempt, &mut self.rng);
                    attempt = attempt.saturating_add(1);
                    if self.pause(delay).await {
                        break;
                    }
                    continue;
                }
                checked = Some(Instant::now());
            }
            match self
                .store
                .lease(self.config.instance_id.clone(), self.config.lease_ttl)
                .await
            {
                Ok(true) => {}
                Ok(false) => {
                    self.set_active(false);
                    if self.pause(self.config.lease_ttl / 3).await {
                        break;
                    }
                    continue;
                }
                Err(error) => {
                    tracing::warn!("lease check failed: {error}");
                    let delay = self.backoff.delay(attempt, &mut self.rng);
                    attempt = attempt.saturating_add(1);
                    if self.pause(delay).await {
                        break;
                    }
                    continue;
                }
            }
            self.set_active(true);
            let events_before = self.metrics.events.get();
            let session = self.session().await;
            // Whatever ended the session, the next one starts from freshly resolved queues.
            checked = None;
            match session {
                SessionEnd::Stopped => break,
                SessionEnd::LeaseLost => {
                    tracing::warn!("lease lost; standing by");
                    self.set_active(false);
                }
                SessionEnd::Failed(reason) => {
                    self.metrics.reconnects.inc();
                    // A session that got somewhere starts the backoff over.
                    if self.metrics.events.get() > events_before {
                        attempt = 0;
                    }
                    let delay = self.backoff.delay(attempt, &mut self.rng);
                    attempt = attempt.saturating_add(1);
                    tracing::info!("channel session ended ({reason}); reconnecting in {delay:?}");
                    if self.pause(delay).await {
                        break;
                    }
                }
            }
        }
        self.drain().await;
        Ok(())
    }

    async fn drain(&mut self) {
        self.status.draining.store(true, Ordering::Relaxed);
        let deadline = self.config.drain_deadline;
        let finished = tokio::time::timeout(deadline, async {
            while let Some(finished) = self.tasks.join_next().await {
                self.count_effect_task(finished);
            }
        })
        .await;
        if finished.is_err() {
            tracing::warn!(
                "drain deadline passed; unfinished effects stay recorded for the next instance"
            );
            self.tasks.abort_all();
        }
        if let Err(error) = self.store.release(self.config.instance_id.clone()).await {
            tracing::warn!("releasing the lease failed (it expires on its own): {error}");
        }
        self.set_active(false);
    }
}
