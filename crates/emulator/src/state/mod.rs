//! Shared emulator state as narrow handles: `AppState` only bundles them, and each handler
//! extracts just the handle it uses (`State<Directory>`, `State<Faults>`, ... through axum's
//! `FromRef`), so what a handler or subsystem can touch is visible in its signature.
//!
//! The org directory (`directory.rs`) holds the data store; lookups such as
//! `OrgStore::flow_for_number` live in `lookup.rs`. With `--state-dir`, every write is queued for
//! the database while the store lock is held (`persist.rs`), and requests are answered once their
//! writes are committed.

pub mod counters;
mod directory;
pub mod faults;
pub mod glob;
pub mod ids;
mod lookup;
pub mod persist;
pub mod rate;
pub mod seed;
mod store;
pub mod table;
pub mod tokens;

pub use directory::Directory;
pub use lookup::normalize_number;
pub use store::{DataTableRecord, FlowRecord, OrgStore, RowChange, StoredFlowVersion, Store};
pub use tokens::Caller;

use crate::middleware::metrics::Metrics;
use axum::extract::FromRef;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// Behaviour switches fixed at start.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Serve only what the real platform serves (no ETag, no `X-RateLimit-*`, no seed-only endpoints).
    pub strict: bool,
    pub token_lifetime: Duration,
    pub rate_limit_per_minute: u32,
    /// The rate-limit window; a minute on the real platform.
    pub rate_limit_window: Duration,
    /// How long a flow publish stays pending before its operation completes.
    pub publish_delay: Duration,
    /// Notification service limits and timings (`strict` is taken from above).
    pub notifications: crate::notifications::NotificationConfig,
    /// Header, body and handshake timeouts of every listener.
    pub connections: crate::connection::ConnectionTimeouts,
    /// What every `/_emulator/*` request must carry (`crate::control_token`).
    pub control_token: crate::control_token::ControlToken,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            strict: false,
            token_lifetime: Duration::from_secs(86_400),
            rate_limit_per_minute: 300,
            rate_limit_window: Duration::from_secs(60),
            publish_delay: Duration::from_millis(200),
            notifications: crate::notifications::NotificationConfig::default(),
            connections: crate::connection::ConnectionTimeouts::default(),
            control_token: crate::control_token::ControlToken::random(),
        }
    }
}

/// A shared book behind one lock (fault rules, counters, tokens, rate windows, Architect jobs);
/// cheap to clone, every clone shares the book.
pub struct Locked<T>(Arc<Mutex<T>>);

impl<T> Locked<T> {
    pub fn new(value: T) -> Locked<T> {
        Locked(Arc::new(Mutex::new(value)))
    }

    pub fn lock(&self) -> MutexGuard<'_, T> {
        relock(self.0.lock())
    }
}

impl<T> Clone for Locked<T> {
    fn clone(&self) -> Self {
        Locked(self.0.clone())
    }
}

impl<T: Default> Default for Locked<T> {
    fn default() -> Self {
        Locked::new(T::default())
    }
}

/// Fault rules (`/_emulator/faults`).
pub type Faults = Locked<faults::FaultBook>;
/// Request counters per org, method and route template.
pub type Counters = Locked<counters::Counters>;
/// Issued OAuth tokens.
pub type Tokens = Locked<tokens::TokenBook>;
/// Rate-limit windows per token.
pub type Rates = Locked<rate::RateBook>;
/// Architect publish and export jobs (not persisted: a job outlives no restart, as a presigned URL expires).
pub type ArchitectJobs = Locked<crate::architect::JobBook>;

/// Every handle of one emulator. Cheap to clone; every clone shares the same state. Inside the
/// crate only `app` and `spawn` hold it: handlers and subsystems take the narrow handles
/// (`FromRef`). Outside, its few methods are the facade the CLI, benchmarks and other crates'
/// tests drive a running emulator through (place calls, start traffic, add fault rules,
/// publish events, read the directory).
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Shared>,
}

struct Shared {
    settings: Arc<Settings>,
    directory: Directory,
    tokens: Tokens,
    rates: Rates,
    faults: Faults,
    counters: Counters,
    metrics: Arc<Metrics>,
    http: crate::outbound::Outbound,
    notifications: crate::notifications::NotificationHub,
    contact_center: Arc<crate::contact_center::ContactCenter>,
    /// The contact center's own handle (built once; its parts are the handles above).
    runtime: crate::contact_center::Runtime,
    architect_jobs: ArchitectJobs,
    /// The one clock every subsystem reads (`crate::clock`).
    clock: crate::clock::Clock,
}

