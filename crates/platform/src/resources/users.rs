//! Users, presence and routing status. Users are versioned in the body: a stale `version` → 409.

use futures_util::Stream;
use switchboard_api::EntityRef;
use switchboard_api::paging::EntityListing;
use switchboard_api::user::{RoutingStatus, UpdateUser, User, UserPresence};

use crate::error::Result;
use crate::paging::{LIST_PAGE_SIZE, paged};
use crate::platform::Platform;
use crate::request::ApiRequest;
use crate::typed::{Versioned, fetch, fetch_versioned, segment};

const PATH: &str = "/api/v2/users";
/// Most ids one bulk read asks for (`GET /api/v2/users?id=…`): the page holds them all.
pub const BULK_USER_IDS: usize = 100;
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

    /// Up to `BULK_USER_IDS` users by id in one call (`GET /api/v2/users?id=…&expand=…`), e.g. with
    /// `expand` = `["presence", "routingStatus"]` for their current state. Ids the org does not
    /// know are left out of the answer. The platform resolves `expand` best effort, so an
    /// expanded field may be missing. More than `BULK_USER_IDS` ids → `BadRequest` before any call.
    pub async fn bulk(self, ids: &[&str], expand: &[&str]) -> Result<Vec<User>> {
        if ids.len() > BULK_USER_IDS {
            return Err(crate::error::PlatformError::BadRequest { message: format!("{} user ids in one bulk read; at most {BULK_USER_IDS}", ids.len()) });
        }
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut request = ApiRequest::get(PATH).about("user", None).query("pageSize", BULK_USER_IDS).query("pageNumber", 1);
        for id in ids {
            request = request.query("id", id);
        }
        if !expand.is_empty() {
            request = request.query("expand", expand.join(","));
        }
        let listing: EntityListing<User> = fetch(self.platform, request).await?;
        Ok(listing.entities)
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
