//! The pool worker: one task owns the packing and the channels and applies subscription
//! changes in batches (everything queued when it wakes, at most one batch per
//! `batch_interval`), so a login storm, or a steady trickle of logins, costs one REST call per
//! channel per batch instead of one per desktop. Sessions are told `subscribed` only once
//! the platform confirmed the upstream subscription and its channel is connected; a topic it
//! refused is reported to the desktops that asked for it, and only to them (`subscribe.rs`).
//! Topics that fit no template of the platform's catalogue are refused before any REST call.

use crate::config::PoolConfig;
use crate::hub::{Hub, SessionShared};
use crate::packing::Packing;
use crate::upstream::catalogue::Catalogue;
use crate::upstream::channel::{ChannelShared, ChannelTask};
use crate::upstream::cursor::ReplaySupport;
use crate::upstream::snapshot::SnapshotBudget;
use crate::upstream::subscribe::{self, Refused};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};
use switchboard_api::gateway::{GatewayNotice, notice};
use switchboard_platform::{Platform, PlatformExt};
use tokio::sync::{Semaphore, mpsc, oneshot, watch};

pub enum PoolCommand {
    Subscribe { session: Arc<SessionShared>, topics: Vec<String> },
    Unsubscribe { session: Arc<SessionShared>, topics: Vec<String> },
    /// Topics nobody watches any more (a session closed).
    Release { topics: Vec<String> },
    /// Keep at least this many channels open (pre-warming before a known burst).
    Prewarm(usize),
}

#[derive(Clone)]
pub struct PoolHandle {
    sender: mpsc::UnboundedSender<PoolCommand>,
}

impl PoolHandle {
    pub fn send(&self, command: PoolCommand) {
        // The worker lives as long as the gateway; after shutdown there is nothing to do.
        let _ = self.sender.send(command);
    }
}

struct Slot {
    client: Arc<dyn Platform>,
    shared: Arc<ChannelShared>,
    stop: watch::Sender<bool>,
}

pub struct Pool {
    clients: Vec<Arc<dyn Platform>>,
    hub: Arc<Hub>,
    config: PoolConfig,
    packing: Packing,
    slots: BTreeMap<usize, Slot>,
    min_channels: usize,
    /// The platform's topic templates, once read; `None` (no check) until then.
    catalogue: Option<Catalogue>,
    catalogue_tried: Option<Instant>,
    /// What every channel task learns about replay, and the snapshots' shared budget.
    replay: Arc<ReplaySupport>,
    snapshots: SnapshotBudget,
}

/// How long a new channel may take to connect before its subscriptions are refused.
const CONNECT_DEADLINE: Duration = Duration::from_secs(15);
/// Most commands applied in one batch.
const BATCH: usize = 4_096;
/// How long after a failed catalogue read the next batch tries again.
const CATALOGUE_RETRY: Duration = Duration::from_secs(60);

pub fn spawn(clients: Vec<Arc<dyn Platform>>, hub: Arc<Hub>, config: PoolConfig) -> (PoolHandle, tokio::task::JoinHandle<()>) {
    let (sender, receiver) = mpsc::unbounded_channel();
    let max_channels = config.channels_per_client * clients.len().max(1);
    let snapshots = SnapshotBudget { permits: Arc::new(Semaphore::new(config.snapshot_concurrency.max(1))), deadline: config.snapshot_deadline };
    let pool = Pool {
        packing: Packing::new(config.topics_per_channel, config.fill_target, max_channels),
        min_channels: config.min_channels,
        clients,
        hub,
        config,
        slots: BTreeMap::new(),
        catalogue: None,
        catalogue_tried: None,
        replay: Arc::default(),
        snapshots,
    };
    (PoolHandle { sender }, tokio::spawn(pool.run(receiver)))
}

impl Pool {
    async fn run(mut self, mut receiver: mpsc::UnboundedReceiver<PoolCommand>) {
        let initial = self.packing.ensure_open(self.min_channels, Instant::now());
        self.open_slots(&initial).await;
        let period = (self.config.idle_close / 4).clamp(Duration::from_millis(10), Duration::from_secs(60));
        let mut idle_check = tokio::time::interval(period);
        let mut last_batch: Option<tokio::time::Instant> = None;
        loop {
            let mut batch = Vec::new();
            tokio::select! {
                command = receiver.recv() => match command {
                    Some(command) => batch.push(command),
                    None => break,
                },
                _ = idle_check.tick() => {
                    self.close_idle().await;
                    continue;
                }
            }
            // Pacing (see `PoolConfig::batch_interval`): what arrives meanwhile joins this batch.
            if let Some(last) = last_batch {
                tokio::time::sleep_until(last + self.config.batch_interval).await;
            }
            last_batch = Some(tokio::time::Instant::now());
            while batch.len() < BATCH {
                match receiver.try_recv() {
                    Ok(command) => batch.push(command),
                    Err(_) => break,
                }
            }
            self.apply(batch).await;
        }
        for slot in self.slots.values() {
            let _ = slot.stop.send(true);
        }
    }

