//! Start-up and supervision: from a configuration and a platform handle (as the gateway starts),
//! open and migrate the store, build the CRM client, serve health and metrics, and run the engine
//! and the CRM certificate reloader under a supervisor. A task that panics or ends on its own
//! turns readiness off, is counted in `/metrics` and is reported through `BridgeHandle::failure`
//! (a dead engine also gives up the lease at once), so the process can exit and be restarted
//! instead of living on as a zombie that looks healthy.

use crate::config::BridgeConfig;
use crate::crm::CrmClient;
use crate::engine::Engine;
use crate::error::BridgeError;
use crate::metrics::Metrics;
use crate::server::{self, ServerState};
use crate::status::Status;
use crate::store::migrations::MigrationReport;
use crate::store::{self, StateStore};
use crate::token_watch::TokenWatch;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use switchboard_platform::Platform;
use tokio::sync::watch;
use tokio::task::{AbortHandle, JoinHandle};

/// A started bridge. `drain` is SIGTERM; `kill` is `kill -9` (for in-process tests and the demo).
pub struct BridgeHandle {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    supervisor: JoinHandle<Result<(), BridgeError>>,
    engine: AbortHandle,
    server: JoinHandle<()>,
    failure: watch::Receiver<Option<String>>,
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
        let result = match self.supervisor.await {
            Ok(result) => result,
            Err(error) => Err(BridgeError::EngineStopped(format!("supervisor: {error}"))),
        };
        self.server.abort();
        result
    }

    /// Ends everything at once, like `kill -9`: no drain, the lease left to expire.
    pub fn kill(self) {
        self.supervisor.abort();
        self.engine.abort();
        self.server.abort();
    }

    /// Whether the engine has ended (drained, killed, or failed).
    pub fn finished(&self) -> bool {
        self.supervisor.is_finished()
    }

    /// Resolves with the reason once the engine died without being asked to (a panic, an
    /// error); never resolves otherwise. The CLI exits on it, so a supervisor restarts the process.
    pub async fn failure(&self) -> String {
        let mut failure = self.failure.clone();
        match failure.wait_for(Option::is_some).await {
            Ok(reason) => reason.clone().unwrap_or_default(),
            Err(_) => std::future::pending().await,
        }
    }
}

/// Starts the bridge against `platform` (the org's client, or any `Platform`). Returns once the
/// store is migrated and the health server listens; the engine resolves the queues and takes
/// the lease in the background, and `/health/ready` says when it can do its job.
pub async fn start(
    config: BridgeConfig,
    platform: Arc<dyn Platform>,
) -> Result<BridgeHandle, BridgeError> {
    let store = store::open(&config.state, config.done_retention).await?;
    let migrations = store.migrate(config.migration_phase).await?;
    tracing::info!(store = store.kind(), applied = ?migrations.applied, deferred = ?migrations.deferred, "state store migrated");
    let status = Arc::new(Status::default());
    status.migrated.store(true, Ordering::Relaxed);
    let crm = Arc::new(CrmClient::new(&config.crm_url, config.crm_tls.clone())?);
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
    let reloader = crm.spawn_reloader();
    let platform: Arc<dyn Platform> = Arc::new(TokenWatch::new(platform, status.clone()));
    let (stop, stopped) = watch::channel(false);
    let (failed, failure) = watch::channel(None);
    let instance_id = config.instance_id.clone();
    let engine = Engine::new(
        config,
        platform,
        crm.clone(),
        store.clone(),
        metrics.clone(),
        status.clone(),
        stopped.clone(),
    );
    metrics.engine_up.set(1);
    let engine = tokio::spawn(engine.run());
    let engine_abort = engine.abort_handle();
    let supervised = Supervised {
        metrics: metrics.clone(),
        status: status.clone(),
        store,
        instance_id,
        stopped,
        failed,
    };
    let supervisor = tokio::spawn(supervised.watch(engine, reloader));
    Ok(BridgeHandle {
        addr,
        stop,
        supervisor,
        engine: engine_abort,
        server,
        failure,
        metrics,
        status,
        crm,
        migrations,
    })
}

/// What the supervisor needs to record the engine's end.
struct Supervised {
    metrics: Arc<Metrics>,
    status: Arc<Status>,
    store: Arc<dyn StateStore>,
    instance_id: String,
    stopped: watch::Receiver<bool>,
    failed: watch::Sender<Option<String>>,
}

impl Supervised {
    /// Waits for the engine's end, noting a reloader that panics on the way.
    async fn watch(
        self,
        mut engine: JoinHandle<Result<(), BridgeError>>,
        mut reloader: Option<JoinHandle<()>>,
    ) -> Result<(), BridgeError> {
        loop {
            tokio::select! {
                outcome = &mut engine => {
                    if let Some(reloader) = reloader {
                        reloader.abort();
                    }
                    return self.judge(outcome).await;
                }
                ended = async {
                    match reloader.as_mut() {
                        Some(task) => task.await,
                        None => Ok(()),
                    }
                }, if reloader.is_some() => {
                    reloader = None;
                    // The reloader returns on its own only once the CRM client is gone (shutdown).
                    if let Err(error) = ended
                        && error.is_panic()
                    {
                        let reason = format!("the CRM certificate reloader panicked: {}", panic_message(error));
                        self.fail("crm_tls_reload", reason);
                    }
                }
            }
        }
    }

    /// Not ready, counted, reported.
    fn fail(&self, task: &str, reason: String) {
        self.status.set_failure(reason.clone());
        self.metrics.task_failed(task);
        tracing::error!("{reason}; not ready");
        let _ = self.failed.send(Some(reason));
    }

    async fn judge(
        self,
        outcome: Result<Result<(), BridgeError>, tokio::task::JoinError>,
    ) -> Result<(), BridgeError> {
        self.metrics.engine_up.set(0);
        let reason = match outcome {
            // Drained on request: the normal end.
            Ok(Ok(())) if *self.stopped.borrow() => return Ok(()),
            Ok(Ok(())) => "it ended without being stopped".to_string(),
            Ok(Err(error)) => error.to_string(),
            Err(error) if error.is_cancelled() => return Ok(()),
            Err(error) => format!("it panicked: {}", panic_message(error)),
        };
        self.status.active.store(false, Ordering::Relaxed);
        self.metrics.active.set(0);
        // A dead engine renews nothing: hand the lease over now rather than after it expires.
        if let Err(error) = self.store.release(self.instance_id.clone()).await {
            tracing::warn!("releasing the lease failed (it expires on its own): {error}");
        }
        self.fail("engine", format!("the engine stopped: {reason}"));
        Err(BridgeError::EngineStopped(reason))
    }
}

fn panic_message(error: tokio::task::JoinError) -> String {
    match error.try_into_panic() {
        Ok(payload) => payload
            .downcast_ref::<&str>()
            .map(|text| (*text).to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a non-text panic".to_string()),
        Err(error) => error.to_string(),
    }
}
