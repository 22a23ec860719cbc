//! The wall-clock contact center: calls placed on DIDs run their flows with the simulation
//! crate's runtime against live org state, perform data actions as real HTTP requests, wait in a
//! live ACD and are answered by agents whose routing status the emulator keeps current. Every
//! call leaves a conversation and a record for analytics.
//!
//! Entry points: [`place_call`] for one call, [`TrafficController`] for Poisson arrivals.

mod acd;
mod agent_leg;
mod call;
pub mod data_action;
mod driver;
mod events;
pub mod routes;
mod traffic;
mod runtime;
mod world;

pub use call::{LiveCall, Outcome, Phase, participant_id};
pub use driver::{CallError, CallRequest, place_call, placed_call};
pub use runtime::Runtime;
pub use traffic::{TrafficController, TrafficError};

use crate::analytics::AnalyticsStore;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use switchboard_simulation::distribution::DurationDistribution;

/// How agents and callers behave. Durations are in modelled time (divided by a call's speed-up).
/// Set from a topology's `contact_center:` section; absent fields keep their defaults.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CenterOptions {
    pub handle_time: DurationDistribution,
    pub wrap_up: DurationDistribution,
    pub patience: DurationDistribution,
    /// Seed of the per-call random draws (randomize blocks, jitter, durations).
    pub seed: u64,
}

impl Default for CenterOptions {
    fn default() -> Self {
        CenterOptions {
            handle_time: DurationDistribution::Exponential { mean_ms: 180_000.0 },
            wrap_up: DurationDistribution::Constant { ms: 30_000.0 },
            patience: DurationDistribution::Exponential { mean_ms: 120_000.0 },
            seed: 7,
        }
    }
}

/// Ended calls kept for `GET /api/v2/conversations/{id}` after they finish.
const ENDED_CALLS_KEPT: usize = 10_000;

#[derive(Default)]
struct CallBook {
    calls: HashMap<String, Arc<LiveCall>>,
    ended: VecDeque<String>,
}

/// Per-emulator contact-center state; running calls reach it through a `Runtime`.
#[derive(Default)]
pub struct ContactCenter {
    pub analytics: AnalyticsStore,
    pub traffic: TrafficController,
    pub crm: crate::crm::Crm,
    /// Integration sessions opened by flows' data actions.
    pub sessions: crate::domain::integration_sessions::Sessions,
    calls: Mutex<CallBook>,
    programs: world::ProgramCache,
    acd: acd::Acd,
    options: RwLock<CenterOptions>,
    sequence: AtomicU64,
    dispatcher_started: AtomicBool,
    own_base_url: RwLock<Option<String>>,
}

impl ContactCenter {
    pub fn options(&self) -> CenterOptions {
        self.options.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    pub fn set_options(&self, options: CenterOptions) {
        *self.options.write().unwrap_or_else(std::sync::PoisonError::into_inner) = options;
    }

    pub fn call(&self, conversation_id: &str) -> Option<Arc<LiveCall>> {
        self.lock_calls().calls.get(conversation_id).cloned()
    }

    /// Live calls (not yet ended) of an org.
    pub fn live_calls(&self, org_id: &str) -> Vec<Arc<LiveCall>> {
        let book = self.lock_calls();
        book.calls
            .values()
            .filter(|call| {
                let locked = call.lock();
                locked.org_id == org_id && locked.phase != Phase::Ended
            })
            .cloned()
            .collect()
    }

    /// Calls placed and not yet ended, in every org (bounded by `limits::LIVE_CALLS_MAX`).
    pub fn live_call_count(&self) -> usize {
        let book = self.lock_calls();
        book.calls.len().saturating_sub(book.ended.len())
    }

    /// Finished records plus snapshots of live calls, for queries that must see calls in progress.
    pub fn records_with_live(&self, org_id: &str) -> Vec<crate::analytics::ConversationRecord> {
        let mut records = self.analytics.records(org_id);
        records.extend(self.live_calls(org_id).iter().map(|call| call.lock().record.clone()));
        records
    }

    /// Callers waiting in a queue now.
    pub fn waiting(&self, org_id: &str, queue_id: &str) -> usize {
        self.acd.waiting(org_id, queue_id)
    }

    /// Stops traffic and forgets analytics records and CRM data (for `/_emulator/reset?data=true`),
    /// and points topology integrations at this emulator again.
    pub fn reset_data(&self, directory: &crate::state::Directory) {
        self.traffic.stop_all();
        self.analytics.clear();
        self.crm.clear();
        if let Some(base_url) = self.own_base_url() {
            crate::crm::point_integrations_at(directory, self, &base_url);
        }
    }

    /// The emulator's own `http://host:port`, once bound.
    pub fn own_base_url(&self) -> Option<String> {
        self.own_base_url.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    pub(crate) fn set_own_base_url(&self, base_url: &str) {
        *self.own_base_url.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(base_url.to_string());
    }

    fn lock_calls(&self) -> std::sync::MutexGuard<'_, CallBook> {
        self.calls.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn register(&self, call: Arc<LiveCall>) {
        self.lock_calls().calls.insert(call.id.clone(), call);
    }

    /// Keeps an ended call visible for a while, evicting the oldest ended ones.
    fn retire(&self, conversation_id: &str) {
        let mut book = self.lock_calls();
        book.ended.push_back(conversation_id.to_string());
        while book.ended.len() > ENDED_CALLS_KEPT {
            if let Some(old) = book.ended.pop_front() {
                book.calls.remove(&old);
            }
        }
    }

    fn next_sequence(&self) -> u64 {
        self.sequence.fetch_add(1, Ordering::Relaxed)
    }
}
