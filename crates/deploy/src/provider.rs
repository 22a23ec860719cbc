//! The provider interface: everything the engine needs from a vendor, over provider-neutral
//! documents (JSON objects keyed like the config's resources). Genesys Cloud is the first
//! implementation (`genesys`); a NICE CXone provider plugs in here without touching the engine.
//!
//! Object-safe (boxed futures) so the engine holds `Arc<dyn Provider>` per org.

use futures_util::future::BoxFuture;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One live object as the provider sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveObject {
    pub kind: String,
    pub name: String,
    /// The platform's id; references resolve to it.
    pub id: String,
    /// The neutral document (same keys as the config's), ids where the config has references.
    pub body: Value,
    /// The object's change marker, opaque to the engine: the same whether the object came from a
    /// listing or a read by id, and it changes on every write, so equal revisions mean nothing
    /// changed (a plan then takes sub-collections from what we last applied).
    pub revision: Option<String>,
    /// A precondition for a conditional write that a listing does not carry (an ETag answered
    /// by a read or by our own last write), opaque to the engine. With one, an update is a
    /// single conditional write; a stale one fails as a conflict (re-read, retry).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guard: Option<String>,
    /// Whether the object is usable as a dependency (an integration that is disabled is not).
    pub enabled: bool,
    /// Who or what last changed it, when the platform says.
    pub modified_by: Option<String>,
    pub modified_at: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// Someone else wrote first (409/412): re-read, re-diff, retry.
    #[error("conflict on {what}: {message}")]
    Conflict { what: String, message: String },
    #[error("{what} not found")]
    NotFound { what: String },
    #[error("{what}: the platform does not support this ({message})")]
    Unsupported { what: String, message: String },
    #[error("{what}: {message}")]
    Invalid { what: String, message: String },
    #[error("{what}: {source}")]
    Platform {
        what: String,
        #[source]
        source: switchboard_platform::PlatformError,
    },
}

impl ProviderError {
    pub fn is_conflict(&self) -> bool {
        matches!(self, Self::Conflict { .. })
    }
}

pub type ProviderResult<T> = Result<T, ProviderError>;

pub trait Provider: Send + Sync {
    /// The org this provider talks to, for messages.
    fn label(&self) -> &str;

    /// Every object of `kind` by list calls (pages), never one read per object. Sub-collections
    /// (queue members, table rows) are filled only for the names in `expand`.
    fn list<'a>(&'a self, kind: &'a str, expand: &'a [String]) -> BoxFuture<'a, ProviderResult<Vec<LiveObject>>>;

    /// One object, fresh, with its sub-collections (apply re-reads before each write).
    fn read<'a>(&'a self, kind: &'a str, id: &'a str) -> BoxFuture<'a, ProviderResult<Option<LiveObject>>>;

    /// One object by id with only the sub-collections `document` holds (a rollback's proof
    /// compares a snapshot's fields, so it reads no more than those). Defaults to [`Provider::read`].
    fn read_like<'a>(&'a self, kind: &'a str, id: &'a str, _document: &'a Value) -> BoxFuture<'a, ProviderResult<Option<LiveObject>>> {
        self.read(kind, id)
    }

    /// Creates an object from a document whose references are resolved to ids.
    fn create<'a>(&'a self, kind: &'a str, body: &'a Value) -> BoxFuture<'a, ProviderResult<LiveObject>>;

    /// Writes `body` (the whole neutral document) over `current`, conditionally: the provider
    /// uses `current.guard` as `If-Match` or `current.revision` as the body version, else reads
    /// and compares first. Returns the object as written, without reading it back.
    fn update<'a>(&'a self, current: &'a LiveObject, body: &'a Value) -> BoxFuture<'a, ProviderResult<LiveObject>>;

    fn delete<'a>(&'a self, current: &'a LiveObject) -> BoxFuture<'a, ProviderResult<()>>;

    /// The form of a document that diffs compare (e.g. flow source parsed, so formatting does
    /// not count). Applied to desired and live alike; writes use the original.
    fn comparable(&self, _kind: &str, body: Value) -> Value {
        body
    }

    /// Kinds this provider can list, in the order an export writes them.
    fn kinds(&self) -> &'static [&'static str];

    /// How many agents can take work from object `id` of `kind` right now (capacity-aware
    /// weights); `None` when this platform cannot tell for that kind.
    fn capacity<'a>(&'a self, _kind: &'a str, _id: &'a str) -> BoxFuture<'a, ProviderResult<Option<u64>>> {
        Box::pin(async { Ok(None) })
    }
}
