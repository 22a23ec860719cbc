//! The Genesys Cloud provider over `switchboard-platform`: neutral documents to and from the
//! real wire shapes, list calls with paging, conditional writes (ETag `If-Match` when the
//! target sends one, body `version` where the platform versions an object, otherwise a fresh
//! read compared with what the engine saw), flows published through Architect jobs.

mod datatable;
mod flow;
mod integration;
mod ivr;
mod queue;

use std::sync::Arc;

use futures_util::TryStreamExt;
use futures_util::future::BoxFuture;
use serde_json::{Map, Value};
use switchboard_platform::{Platform, PlatformError, PlatformExt};

use crate::provider::{LiveObject, Provider, ProviderError, ProviderResult};

/// Kinds in export order (dependencies first).
const KINDS: &[&str] = &["integration", "data_action", "datatable", "flow", "queue", "ivr", "user"];

pub struct GenesysProvider {
    platform: Arc<dyn Platform>,
    label: String,
    /// How long a flow publish or export may take.
    pub flow_wait: switchboard_platform::OperationWait,
}

impl GenesysProvider {
    pub fn new(platform: Arc<dyn Platform>) -> Self {
        let label = platform.label().to_string();
        Self { platform, label, flow_wait: switchboard_platform::OperationWait::default() }
    }

    pub(crate) fn platform(&self) -> &dyn Platform {
        self.platform.as_ref()
    }

    async fn list_users(&self) -> ProviderResult<Vec<LiveObject>> {
        let users: Vec<_> = self.platform().users().list().try_collect().await.map_err(wrap("users"))?;
        Ok(users
            .into_iter()
            .map(|user| {
                let name = user.email.clone().unwrap_or_else(|| user.name.clone());
                LiveObject {
                    kind: "user".into(),
                    body: serde_json::json!({"name": name, "displayName": user.name}),
                    name,
                    id: user.id,
                    revision: Some(user.version.to_string()),
                    enabled: user.state.as_deref() != Some("inactive"),
                    modified_by: None,
                    modified_at: None,
                    guard: None,
                }
            })
            .collect())
    }
}

/// Maps a platform error for `what`: conflicts and not-found keep their meaning for the engine.
pub(crate) fn wrap(what: impl Into<String>) -> impl FnOnce(PlatformError) -> ProviderError {
    let what = what.into();
    move |error| match error {
        error if error.is_conflict() => ProviderError::Conflict { what, message: error.to_string() },
        PlatformError::NotFound { .. } => ProviderError::NotFound { what },
        PlatformError::Unsupported { feature } => ProviderError::Unsupported { what, message: feature },
        source => ProviderError::Platform { what, source },
    }
}

pub(crate) fn invalid(what: &str, message: impl std::fmt::Display) -> ProviderError {
    ProviderError::Invalid { what: what.to_string(), message: message.to_string() }
}

/// Copies the keys of `managed` (the neutral document) over a full wire object, except the
/// ones the kind writes through other calls (members, rows).
pub(crate) fn overlay(mut wire: Value, managed: &Value, skip: &[&str]) -> Value {
    if let (Value::Object(target), Value::Object(source)) = (&mut wire, managed) {
        for (key, value) in source {
            if !skip.contains(&key.as_str()) {
                target.insert(key.clone(), value.clone());
            }
        }
    }
    wire
}

/// Keeps only `keys` of a wire object, dropping nulls: the neutral view of a live object.
pub(crate) fn pick(wire: &Value, keys: &[&str]) -> Map<String, Value> {
    let mut out = Map::new();
    for key in keys {
        if let Some(value) = wire.get(*key).filter(|value| !value.is_null()) {
            out.insert((*key).to_string(), value.clone());
        }
    }
    out
}

/// `{"id": X}` from an entity reference (name and selfUri dropped).
pub(crate) fn id_ref(value: Option<&Value>) -> Option<Value> {
    value.and_then(|entity| entity.get("id")).map(|id| serde_json::json!({"id": id}))
}

/// A fresh read's revision against the one the engine saw: a difference means someone wrote
/// in between (read-compare-write where the platform has no conditional write).
pub(crate) fn check_revision(what: &str, seen: &LiveObject, fresh: Option<&str>) -> ProviderResult<()> {
    match (&seen.revision, fresh) {
        (Some(seen_revision), Some(fresh)) if seen_revision != fresh => {
            Err(ProviderError::Conflict { what: what.to_string(), message: format!("changed since read (revision {seen_revision} → {fresh})") })
        }
        _ => Ok(()),
    }
}

impl Provider for GenesysProvider {
    fn label(&self) -> &str {
        &self.label
    }

