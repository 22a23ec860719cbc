//! The running bridge: start-up (store, migrations, CRM client, platform client, health server),
//! the lease loop (only the lease holder processes; others stand by), one session per channel
//! connection (resume, reconcile, events → recorded work → effects), and the SIGTERM drain.

use crate::backoff::Backoff;
use crate::config::BridgeConfig;
use crate::crm::{CrmClient, CrmError};
use crate::worker::Worker;
use crate::events::{self, ChannelMessage};
use crate::job::work_for;
use crate::metrics::Metrics;
use crate::reconcile::reconcile;
use crate::server::{self, ServerState};
use crate::store::migrations::MigrationReport;
use crate::store::{self, Cursor, StateStore, StoreError, WorkItem, now_ms};
use rand::SeedableRng;
use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use switchboard_platform::{ClientConfig, OrgClient, PlatformError, PlatformExt};
use tokio::sync::{Semaphore, watch};
use tokio::task::{JoinHandle, JoinSet};

/// A socket silent for this long (no event, no heartbeat) is treated as dead.
const IDLE_LIMIT: Duration = Duration::from_secs(75);
/// How often recorded-but-unfinished work is swept and retried.
const SWEEP_INTERVAL: Duration = Duration::from_millis(1_000);
/// Done keys removed per store call while pruning, and calls per prune: small transactions, and a
/// backlog is worked off over several ticks instead of stalling the session.
const PRUNE_BATCH: usize = 1_000;
const PRUNE_BATCHES_PER_TICK: usize = 20;

#[derive(Debug, thiserror::Error)]
pub enum BridgeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("platform: {0}")]
    Platform(#[from] PlatformError),
    #[error(transparent)]
    Crm(#[from] CrmError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("BRIDGE_QUEUES: no queue named or numbered `{0}` in the org")]
    UnknownQueue(String),
}

/// What `/health/ready` reports.
#[derive(Debug, Default)]
pub struct Status {
    pub token_ok: AtomicBool,
    pub migrated: AtomicBool,
    pub draining: AtomicBool,
    pub active: AtomicBool,
}

pub struct Bridge;

/// A started bridge. `drain` is SIGTERM; `kill` is `kill -9` (for in-process tests and the demo).
pub struct BridgeHandle {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    engine: JoinHandle<Result<(), BridgeError>>,
    server: JoinHandle<()>,
    pub metrics: Arc<Metrics>,
    pub status: Arc<Status>,
    pub crm: Arc<CrmClient>,
    pub migrations: MigrationReport,
}

impl BridgeHandle {
    /// The health and metrics address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops taking events, finishes in-flight effects within the drain deadline, releases the
    /// lease. The cursor is already persisted with every event.
    pub async fn drain(self) -> Result<(), BridgeError> {
        let _ = self.stop.send(true);
        let result = match self.engine.await {
            Ok(result) => result,
            Err(error) => Err(BridgeError::Store(StoreError::Backend(format!(
                "engine task: {error}"
            )))),
        };
        self.server.abort();
        result
    }

    /// Ends everything at once, like `kill -9`: no drain, the lease left to expire.
    pub fn kill(self) {
        self.engine.abort();
        self.server.abort();
    }

    /// Whether the engine has ended (it ends only when drained or killed).
    pub fn finished(&self) -> bool {
        self.engine.is_finished()
    }
}

impl Bridge {
    pub async fn start(config: BridgeConfig) -> Result<BridgeHandle, BridgeError> {
        let store = store::open(&config.state, config.done_retention).await?;
        let migrations = store.migrate(config.migration_phase).await?;
        tracing::info!(store = store.kind(), applied = ?migrations.applied, deferred = ?migrations.deferred, "state store migrated");
        let status = Arc::new(Status::default());
        status.migrated.store(true, Ordering::Relaxed);
        let crm = Arc::new(CrmClient::new(&config.crm_url, config.crm_tls.clone())?);
        let reloader = crm.spawn_reloader();
        let mut client_config = ClientConfig::new(
            config.platform_url.clone(),
            config.client_id.clone(),
            config.client_secret.clone(),
        );
        client_config.login_url = config.login_url.clone();
        client_config.org_label = "bridge".to_string();
        let platform = OrgClient::new(client_config)?;
        let metrics = Arc::new(Metrics::new());
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|source| BridgeError::Bind {
                addr: config.listen,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| BridgeError::Bind {
            addr: config.listen,
            source,
        })?;
        let app = server::app(ServerState {
            status: status.clone(),
            metrics: metrics.clone(),
            store: store.clone(),
        });
        let server = tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, app).await {
                tracing::warn!("health server stopped: {error}");
            }
        });
        let (stop, stopped) = watch::channel(false);
        let engine = Engine {
            backoff: Backoff {
                base: config.backoff_base,
                max: config.backoff_max,
            },
            semaphore: Arc::new(Semaphore::new(config.concurrency)),
            config,
            platform,
            crm: crm.clone(),
            store,
            metrics: metrics.clone(),
            status: status.clone(),
            queue_ids: Vec::new(),
            cursor: Cursor::default(),
            in_flight: Arc::new(Mutex::new(HashSet::new())),
            tasks: JoinSet::new(),
            stopped,
            rng: rand::rngs::StdRng::from_os_rng(),
        };
        let engine = tokio::spawn(async move {
            let result = engine.run().await;
            if let Some(reloader) = reloader {
                reloader.abort();
            }
            result
        });
        Ok(BridgeHandle {
            addr,
            stop,
            engine,
            server,
            metrics,
            status,
            crm,
            migrations,
        })
    }
}

