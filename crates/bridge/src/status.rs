//! What `/health/ready` reports, as facts the running parts keep current: the token (cleared on
//! a 401 or a refused token request, set again by the next success), the served queues resolved,
//! the migrations run, the background tasks alive, draining. Ready means the bridge can do its job now.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

#[derive(Debug)]
pub struct Status {
    /// The last platform call was authorised (see `token_watch`).
    pub token_ok: AtomicBool,
    /// Every entry of `BRIDGE_QUEUES` names a queue of the org.
    pub queues_resolved: AtomicBool,
    pub migrated: AtomicBool,
    pub draining: AtomicBool,
    /// Holds the processing lease.
    pub active: AtomicBool,
    /// The background tasks (the engine's lease loop and sessions, the CRM certificate reloader)
    /// run; false once one panicked or ended on its own.
    pub workers_alive: AtomicBool,
    /// Why the bridge is not ready, when it knows (one line, never a secret).
    problem: Mutex<Option<String>>,
    /// A background task's death: kept, since it ends only with the process.
    failure: Mutex<Option<String>>,
}

impl Default for Status {
    fn default() -> Self {
        Status {
            token_ok: AtomicBool::new(false),
            queues_resolved: AtomicBool::new(false),
            migrated: AtomicBool::new(false),
            draining: AtomicBool::new(false),
            active: AtomicBool::new(false),
            workers_alive: AtomicBool::new(true),
            problem: Mutex::new(None),
            failure: Mutex::new(None),
        }
    }
}

impl Status {
    /// Everything but the store, which readiness pings on each request.
    pub fn ready_without_store(&self) -> bool {
        self.token_ok.load(Ordering::Relaxed)
            && self.queues_resolved.load(Ordering::Relaxed)
            && self.migrated.load(Ordering::Relaxed)
            && self.workers_alive.load(Ordering::Relaxed)
            && !self.draining.load(Ordering::Relaxed)
    }

    pub fn set_problem(&self, problem: Option<String>) {
        *self
            .problem
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = problem;
    }

    /// A background task died: not ready from now on, whatever else recovers.
    pub fn set_failure(&self, reason: String) {
        self.workers_alive.store(false, Ordering::Relaxed);
        *self
            .failure
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(reason);
    }

    /// The task failure if there is one, else the current problem.
    pub fn problem(&self) -> Option<String> {
        let failure = self
            .failure
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        failure.or_else(|| {
            self.problem
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .clone()
        })
    }
}
