//! The hub: live sessions, the subscription table, and the fan-out of upstream events into
//! sessions' queues. Fan-out never waits on a session: it pushes into a bounded queue and wakes
//! the session's task, so one slow desktop cannot delay the others.

use crate::close::CloseReason;
use crate::config::QueueLimits;
use crate::metrics::Metrics;
use crate::queue::{Outbound, Pushed, SessionQueue, is_state_topic};
use crate::table::{SessionId, SubscriptionTable};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;
use tokio::sync::Notify;
use tokio_tungstenite::tungstenite::Utf8Bytes;

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic elsewhere must not take the gateway down with it.
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// What the hub and a session's task share.
pub struct SessionShared {
    pub id: SessionId,
    pub agent: Arc<str>,
    queue: Mutex<SessionQueue>,
    close: Mutex<Option<(CloseReason, Option<String>)>>,
    /// New frames or a close request.
    pub wake: Notify,
    /// A close request only: interrupts a write blocked on a desktop that stopped reading.
    pub closing: Notify,
}

impl SessionShared {
    /// Asks the session's task to close with `reason` (the first request wins).
    pub fn close(&self, reason: CloseReason, detail: Option<String>) {
        let mut close = lock(&self.close);
        if close.is_none() {
            *close = Some((reason, detail));
        }
        drop(close);
        self.wake.notify_one();
        self.closing.notify_one();
    }

    pub fn close_requested(&self) -> Option<(CloseReason, Option<String>)> {
        lock(&self.close).clone()
    }
}

pub struct Hub {
    table: Mutex<SubscriptionTable>,
    sessions: Mutex<HashMap<SessionId, Arc<SessionShared>>>,
    next_session: AtomicU64,
    queued_bytes: AtomicUsize,
    limits: QueueLimits,
    pub metrics: Metrics,
    /// Woken whenever a session closes (draining waits for the last one).
    pub session_closed: Notify,
}

impl Hub {
    pub fn new(limits: QueueLimits) -> Self {
        Hub {
            table: Mutex::default(),
            sessions: Mutex::default(),
            next_session: AtomicU64::new(1),
            queued_bytes: AtomicUsize::new(0),
            limits,
            metrics: Metrics::default(),
            session_closed: Notify::new(),
        }
    }

    pub fn open_session(&self, agent: &str) -> Arc<SessionShared> {
        let id = self.next_session.fetch_add(1, Ordering::Relaxed);
        let limits = &self.limits;
        let session = Arc::new(SessionShared {
            id,
            agent: Arc::from(agent),
            queue: Mutex::new(SessionQueue::new(limits.max_frames, limits.max_bytes, limits.conflate_at)),
            close: Mutex::new(None),
            wake: Notify::new(),
            closing: Notify::new(),
        });
        lock(&self.sessions).insert(id, session.clone());
        self.metrics.sessions.inc();
        session
    }

    /// Forgets the session; returns the topics nobody watches any more (for the pool).
    pub fn close_session(&self, session: &SessionShared) -> Vec<String> {
        if lock(&self.sessions).remove(&session.id).is_none() {
            return Vec::new();
        }
        self.metrics.sessions.dec();
        self.session_closed.notify_waiters();
        let (frames, bytes) = {
            let mut queue = lock(&session.queue);
            (queue.len(), queue.clear())
        };
        self.release(frames, bytes);
        let mut table = lock(&self.table);
        let removed = table.topics_of(session.id).len();
        let unneeded = table.remove_session(session.id);
        self.metrics.session_subscriptions.dec_by(removed as i64);
        unneeded
    }

    fn release(&self, frames: usize, bytes: usize) {
        self.queued_bytes.fetch_sub(bytes, Ordering::Relaxed);
        self.metrics.queued_frames.dec_by(frames as i64);
        self.metrics.queued_bytes.dec_by(bytes as i64);
    }

    pub fn session_count(&self) -> usize {
        lock(&self.sessions).len()
    }