enum SessionEnd {
    Stopped,
    LeaseLost,
    Failed(String),
}

struct Engine {
    config: BridgeConfig,
    platform: OrgClient,
    crm: Arc<CrmClient>,
    store: Arc<dyn StateStore>,
    metrics: Arc<Metrics>,
    status: Arc<Status>,
    backoff: Backoff,
    semaphore: Arc<Semaphore>,
    queue_ids: Vec<String>,
    cursor: Cursor,
    in_flight: Arc<Mutex<HashSet<String>>>,
    tasks: JoinSet<()>,
    stopped: watch::Receiver<bool>,
    rng: rand::rngs::StdRng,
}

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

    async fn run(mut self) -> Result<(), BridgeError> {
        let mut attempt = 0u32;
        // The token and the queue ids first; both retried, since the platform may be starting too.
        while !self.stopping() {
            match self.prepare().await {
                Ok(()) => break,
                Err(error) => {
                    tracing::warn!("start-up against the platform failed, retrying: {error}");
                    let delay = self.backoff.delay(attempt, &mut self.rng);
                    attempt += 1;
                    if self.pause(delay).await {
                        break;
                    }
                }
            }
        }
        attempt = 0;
        while !self.stopping() {
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
                    attempt += 1;
                    if self.pause(delay).await {
                        break;
                    }
                    continue;
                }
            }
            self.set_active(true);
            let events_before = self.metrics.events.get();
            match self.session().await {
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
                    attempt += 1;
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

    fn set_active(&self, active: bool) {
        self.status.active.store(active, Ordering::Relaxed);
        self.metrics.active.set(i64::from(active));
    }

    async fn prepare(&mut self) -> Result<(), BridgeError> {
        self.platform.authenticate().await?;
        self.status.token_ok.store(true, Ordering::Relaxed);
        let queues = self.platform.queues().list_all().await?;
        let mut ids = Vec::new();
        for wanted in &self.config.queues {
            let found = queues
                .iter()
                .find(|queue| &queue.id == wanted || &queue.name == wanted)
                .ok_or_else(|| BridgeError::UnknownQueue(wanted.clone()))?;
            ids.push(found.id.clone());
        }
        self.queue_ids = ids;
        Ok(())
    }

    fn topics(&self) -> Vec<String> {
        self.queue_ids
            .iter()
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
            &self.platform,
            &self.queue_ids,
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

    async fn sweep(&mut self) -> Result<(), BridgeError> {
        while self.tasks.try_join_next().is_some() {}
        let pending = self.store.pending().await?;
        self.metrics.pending.set(pending.len() as i64);
        self.dispatch(pending);
        Ok(())
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

    async fn session(&mut self) -> SessionEnd {
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
                Ok(event) => work_for(&crate::job::conversation_from_event(&event), &self.queue_ids),
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
            };
            self.tasks.spawn(worker.run(item));
        }
    }

    async fn drain(&mut self) {
        self.status.draining.store(true, Ordering::Relaxed);
        let deadline = self.config.drain_deadline;
        let finished = tokio::time::timeout(deadline, async {
            while self.tasks.join_next().await.is_some() {}
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
