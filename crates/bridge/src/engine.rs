//! The engine: one session per channel connection while this instance holds the lease — the
//! channel resumed or created, REST reconciliation where replay is absent, each event's work and
//! cursor recorded in one write, effects dispatched to tasks, pending work swept, old keys pruned.
//! The lease loop around it is `lease_loop.rs`; start-up and supervision are `start.rs`.

use crate::backoff::Backoff;
use crate::config::BridgeConfig;
use crate::crm::CrmClient;
use crate::error::BridgeError;
use crate::events::{self, ChannelMessage};
use crate::job::work_for;
use crate::metrics::Metrics;
use crate::queues::{self, ServedQueues};
use crate::reconcile::reconcile;
use crate::status::Status;
use crate::store::{Cursor, StateStore, StoreError, WorkItem, now_ms};
use crate::worker::Worker;
use rand::{Rng, SeedableRng};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use switchboard_platform::{Platform, PlatformExt};
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

/// A socket silent for this long (no event, no heartbeat) is treated as dead.
const IDLE_LIMIT: Duration = Duration::from_secs(75);
/// How often recorded-but-unfinished work is swept and retried.
const SWEEP_INTERVAL: Duration = Duration::from_millis(1_000);
/// How often the served queues are resolved again (and with them the token proven), so readiness
/// stays true to the platform while no call flows, active or standing by.
pub(crate) const PLATFORM_CHECK_INTERVAL: Duration = Duration::from_secs(30);
/// Done keys removed per store call while pruning, and calls per prune: small transactions, and a
/// backlog is worked off over several ticks instead of stalling the session.
const PRUNE_BATCH: usize = 1_000;
const PRUNE_BATCHES_PER_TICK: usize = 20;

pub(crate) enum SessionEnd {
    Stopped,
    LeaseLost,
    Failed(String),
}

pub(crate) struct Engine {
    pub(crate) config: BridgeConfig,
    pub(crate) platform: Arc<dyn Platform>,
    pub(crate) crm: Arc<CrmClient>,
    pub(crate) store: Arc<dyn StateStore>,
    pub(crate) metrics: Arc<Metrics>,
    pub(crate) status: Arc<Status>,
    pub(crate) backoff: Backoff,
    pub(crate) semaphore: Arc<Semaphore>,
    pub(crate) queues: ServedQueues,
    pub(crate) cursor: Cursor,
    pub(crate) in_flight: Arc<Mutex<HashSet<String>>>,
    pub(crate) tasks: JoinSet<()>,
    pub(crate) stopped: watch::Receiver<bool>,
    pub(crate) rng: rand::rngs::StdRng,
}

impl Engine {
    pub(crate) fn new(
        config: BridgeConfig,
        platform: Arc<dyn Platform>,
        crm: Arc<CrmClient>,
        store: Arc<dyn StateStore>,
        metrics: Arc<Metrics>,
        status: Arc<Status>,
        stopped: watch::Receiver<bool>,
    ) -> Engine {
        Engine {
            backoff: Backoff {
                base: config.backoff_base,
                max: config.backoff_max,
            },
            semaphore: Arc::new(Semaphore::new(config.concurrency)),
            rng: rand::rngs::StdRng::seed_from_u64(config.seed),
            config,
            platform,
            crm,
            store,
            metrics,
            status,
            queues: ServedQueues::default(),
            cursor: Cursor::default(),
            in_flight: Arc::new(Mutex::new(HashSet::new())),
            tasks: JoinSet::new(),
            stopped,
        }
    }

    fn topics(&self) -> Vec<String> {
        self.queues
            .ids()
            .map(|queue| format!("v2.routing.queues.{queue}.conversations"))
            .collect()
    }