    pub fn sessions(&self) -> Vec<Arc<SessionShared>> {
        lock(&self.sessions).values().cloned().collect()
    }

    pub fn session(&self, id: SessionId) -> Option<Arc<SessionShared>> {
        lock(&self.sessions).get(&id).cloned()
    }

    /// Table update; returns the topics that became needed upstream.
    pub fn subscribe(&self, session: SessionId, topics: &[String]) -> Vec<String> {
        let mut table = lock(&self.table);
        let before = table.subscription_count();
        let needed = table.subscribe(session, topics);
        self.metrics.session_subscriptions.inc_by((table.subscription_count() - before) as i64);
        needed
    }

    pub fn unsubscribe(&self, session: SessionId, topics: &[String]) -> Vec<String> {
        let mut table = lock(&self.table);
        let before = table.subscription_count();
        let unneeded = table.unsubscribe(session, topics);
        self.metrics.session_subscriptions.dec_by((before - table.subscription_count()) as i64);
        unneeded
    }

    /// Sessions watching any of `topics`, each once.
    pub fn watchers(&self, topics: &[String]) -> Vec<Arc<SessionShared>> {
        let table = lock(&self.table);
        let mut ids: Vec<SessionId> = topics.iter().flat_map(|topic| table.subscribers(topic).iter().copied()).collect();
        drop(table);
        ids.sort_unstable();
        ids.dedup();
        let sessions = lock(&self.sessions);
        ids.iter().filter_map(|id| sessions.get(id).cloned()).collect()
    }

    /// Queues one upstream event (its original text) for every session watching `topic`.
    pub fn dispatch(&self, topic: &str, text: Utf8Bytes, received_at: Instant) {
        self.metrics.upstream_events.inc();
        let watchers = self.watchers(std::slice::from_ref(&topic.to_string()));
        if watchers.is_empty() {
            return;
        }
        let key: Option<Arc<str>> = is_state_topic(topic).then(|| Arc::from(topic));
        for session in watchers {
            self.push(&session, Outbound { conflation_key: key.clone(), text: text.clone(), received_at });
        }
    }

    /// Queues a gateway notice for one session.
    pub fn notify(&self, session: &SessionShared, notice: &impl Serialize) {
        let Ok(text) = serde_json::to_string(notice) else { return };
        self.push(session, Outbound { conflation_key: None, text: text.into(), received_at: Instant::now() });
    }

    fn push(&self, session: &SessionShared, frame: Outbound) {
        let room = self.limits.global_bytes.saturating_sub(self.queued_bytes.load(Ordering::Relaxed));
        let (pushed, delta) = {
            let mut queue = lock(&session.queue);
            let before = queue.bytes() as i64;
            let pushed = queue.push(frame, room);
            (pushed, queue.bytes() as i64 - before)
        };
        // Conflation may change the queued bytes either way.
        if delta >= 0 {
            self.queued_bytes.fetch_add(delta as usize, Ordering::Relaxed);
        } else {
            self.queued_bytes.fetch_sub(delta.unsigned_abs() as usize, Ordering::Relaxed);
        }
        self.metrics.queued_bytes.inc_by(delta);
        match pushed {
            Pushed::Queued => {
                self.metrics.queued_frames.inc();
                session.wake.notify_one();
            }
            Pushed::Conflated => {
                self.metrics.conflated.inc();
            }
            Pushed::Full => {
                self.metrics.dropped.inc();
                session.close(CloseReason::TryAgainLater, None);
            }
        }
    }

    /// Takes up to `max` queued frames of a session.
    pub fn take(&self, session: &SessionShared, max: usize) -> Vec<Outbound> {
        let mut queue = lock(&session.queue);
        let mut frames = Vec::new();
        while frames.len() < max {
            let Some(frame) = queue.pop() else { break };
            frames.push(frame);
        }
        drop(queue);
        let bytes: usize = frames.iter().map(|frame| frame.text.len()).sum();
        self.release(frames.len(), bytes);
        frames
    }
}