    fn kinds(&self) -> &'static [&'static str] {
        KINDS
    }

    fn comparable(&self, kind: &str, mut body: Value) -> Value {
        if kind == "flow" {
            return flow::comparable(body);
        }
        // Members and numbers are sets: order is not a difference.
        for key in ["members", "dnis"] {
            if let Some(Value::Array(items)) = body.get_mut(key) {
                items.sort_by_key(ToString::to_string);
            }
        }
        body
    }

    fn list<'a>(&'a self, kind: &'a str, expand: &'a [String]) -> BoxFuture<'a, ProviderResult<Vec<LiveObject>>> {
        Box::pin(async move {
            match kind {
                "queue" => queue::list(self, expand).await,
                "flow" => flow::list(self, expand).await,
                "datatable" => datatable::list(self, expand).await,
                "integration" => integration::list(self).await,
                "data_action" => integration::list_actions(self).await,
                "ivr" => ivr::list(self).await,
                "user" => self.list_users().await,
                other => Err(invalid(other, "unknown kind")),
            }
        })
    }

    fn read<'a>(&'a self, kind: &'a str, id: &'a str) -> BoxFuture<'a, ProviderResult<Option<LiveObject>>> {
        Box::pin(async move {
            let outcome = match kind {
                "queue" => queue::read(self, id).await,
                "flow" => flow::read(self, id).await,
                "datatable" => datatable::read(self, id).await,
                "integration" => integration::read(self, id).await,
                "data_action" => integration::read_action(self, id).await,
                "ivr" => ivr::read(self, id).await,
                other => Err(invalid(other, "unknown or read-only kind")),
            };
            match outcome {
                Ok(object) => Ok(Some(object)),
                Err(ProviderError::NotFound { .. }) => Ok(None),
                Err(error) => Err(error),
            }
        })
    }

    fn read_like<'a>(&'a self, kind: &'a str, id: &'a str, document: &'a Value) -> BoxFuture<'a, ProviderResult<Option<LiveObject>>> {
        Box::pin(async move {
            if kind != "queue" {
                return self.read(kind, id).await;
            }
            match queue::read_with(self, id, document.get("members").is_some()).await {
                Ok(object) => Ok(Some(object)),
                Err(ProviderError::NotFound { .. }) => Ok(None),
                Err(error) => Err(error),
            }
        })
    }

    fn create<'a>(&'a self, kind: &'a str, body: &'a Value) -> BoxFuture<'a, ProviderResult<LiveObject>> {
        Box::pin(async move {
            match kind {
                "queue" => queue::create(self, body).await,
                "flow" => flow::publish(self, body, None).await,
                "datatable" => datatable::create(self, body).await,
                "integration" => integration::create(self, body).await,
                "data_action" => integration::create_action(self, body).await,
                "ivr" => ivr::create(self, body).await,
                other => Err(invalid(other, "unknown or read-only kind")),
            }
        })
    }

    fn update<'a>(&'a self, current: &'a LiveObject, body: &'a Value) -> BoxFuture<'a, ProviderResult<LiveObject>> {
        Box::pin(async move {
            match current.kind.as_str() {
                "queue" => queue::update(self, current, body).await,
                "flow" => flow::publish(self, body, Some(current)).await,
                "datatable" => datatable::update(self, current, body).await,
                "integration" => integration::update(self, current, body).await,
                "data_action" => integration::update_action(self, current, body).await,
                "ivr" => ivr::update(self, current, body).await,
                other => Err(invalid(other, "unknown or read-only kind")),
            }
        })
    }

    fn delete<'a>(&'a self, current: &'a LiveObject) -> BoxFuture<'a, ProviderResult<()>> {
        Box::pin(async move {
            let what = format!("{} {}", current.kind, current.name);
            let platform = self.platform();
            let outcome = match current.kind.as_str() {
                "queue" => platform.queues().delete(&current.id).await,
                "flow" => platform.flows().delete(&current.id).await,
                "datatable" => platform.datatables().delete(&current.id).await,
                "integration" => platform.integrations().delete(&current.id).await,
                "data_action" => platform.integrations().delete_action(&current.id).await,
                "ivr" => platform.telephony().delete_ivr(&current.id).await,
                other => return Err(invalid(other, "unknown or read-only kind")),
            };
            match outcome {
                Ok(()) => Ok(()),
                Err(error) if error.is_not_found() => Ok(()),
                Err(error) => Err(wrap(what)(error)),
            }
        })
    }

    /// A queue's members on queue (any routing status but `OFF_QUEUE`), from the real queue
    /// observation query.
    fn capacity<'a>(&'a self, kind: &'a str, id: &'a str) -> BoxFuture<'a, ProviderResult<Option<u64>>> {
        Box::pin(async move {
            if kind != "queue" {
                return Ok(None);
            }
            use switchboard_platform::api::analytics_observations::{ON_QUEUE_USERS, QueueObservationQuery};
            let query = QueueObservationQuery::for_queues([id], &[ON_QUEUE_USERS]);
            let observed = self.platform().analytics().queue_observations(&query).await.map_err(wrap(format!("queue {id} observations")))?;
            Ok(Some(observed.count(id, ON_QUEUE_USERS)))
        })
    }
}
