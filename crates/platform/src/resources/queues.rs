//! Routing queues and their members. The real platform keeps queues last-write-wins; the seeds'
//! ETag layer adds `If-Match` (use `update_with_etag`, or `ReadCompareWrite`).

use futures_util::Stream;
use switchboard_api::queue::{Queue, QueueMember, QueueMemberPatch, WritableEntity};

use crate::error::Result;
use crate::paging::{LIST_PAGE_SIZE, collect_all, paged};
use crate::platform::Platform;
use crate::request::ApiRequest;
use crate::typed::{Versioned, fetch, fetch_nothing, fetch_versioned, segment};

const PATH: &str = "/api/v2/routing/queues";

pub struct Queues<'a, P: ?Sized> {
    pub(crate) platform: &'a P,
}

impl<'a, P: Platform + ?Sized> Queues<'a, P> {
    fn item(id: &str) -> String {
        format!("{PATH}/{}", segment(id))
    }

    /// Every queue, optionally filtered by exact name.
    pub fn list(self, name: Option<&str>) -> impl Stream<Item = Result<Queue>> + Send + 'a {
        let mut request = ApiRequest::get(PATH).about("queue", None);
        if let Some(name) = name {
            request = request.query("name", name);
        }
        paged(self.platform, request, LIST_PAGE_SIZE)
    }

    pub async fn list_all(self) -> Result<Vec<Queue>> {
        collect_all(self.platform, ApiRequest::get(PATH).about("queue", None)).await
    }

    pub async fn get(self, id: &str) -> Result<Versioned<Queue>> {
        fetch_versioned(self.platform, ApiRequest::get(Self::item(id)).about("queue", Some(id))).await
    }

    /// Not idempotent: a retried POST after an ambiguous failure could create two queues.
    pub async fn create(self, queue: &Queue) -> Result<Queue> {
        fetch(self.platform, ApiRequest::post(PATH).about("queue", None).json(queue)?).await
    }

    /// [`Queues::create`] with the answer's ETag (when the target serves one), so the next
    /// conditional write needs no read first.
    pub async fn create_versioned(self, queue: &Queue) -> Result<Versioned<Queue>> {
        fetch_versioned(self.platform, ApiRequest::post(PATH).about("queue", None).json(queue)?).await
    }

    /// Unconditional PUT (last write wins, as on the real platform).
    pub async fn update(self, id: &str, queue: &Queue) -> Result<Versioned<Queue>> {
        self.update_with_etag(id, queue, None).await
    }

    /// PUT with `If-Match` when `etag` is given: a stale ETag fails with `PreconditionFailed`.
    pub async fn update_with_etag(self, id: &str, queue: &Queue, etag: Option<&str>) -> Result<Versioned<Queue>> {
        let request = ApiRequest::put(Self::item(id)).about("queue", Some(id)).json(queue)?.if_match(etag.map(str::to_owned));
        fetch_versioned(self.platform, request).await
    }

    pub async fn delete(self, id: &str) -> Result<()> {
        fetch_nothing(self.platform, ApiRequest::delete(Self::item(id)).about("queue", Some(id))).await
    }

    pub fn members(self, id: &str) -> impl Stream<Item = Result<QueueMember>> + Send + 'a {
        paged(self.platform, ApiRequest::get(format!("{}/members", Self::item(id))).about("queue member", Some(id)), LIST_PAGE_SIZE)
    }

    /// Adds users (or removes them, with `remove`). Membership is a set, so repeating is safe.
    pub async fn set_members(self, id: &str, user_ids: &[&str], remove: bool) -> Result<()> {
        let body: Vec<WritableEntity> = user_ids.iter().map(|user| WritableEntity { id: (*user).to_owned() }).collect();
        let mut request = ApiRequest::post(format!("{}/members", Self::item(id))).about("queue member", Some(id)).json(&body)?.idempotent();
        if remove {
            request = request.query("delete", true);
        }
        fetch_nothing(self.platform, request).await
    }

    /// Joins or unjoins one member (on-queue for this queue).
    pub async fn set_member_joined(self, id: &str, member_id: &str, joined: bool) -> Result<()> {
        let path = format!("{}/members/{}", Self::item(id), segment(member_id));
        let request = ApiRequest::patch(path).about("queue member", Some(member_id)).json(&QueueMemberPatch { joined })?.idempotent();
        fetch_nothing(self.platform, request).await
    }
}