    /// `None` only when the pool has no client at all (`start` refuses that; `spawn` may not).
    fn client_for(&self, index: usize) -> Option<Arc<dyn Platform>> {
        // 20 channels per OAuth client: slot 0..19 on the first client, 20..39 on the second.
        let which = (index / self.config.channels_per_client.max(1)).min(self.clients.len().saturating_sub(1));
        self.clients.get(which).cloned()
    }

    /// Creates and connects the platform channels of newly opened slots; returns the slots that
    /// failed (their topics are refused).
    async fn open_slots(&mut self, indexes: &[usize]) -> BTreeSet<usize> {
        let mut failed = BTreeSet::new();
        let mut waiting = Vec::new();
        for &index in indexes {
            let Some(client) = self.client_for(index) else {
                failed.insert(index);
                continue;
            };
            let channel = match client.notifications().create_channel().await {
                Ok(channel) => channel,
                Err(error) => {
                    tracing::warn!(%error, "creating an upstream channel failed");
                    failed.insert(index);
                    continue;
                }
            };
            let shared = Arc::new(ChannelShared::new(channel.id, channel.connect_uri));
            let (stop, stop_receiver) = watch::channel(false);
            let (connected, connected_receiver) = oneshot::channel();
            let task = ChannelTask::new(client.clone(), shared.clone(), self.hub.clone(), &self.config, stop_receiver)
                .with_replay(self.replay.clone())
                .with_snapshots(self.snapshots.clone())
                .with_jitter_seed(jitter_seed(self.config.jitter_seed, index));
            tokio::spawn(task.run(connected));
            self.slots.insert(index, Slot { client, shared, stop });
            self.hub.metrics.upstream_channels.inc();
            waiting.push((index, connected_receiver));
        }
        for (index, connected) in waiting {
            if !matches!(tokio::time::timeout(CONNECT_DEADLINE, connected).await, Ok(Ok(()))) {
                tracing::warn!(index, "upstream channel did not connect in time");
                failed.insert(index);
            }
        }
        failed
    }

    /// Reads the platform's topic catalogue if it is not known yet (at most once a minute after
    /// a failure; without it topics go unchecked to the platform, which has the final word).
    async fn refresh_catalogue(&mut self) {
        if self.catalogue.is_some() || self.catalogue_tried.is_some_and(|at| at.elapsed() < CATALOGUE_RETRY) {
            return;
        }
        self.catalogue_tried = Some(Instant::now());
        let Some(client) = self.clients.first() else { return };
        match client.notifications().available_topics().await {
            Ok(topics) => self.catalogue = Catalogue::from_templates(topics.iter().map(|topic| topic.id.as_str())),
            Err(error) => tracing::warn!(%error, "reading the platform's topic catalogue failed; topics are not checked before subscribing"),
        }
    }