    /// The channel to follow: the cursor's, if it still exists, else a new one (then
    /// `resume` is `None` and the session reconciles).
    async fn channel(&mut self) -> Result<(String, Option<u64>), BridgeError> {
        let topics = self.topics();
        let topic_refs: Vec<&str> = topics.iter().map(String::as_str).collect();
        if let Some(channel_id) = self.cursor.channel_id.clone() {
            let existing = self
                .platform
                .notifications()
                .channels()
                .await?
                .into_iter()
                .find(|channel| channel.id == channel_id);
            if let Some(channel) = existing {
                // Subscribing again is a set union and renews the channel.
                self.platform
                    .notifications()
                    .subscribe(&channel.id, &topic_refs)
                    .await?;
                return Ok((channel.connect_uri, self.cursor.last_event_id));
            }
        }
        let channel = self.platform.notifications().create_channel().await?;
        self.platform
            .notifications()
            .subscribe(&channel.id, &topic_refs)
            .await?;
        if self.cursor.reconciled_to_ms == 0 {
            self.cursor.reconciled_to_ms =
                now_ms() - self.config.reconcile_lookback.as_millis() as i64;
        }
        self.cursor.channel_id = Some(channel.id);
        self.cursor.last_event_id = None;
        self.store
            .record(Vec::new(), Some(self.cursor.clone()))
            .await?;
        Ok((channel.connect_uri, None))
    }

    async fn reconcile(&mut self) -> Result<(), BridgeError> {
        let started = now_ms();
        let work = reconcile(
            self.platform.as_ref(),
            &self.queues,
            self.cursor.reconciled_to_ms,
            started,
        )
        .await?;
        self.cursor.reconciled_to_ms = started;
        let recorded = self.store.record(work, Some(self.cursor.clone())).await?;
        self.metrics.reconciliations.inc();
        self.dispatch(recorded);
        Ok(())
    }

    /// Collects finished effect tasks (counting any that panicked; the key is already free for
    /// the next sweep) and dispatches what the store still holds pending.
    async fn sweep(&mut self) -> Result<(), BridgeError> {
        while let Some(finished) = self.tasks.try_join_next() {
            self.count_effect_task(finished);
        }
        let pending = self.store.pending().await?;
        self.metrics.pending.set(pending.len() as i64);
        self.dispatch(pending);
        Ok(())
    }

    pub(crate) fn count_effect_task(&self, finished: Result<(), tokio::task::JoinError>) {
        if matches!(&finished, Err(error) if error.is_panic()) {
            self.metrics.task_failed("effect");
            tracing::error!("an effect task panicked; its work stays pending and is retried");
        }
    }

    /// Forgets idempotency keys older than the retention window, counted back from the earlier
    /// of now and the reconciliation horizon: a reconciliation or replay only returns conversations
    /// active after that horizon, whose effects finished less than a call's length before it, so
    /// no key it could need is gone. A failure is logged and retried next tick.
    async fn prune(&mut self) {
        let retention = i64::try_from(self.config.done_retention.as_millis()).unwrap_or(i64::MAX);
        let horizon = now_ms().min(self.cursor.reconciled_to_ms);
        let cutoff = horizon.saturating_sub(retention);
        for _ in 0..PRUNE_BATCHES_PER_TICK {
            match self.store.prune_done(cutoff, PRUNE_BATCH).await {
                Ok(removed) => {
                    self.metrics.done_pruned.inc_by(removed);
                    if removed < PRUNE_BATCH as u64 {
                        break;
                    }
                }
                Err(error) => {
                    tracing::warn!("pruning done keys failed (retried next tick): {error}");
                    break;
                }
            }
        }
    }

    /// Whether the served queues still resolve to the ones this session follows. An unknown
    /// queue or a changed id ends the session, so the lease loop resolves again (not ready
    /// meanwhile); a transient failure does not.
    async fn queues_unchanged(&mut self) -> Result<bool, BridgeError> {
        match queues::resolve(self.platform.as_ref(), &self.config.queues).await {
            Ok(resolved) => Ok(resolved == self.queues),
            Err(error @ BridgeError::UnknownQueue(_)) => Err(error),
            Err(error) => {
                tracing::warn!("checking the served queues failed (retried): {error}");
                Ok(true)
            }
        }
    }

    pub(crate) async fn session(&mut self) -> SessionEnd {
        match self.open_session().await {
            Ok(end) => end,
            Err(error) => SessionEnd::Failed(error.to_string()),
        }
    }

