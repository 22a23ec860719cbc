//! Architect flows: CRUD, versions, and the lock-guarded actions (`checkout`, `checkin`,
//! `revert`, `unlock`, `deactivate`). Checkin finishes asynchronously as an `Operation` on the
//! flow; `wait_for_operation` polls it to the end. There is deliberately no call that saves or
//! publishes a version: flow content reaches a platform only as Archy YAML through Architect jobs
//! (`flow_jobs.rs`: `Flows::publish`, `Flows::export`), checked by `cargo xtask tidy`.

use std::time::Duration;

use futures_util::Stream;
use serde::de::DeserializeOwned;
use switchboard_api::flow::{Flow, FlowVersion, Operation, action_status};
use tokio::time::Instant;

use crate::error::{PlatformError, Result};
use crate::paging::{LIST_PAGE_SIZE, paged};
use crate::platform::Platform;
use crate::request::ApiRequest;
use crate::typed::{Versioned, fetch, fetch_nothing, fetch_versioned, segment};

const PATH: &str = "/api/v2/flows";

/// How long and how often to poll an operation.
#[derive(Debug, Clone, Copy)]
pub struct OperationWait {
    pub poll_every: Duration,
    pub give_up_after: Duration,
}

impl Default for OperationWait {
    fn default() -> Self {
        Self { poll_every: Duration::from_millis(250), give_up_after: Duration::from_secs(120) }
    }
}

pub struct Flows<'a, P: ?Sized> {
    pub(crate) platform: &'a P,
}

impl<'a, P: Platform + ?Sized> Flows<'a, P> {
    pub(super) fn item(id: &str) -> String {
        format!("{PATH}/{}", segment(id))
    }

    /// Flows filtered by exact name and/or type (`INBOUNDCALL`, ...).
    pub fn list(self, name: Option<&str>, flow_type: Option<&str>) -> impl Stream<Item = Result<Flow>> + Send + 'a {
        let mut request = ApiRequest::get(PATH).about("flow", None);
        if let Some(name) = name {
            request = request.query("name", name);
        }
        if let Some(flow_type) = flow_type {
            request = request.query("type", flow_type);
        }
        paged(self.platform, request, LIST_PAGE_SIZE)
    }

    pub async fn get(self, id: &str) -> Result<Versioned<Flow>> {
        fetch_versioned(self.platform, ApiRequest::get(Self::item(id)).about("flow", Some(id))).await
    }

    pub async fn create(self, flow: &Flow) -> Result<Flow> {
        fetch(self.platform, ApiRequest::post(PATH).about("flow", None).json(flow)?).await
    }

    /// Renames/describes a flow; the caller must hold its lock (checkout), else `Conflict`.
    pub async fn update(self, id: &str, flow: &Flow, etag: Option<&str>) -> Result<Versioned<Flow>> {
        let request = ApiRequest::put(Self::item(id)).about("flow", Some(id)).json(flow)?.if_match(etag.map(str::to_owned));
        fetch_versioned(self.platform, request).await
    }

    pub async fn delete(self, id: &str) -> Result<()> {
        fetch_nothing(self.platform, ApiRequest::delete(Self::item(id)).about("flow", Some(id))).await
    }

    pub fn versions(self, id: &str) -> impl Stream<Item = Result<FlowVersion>> + Send + 'a {
        paged(self.platform, ApiRequest::get(format!("{}/versions", Self::item(id))).about("flow version", Some(id)), LIST_PAGE_SIZE)
    }

    pub async fn version(self, id: &str, version_id: &str) -> Result<FlowVersion> {
        let path = format!("{}/versions/{}", Self::item(id), segment(version_id));
        fetch(self.platform, ApiRequest::get(path).about("flow version", Some(version_id))).await
    }

    /// A version's configuration (our flow definition format, as JSON), decoded as `T`.
    pub async fn version_configuration<T: DeserializeOwned>(self, id: &str, version_id: &str) -> Result<T> {
        let path = format!("{}/versions/{}/configuration", Self::item(id), segment(version_id));
        fetch(self.platform, ApiRequest::get(path).about("flow configuration", Some(version_id))).await
    }

    fn action(name: &str, id: &str) -> ApiRequest {
        ApiRequest::post(format!("{PATH}/actions/{name}")).query("flow", id).about("flow", Some(id))
    }

    /// Locks the flow to this client. Repeating it as the lock holder is harmless: idempotent.
    pub async fn checkout(self, id: &str) -> Result<Flow> {
        fetch(self.platform, Self::action("checkout", id).idempotent()).await
    }

    /// Turns the saved draft into a checked-in version; asynchronous, returns the operation.
    pub async fn checkin(self, id: &str) -> Result<Operation> {
        fetch(self.platform, Self::action("checkin", id)).await
    }

    /// Discards the saved draft, going back to the last checked-in version.
    pub async fn revert(self, id: &str) -> Result<Flow> {
        fetch(self.platform, Self::action("revert", id)).await
    }

    /// Who holds the flow's lock now (`lockedUser` / `lockedClient`), `None` when unlocked.
    pub async fn lock_holder(self, id: &str) -> Result<Option<switchboard_api::flow::LockHolder>> {
        Ok(self.get(id).await?.value.lock_holder())
    }

    /// Releases the lock whoever holds it (the real action needs Architect admin rights). A
    /// review never calls this on a lock it does not hold.
    pub async fn unlock(self, id: &str) -> Result<Flow> {
        fetch(self.platform, Self::action("unlock", id).idempotent()).await
    }

    pub async fn deactivate(self, id: &str) -> Result<Flow> {
        fetch(self.platform, Self::action("deactivate", id).idempotent()).await
    }

    /// Polls the flow until `operation` completes: `Ok` with the flow on success,
    /// `OperationFailed` on failure, `Timeout` when `wait.give_up_after` passes.
    pub async fn wait_for_operation(self, id: &str, operation: &Operation, wait: OperationWait) -> Result<Flow> {
        let give_up = Instant::now() + wait.give_up_after;
        let mut current = operation.clone();
        loop {
            if current.complete || current.action_status == action_status::SUCCESS {
                if current.action_status == action_status::FAILURE {
                    return Err(failed(&current));
                }
                return Ok(self.get(id).await?.value);
            }
            if current.action_status == action_status::FAILURE {
                return Err(failed(&current));
            }
            if Instant::now() + wait.poll_every > give_up {
                return Err(PlatformError::Timeout { after: wait.give_up_after });
            }
            tokio::time::sleep(wait.poll_every).await;
            let flow = self.get(id).await?.value;
            current = match flow.current_operation {
                Some(latest) if latest.id == operation.id => latest,
                // The flow moved on to another operation (or cleared it): ours has finished.
                Some(_) | None => Operation { complete: true, action_status: action_status::SUCCESS.into(), ..current },
            };
        }
    }
}

fn failed(operation: &Operation) -> PlatformError {
    let message = [operation.error_code.as_deref(), operation.error_message.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(": ");
    PlatformError::OperationFailed { id: operation.id.clone(), message: if message.is_empty() { operation.action_name.clone() } else { message } }
}