    async fn apply(&mut self, batch: Vec<PoolCommand>) {
        let now = Instant::now();
        if batch.iter().any(|command| matches!(command, PoolCommand::Subscribe { .. })) {
            self.refresh_catalogue().await;
        }
        // Per channel: the new topics of each desktop request, kept apart so that a refusal
        // can be traced to the request that caused it.
        let mut added: BTreeMap<usize, Vec<Vec<String>>> = BTreeMap::new();
        let mut removed: BTreeMap<usize, Vec<String>> = BTreeMap::new();
        let mut opened = Vec::new();
        let mut acks: Vec<(Arc<SessionShared>, Vec<String>)> = Vec::new();
        let mut refusals: Vec<(Arc<SessionShared>, Refused)> = Vec::new();
        for command in batch {
            match command {
                PoolCommand::Subscribe { session, topics } => {
                    let mut refused = Refused::new();
                    let (known, unknown): (Vec<String>, Vec<String>) = topics.into_iter().partition(|topic| self.catalogue.as_ref().is_none_or(|catalogue| catalogue.allows(topic)));
                    for topic in unknown {
                        refused.insert(topic, "the platform offers no such topic (see /api/v2/notifications/availabletopics)".to_string());
                    }
                    let needed = self.hub.subscribe(session.id, &known);
                    let mut placed: BTreeMap<usize, Vec<String>> = BTreeMap::new();
                    let mut exhausted = Vec::new();
                    for topic in needed {
                        match self.packing.place(&session.agent, &topic, now) {
                            Ok(placement) => {
                                if placement.opened {
                                    opened.push(placement.channel);
                                }
                                placed.entry(placement.channel).or_default().push(topic);
                            }
                            Err(error) => {
                                refused.insert(topic.clone(), error.to_string());
                                exhausted.push(topic);
                            }
                        }
                    }
                    self.hub.unsubscribe(session.id, &exhausted);
                    for (channel, topics) in placed {
                        added.entry(channel).or_default().push(topics);
                    }
                    let accepted: Vec<String> = known.into_iter().filter(|topic| !refused.contains_key(topic)).collect();
                    acks.push((session.clone(), accepted));
                    if !refused.is_empty() {
                        refusals.push((session, refused));
                    }
                }
                PoolCommand::Unsubscribe { session, topics } => {
                    let unneeded = self.hub.unsubscribe(session.id, &topics);
                    self.take_off(&unneeded, now, &mut removed);
                    self.hub.notify(&session, &GatewayNotice::new(notice::UNSUBSCRIBED).with_topics(topics));
                }
                PoolCommand::Release { topics } => self.take_off(&topics, now, &mut removed),
                PoolCommand::Prewarm(count) => {
                    self.min_channels = count;
                    opened.extend(self.packing.ensure_open(count, now));
                }
            }
        }
        let failed_slots = self.open_slots(&opened).await;
        let mut failed_topics = Refused::new();
        for (index, requests) in added {
            let slot = self.slots.get(&index).filter(|_| !failed_slots.contains(&index));
            let Some(slot) = slot else {
                for topic in requests.into_iter().flatten() {
                    failed_topics.insert(topic, "the upstream channel could not be opened".to_string());
                }
                continue;
            };
            let all: Vec<String> = requests.iter().flatten().cloned().collect();
            slot.shared.add_topics(&all);
            let refused = subscribe::add(&slot.client, &slot.shared.platform_id(), requests).await;
            let names: Vec<String> = refused.keys().cloned().collect();
            slot.shared.remove_topics(&names);
            failed_topics.extend(refused);
        }
        for (index, topics) in &removed {
            let Some(slot) = self.slots.get(index) else { continue };
            slot.shared.remove_topics(topics);
            let remaining = slot.shared.topics();
            let names: Vec<&str> = remaining.iter().map(String::as_str).collect();
            // PUT makes the channel's set exactly what is still watched.
            if let Err(error) = slot.client.notifications().replace_subscriptions(&slot.shared.platform_id(), &names).await {
                tracing::warn!(%error, "upstream unsubscription failed; events for it are dropped here");
            }
        }
        for topic in failed_topics.keys() {
            self.packing.remove(topic, now);
        }
        for (session, topics) in acks {
            let (failed, ok): (Vec<String>, Vec<String>) = topics.into_iter().partition(|topic| failed_topics.contains_key(topic));
            if !failed.is_empty() {
                self.hub.unsubscribe(session.id, &failed);
                let theirs: Refused = failed.into_iter().filter_map(|topic| failed_topics.get(&topic).map(|reason| (topic, reason.clone()))).collect();
                refuse(&self.hub, &session, theirs);
            }
            if !ok.is_empty() {
                self.hub.notify(&session, &GatewayNotice::new(notice::SUBSCRIBED).with_topics(ok));
            }
        }
        for (session, refused) in refusals {
            refuse(&self.hub, &session, refused);
        }
        self.hub.metrics.upstream_topics.set(self.hub_topic_count());
    }

    fn hub_topic_count(&self) -> i64 {
        self.slots.values().map(|slot| slot.shared.topics().len() as i64).sum()
    }

    fn take_off(&mut self, topics: &[String], now: Instant, removed: &mut BTreeMap<usize, Vec<String>>) {
        for topic in topics {
            if let Some(channel) = self.packing.remove(topic, now) {
                removed.entry(channel).or_default().push(topic.clone());
            }
        }
    }

    async fn close_idle(&mut self) {
        let idle = self.packing.idle_channels(Instant::now(), self.config.idle_close, self.min_channels);
        for index in idle {
            if let Some(slot) = self.slots.remove(&index) {
                let _ = slot.stop.send(true);
                self.hub.metrics.upstream_channels.dec();
                tracing::info!(index, "idle upstream channel closed");
            }
        }
    }
}

/// One `error` notice per distinct reason, naming the topics it refused: each desktop hears
/// only about its own topics.
fn refuse(hub: &Hub, session: &SessionShared, refused: Refused) {
    let mut by_reason: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (topic, reason) in refused {
        by_reason.entry(reason).or_default().push(topic);
    }
    for (reason, topics) in by_reason {
        hub.notify(session, &GatewayNotice::new(notice::ERROR).with_topics(topics).with_detail(reason));
    }
}

/// Each channel's own jitter generator seed, so channels that dropped together draw
/// different delays (SplitMix64's finaliser spreads neighbouring indexes apart).
fn jitter_seed(seed: u64, index: usize) -> u64 {
    let mut z = seed ^ (index as u64).wrapping_add(1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}