    async fn open_session(&mut self) -> Result<SessionEnd, BridgeError> {
        self.cursor = self.store.cursor().await?;
        self.sweep().await?;
        let (uri, resume) = self.channel().await?;
        let mut socket = events::connect(&uri, resume)
            .await
            .map_err(|error| StoreError::Backend(error.to_string()))?;
        if resume.is_none() {
            self.reconcile().await?;
        }
        let mut lease_tick = tokio::time::interval(self.config.lease_ttl / 3);
        lease_tick.tick().await;
        let mut sweep_tick = tokio::time::interval(SWEEP_INTERVAL);
        sweep_tick.tick().await;
        let mut prune_tick = tokio::time::interval(self.config.prune_interval);
        prune_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        prune_tick.tick().await;
        let mut check_tick = tokio::time::interval(PLATFORM_CHECK_INTERVAL);
        check_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        check_tick.tick().await;
        let mut stopped = self.stopped.clone();
        loop {
            tokio::select! {
                _ = async { stopped.wait_for(|stop| *stop).await.map(|_| ()) } => return Ok(SessionEnd::Stopped),
                _ = lease_tick.tick() => {
                    if !self.store.lease(self.config.instance_id.clone(), self.config.lease_ttl).await? {
                        return Ok(SessionEnd::LeaseLost);
                    }
                }
                _ = sweep_tick.tick() => self.sweep().await?,
                _ = prune_tick.tick() => self.prune().await,
                _ = check_tick.tick() => {
                    if !self.queues_unchanged().await? {
                        return Ok(SessionEnd::Failed("the served queues changed".into()));
                    }
                }
                message = tokio::time::timeout(IDLE_LIMIT, events::next_text(&mut socket)) => {
                    let text = match message {
                        Err(_) => return Ok(SessionEnd::Failed("the socket went silent".into())),
                        Ok(None) => return Ok(SessionEnd::Failed("the server closed the socket".into())),
                        Ok(Some(Err(error))) => return Ok(SessionEnd::Failed(error.to_string())),
                        Ok(Some(Ok(text))) => text,
                    };
                    match events::classify(&text) {
                        ChannelMessage::Event { id, topic, body } => self.on_event(id, &topic, body).await?,
                        ChannelMessage::Gap => {
                            self.metrics.gaps.inc();
                            self.reconcile().await?;
                        }
                        ChannelMessage::Closing => return Ok(SessionEnd::Failed("the channel is expiring".into())),
                        ChannelMessage::Other => {}
                    }
                }
            }
        }
    }

    async fn on_event(
        &mut self,
        id: Option<u64>,
        topic: &str,
        body: serde_json::Value,
    ) -> Result<(), BridgeError> {
        self.metrics.events.inc();
        let work = if self.topics().iter().any(|served| served == topic) {
            // Topic events carry the event shape, not the REST conversation.
            match serde_json::from_value::<switchboard_api::events::ConversationEvent>(body) {
                Ok(event) => work_for(&crate::job::conversation_from_event(&event), &self.queues),
                Err(error) => {
                    tracing::warn!(topic, "unreadable conversation event skipped: {error}");
                    Vec::new()
                }
            }
        } else {
            Vec::new()
        };
        if id.is_some() {
            self.cursor.last_event_id = id;
        }
        // Work first, cursor with it, in one write: a kill before it replays the event, after it
        // finds the work pending.
        let recorded = self.store.record(work, Some(self.cursor.clone())).await?;
        self.dispatch(recorded);
        Ok(())
    }

    fn dispatch(&mut self, items: Vec<WorkItem>) {
        for item in items {
            let fresh = self
                .in_flight
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(item.key.clone());
            if !fresh {
                continue;
            }
            let worker = Worker {
                platform: self.platform.clone(),
                crm: self.crm.clone(),
                store: self.store.clone(),
                metrics: self.metrics.clone(),
                in_flight: self.in_flight.clone(),
                semaphore: self.semaphore.clone(),
                backoff: Backoff {
                    base: Duration::from_millis(100),
                    max: Duration::from_secs(3),
                },
                rng: rand::rngs::StdRng::seed_from_u64(self.rng.random()),
            };
            self.tasks.spawn(worker.run(item));
        }
    }
}
