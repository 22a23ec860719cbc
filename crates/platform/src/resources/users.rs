//! Users, presence and routing status. Users are versioned in the body: a stale `version` → 409.

use futures_util::Stream;
use switchboard_api::EntityRef;
use switchboard_api::user::{RoutingStatus, UpdateUser, User, UserPresence};

use crate::error::Result;
use crate::paging::{LIST_PAGE_SIZE, paged};
use crate::platform::Platform;
use crate::request::ApiRequest;
use crate::typed::{Versioned, fetch, fetch_versioned, segment};

const PATH: &str = "/api/v2/users";
/// The presence source the platform's own clients use.
pub const PURECLOUD_SOURCE: &str = "PURECLOUD";

pub struct Users<'a, P: ?Sized> {
    pub(crate) platform: &'a P,
}

impl<'a, P: Platform + ?Sized> Users<'a, P> {
    fn item(id: &str) -> String {
        format!("{PATH}/{}", segment(id))
    }

    pub fn list(self) -> impl Stream<Item = Result<User>> + Send + 'a {
        paged(self.platform, ApiRequest::get(PATH).about("user", None), LIST_PAGE_SIZE)
    }

    pub async fn get(self, id: &str) -> Result<Versioned<User>> {
        fetch_versioned(self.platform, ApiRequest::get(Self::item(id)).about("user", Some(id))).await
    }

    /// PATCH with the body `version` read last; stale → `Conflict`. Repeating the same versioned
    /// patch cannot apply twice (the second is a conflict), so it is retried like a PUT.
    pub async fn update(self, id: &str, update: &UpdateUser) -> Result<User> {
        fetch(self.platform, ApiRequest::patch(Self::item(id)).about("user", Some(id)).json(update)?.idempotent()).await
    }

    pub async fn presence(self, id: &str) -> Result<UserPresence> {
        let path = format!("{}/presences/{PURECLOUD_SOURCE}", Self::item(id));
        fetch(self.platform, ApiRequest::get(path).about("user presence", Some(id))).await
    }

    /// Sets presence (send `presence_definition.id`, or its `system_presence`). Idempotent.
    pub async fn set_presence(self, id: &str, presence: &UserPresence) -> Result<UserPresence> {
        let path = format!("{}/presences/{PURECLOUD_SOURCE}", Self::item(id));
        fetch(self.platform, ApiRequest::patch(path).about("user presence", Some(id)).json(presence)?.idempotent()).await
    }

    pub async fn routing_status(self, id: &str) -> Result<RoutingStatus> {
        fetch(self.platform, ApiRequest::get(format!("{}/routingstatus", Self::item(id))).about("routing status", Some(id))).await
    }

    pub async fn set_routing_status(self, id: &str, status: &RoutingStatus) -> Result<RoutingStatus> {
        let request = ApiRequest::put(format!("{}/routingstatus", Self::item(id))).about("routing status", Some(id)).json(status)?;
        fetch(self.platform, request).await
    }

    /// The queues the user belongs to.
    pub fn queues(self, id: &str) -> impl Stream<Item = Result<EntityRef>> + Send + 'a {
        paged(self.platform, ApiRequest::get(format!("{}/queues", Self::item(id))).about("user queue", Some(id)), LIST_PAGE_SIZE)
    }
}
