//! The pool worker: one task owns the packing and the channels and applies subscription
//! changes in batches (everything queued when it wakes, at most one batch per
//! `batch_interval`), so a login storm, or a steady trickle of logins, costs one REST call per
//! channel per batch instead of one per desktop. Sessions are told `subscribed` only once
//! the upstream subscription exists and its channel is connected.

use crate::config::PoolConfig;
use crate::hub::{Hub, SessionShared};
use crate::packing::Packing;
use crate::upstream::channel::{ChannelShared, ChannelTask};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};
use switchboard_api::gateway::{GatewayNotice, notice};
use switchboard_platform::{Platform, PlatformExt};
use tokio::sync::{mpsc, oneshot, watch};

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
}

/// How long a new channel may take to connect before its subscriptions are refused.
const CONNECT_DEADLINE: Duration = Duration::from_secs(15);
/// Most commands applied in one batch.
const BATCH: usize = 4_096;

pub fn spawn(clients: Vec<Arc<dyn Platform>>, hub: Arc<Hub>, config: PoolConfig) -> (PoolHandle, tokio::task::JoinHandle<()>) {
    let (sender, receiver) = mpsc::unbounded_channel();
    let max_channels = config.channels_per_client * clients.len().max(1);
    let pool = Pool {
        packing: Packing::new(config.topics_per_channel, config.fill_target, max_channels),
        min_channels: config.min_channels,
        clients,
        hub,
        config,
        slots: BTreeMap::new(),
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
            let task = ChannelTask { client: client.clone(), shared: shared.clone(), hub: self.hub.clone(), config: self.config.clone(), stop: stop_receiver };
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

    async fn apply(&mut self, batch: Vec<PoolCommand>) {
        let now = Instant::now();
        let mut added: BTreeMap<usize, Vec<String>> = BTreeMap::new();
        let mut removed: BTreeMap<usize, Vec<String>> = BTreeMap::new();
        let mut opened = Vec::new();
        let mut acks: Vec<(Arc<SessionShared>, Vec<String>)> = Vec::new();
        let mut refused: Vec<(Arc<SessionShared>, Vec<String>, String)> = Vec::new();
        for command in batch {
            match command {
                PoolCommand::Subscribe { session, topics } => {
                    let needed = self.hub.subscribe(session.id, &topics);
                    let mut exhausted = Vec::new();
                    for topic in needed {
                        match self.packing.place(&session.agent, &topic, now) {
                            Ok(placement) => {
                                if placement.opened {
                                    opened.push(placement.channel);
                                }
                                added.entry(placement.channel).or_default().push(topic);
                            }
                            Err(error) => exhausted.push((topic, error.to_string())),
                        }
                    }
                    if let Some((_, reason)) = exhausted.first().cloned() {
                        let names: Vec<String> = exhausted.into_iter().map(|(topic, _)| topic).collect();
                        self.hub.unsubscribe(session.id, &names);
                        refused.push((session.clone(), names.clone(), reason));
                        let accepted: Vec<String> = topics.into_iter().filter(|topic| !names.contains(topic)).collect();
                        acks.push((session, accepted));
                    } else {
                        acks.push((session, topics));
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
        let mut failed_topics: BTreeMap<String, String> = BTreeMap::new();
        for (index, topics) in &added {
            if failed_slots.contains(index) {
                for topic in topics {
                    failed_topics.insert(topic.clone(), "the upstream channel could not be opened".to_string());
                }
                continue;
            }
            let Some(slot) = self.slots.get(index) else { continue };
            slot.shared.add_topics(topics);
            let names: Vec<&str> = topics.iter().map(String::as_str).collect();
            if let Err(error) = slot.client.notifications().subscribe(&slot.shared.platform_id(), &names).await {
                tracing::warn!(%error, topics = topics.len(), "upstream subscription refused");
                slot.shared.remove_topics(topics);
                for topic in topics {
                    failed_topics.insert(topic.clone(), error.to_string());
                }
            }
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
                let reason = failed_topics.get(&failed[0]).cloned().unwrap_or_default();
                let unneeded = self.hub.unsubscribe(session.id, &failed);
                drop(unneeded);
                self.hub.notify(&session, &GatewayNotice::new(notice::ERROR).with_topics(failed).with_detail(reason));
            }
            if !ok.is_empty() {
                self.hub.notify(&session, &GatewayNotice::new(notice::SUBSCRIBED).with_topics(ok));
            }
        }
        for (session, topics, reason) in refused {
            self.hub.notify(&session, &GatewayNotice::new(notice::ERROR).with_topics(topics).with_detail(reason));
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