/// A poisoned lock means a handler panicked mid-write; the data is still the best we have, so
/// keep serving rather than turning one bug into a dead server.
pub(crate) fn relock<T>(result: std::sync::LockResult<T>) -> T {
    result.unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl AppState {
    /// `clock` is the one every subsystem reads (`crate::clock`); the store was seeded on it.
    pub fn new(store: Store, settings: Settings, clock: crate::clock::Clock) -> AppState {
        let notifications = crate::notifications::NotificationHub::new(
            crate::notifications::NotificationConfig { strict: settings.strict, ..settings.notifications.clone() },
            clock,
        );
        let contact_center = Arc::new(crate::contact_center::ContactCenter::default());
        let metrics = Arc::new(Metrics::new(contact_center.analytics.evicted()));
        let directory = Directory::new(store, clock);
        let http = crate::outbound::Outbound::new();
        let runtime = crate::contact_center::Runtime {
            directory: directory.clone(),
            hub: notifications.clone(),
            center: contact_center.clone(),
            clock,
            http: http.clone(),
        };
        let shared = Shared {
            settings: Arc::new(settings),
            directory,
            tokens: Locked::new(tokens::TokenBook::new(clock)),
            rates: Locked::new(rate::RateBook::new(clock)),
            faults: Faults::default(),
            counters: Counters::default(),
            metrics,
            http,
            notifications,
            contact_center,
            runtime,
            architect_jobs: ArchitectJobs::default(),
            clock,
        };
        AppState { inner: Arc::new(shared) }
    }

    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    pub fn strict(&self) -> bool {
        self.inner.settings.strict
    }

    /// The client for tenant-chosen endpoints; `spawn` marks its listener as off limits.
    pub(crate) fn outbound(&self) -> &crate::outbound::Outbound {
        &self.inner.http
    }

    /// The control credential every `/_emulator/*` request must send in
    /// `switchboard_api::emulator::CONTROL_TOKEN_HEADER`. A secret: never log it.
    pub fn control_token(&self) -> &str {
        self.inner.settings.control_token.expose()
    }

    /// The orgs and their objects.
    pub fn directory(&self) -> &Directory {
        &self.inner.directory
    }

    pub fn tokens(&self) -> MutexGuard<'_, tokens::TokenBook> {
        self.inner.tokens.lock()
    }

    pub fn faults(&self) -> MutexGuard<'_, faults::FaultBook> {
        self.inner.faults.lock()
    }

    /// The request counters `/_emulator/counters` serves, for in-process callers (tests of a
    /// `--strict` emulator, which serves no control route).
    pub fn request_counters(&self) -> switchboard_api::emulator::RequestCounters {
        self.inner.counters.lock().snapshot()
    }

    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    /// Channels and event fan-out; publish events with `notifications().publish(..)`.
    pub fn notifications(&self) -> &crate::notifications::NotificationHub {
        &self.inner.notifications
    }

    /// Live calls, the ACD, traffic, analytics records and the fake CRM.
    pub fn contact_center(&self) -> &crate::contact_center::ContactCenter {
        &self.inner.contact_center
    }

    /// Starts a call on a DID; it runs in its own task (see `contact_center::place_call`).
    pub fn place_call(
        &self,
        request: crate::contact_center::CallRequest,
    ) -> Result<Arc<crate::contact_center::LiveCall>, crate::contact_center::CallError> {
        crate::contact_center::place_call(&self.inner.runtime, request)
    }

    /// Starts Poisson call arrivals on a DID (`/_emulator/traffic`); stop them with
    /// `contact_center().traffic.stop(id)`.
    pub fn start_traffic(
        &self,
        request: switchboard_api::traffic::TrafficRequest,
    ) -> Result<switchboard_api::traffic::TrafficStream, crate::contact_center::TrafficError> {
        self.inner.contact_center.traffic.start(&self.inner.runtime, request)
    }

}

/// `FromRef` for each narrow handle: `State<Directory>` in a handler clones one `Arc`.
macro_rules! handles {
    ($($handle:ty => $field:ident),* $(,)?) => {
        $(impl FromRef<AppState> for $handle {
            fn from_ref(state: &AppState) -> Self {
                state.inner.$field.clone()
            }
        })*
    };
}

handles! {
    Arc<Settings> => settings,
    Directory => directory,
    Tokens => tokens,
    Rates => rates,
    Faults => faults,
    Counters => counters,
    Arc<Metrics> => metrics,
    crate::outbound::Outbound => http,
    crate::notifications::NotificationHub => notifications,
    Arc<crate::contact_center::ContactCenter> => contact_center,
    crate::contact_center::Runtime => runtime,
    ArchitectJobs => architect_jobs,
    crate::clock::Clock => clock,
}
