//! Seed-only routing strategies (`/api/v2/routing/strategies`). The real platform has no such
//! resource: when the collection itself answers 404 (a real org, or `--strict`), every call
//! reports `Unsupported` instead of a misleading `NotFound`.

use futures_util::{Stream, StreamExt};
use switchboard_api::strategy::{RoutingStrategy, RoutingStrategyPatch};

use crate::error::{PlatformError, Result};
use crate::paging::{LIST_PAGE_SIZE, paged};
use crate::platform::Platform;
use crate::request::ApiRequest;
use crate::typed::{Versioned, fetch, fetch_nothing, fetch_versioned, segment};

const PATH: &str = "/api/v2/routing/strategies";
const FEATURE: &str = "routing strategies (/api/v2/routing/strategies, a seed extension)";

pub struct Strategies<'a, P: ?Sized> {
    pub(crate) platform: &'a P,
}

impl<'a, P: Platform + ?Sized> Strategies<'a, P> {
    fn item(id: &str) -> String {
        format!("{PATH}/{}", segment(id))
    }

    /// Turns a 404 into `Unsupported` when the collection itself is missing; keeps `NotFound`
    /// for a missing strategy on a platform that has them.
    async fn explain(self, error: PlatformError) -> PlatformError {
        if !error.is_not_found() {
            return error;
        }
        let probe = ApiRequest::get(PATH).query("pageSize", 1).about("routing strategy", None);
        match self.platform.execute(probe).await {
            Err(probe_error) if probe_error.is_not_found() => PlatformError::Unsupported { feature: FEATURE.into() },
            _ => error,
        }
    }

    async fn guarded<T>(self, outcome: Result<T>) -> Result<T> {
        match outcome {
            Ok(value) => Ok(value),
            Err(error) => Err(self.explain(error).await),
        }
    }

    pub fn list(self) -> impl Stream<Item = Result<RoutingStrategy>> + Send + 'a {
        paged(self.platform, ApiRequest::get(PATH).about("routing strategy", None), LIST_PAGE_SIZE).map(|item| {
            item.map_err(|error| if error.is_not_found() { PlatformError::Unsupported { feature: FEATURE.into() } } else { error })
        })
    }

    pub async fn get(self, id: &str) -> Result<Versioned<RoutingStrategy>> {
        self.guarded(fetch_versioned(self.platform, ApiRequest::get(Self::item(id)).about("routing strategy", Some(id))).await).await
    }

    pub async fn create(self, strategy: &RoutingStrategy) -> Result<RoutingStrategy> {
        let request = ApiRequest::post(PATH).about("routing strategy", None).json(strategy)?;
        self.guarded(fetch(self.platform, request).await).await
    }

    /// PATCH with `If-Match` (seed 002): a stale ETag → `PreconditionFailed`.
    pub async fn update_with_etag(self, id: &str, patch: &RoutingStrategyPatch, etag: Option<&str>) -> Result<Versioned<RoutingStrategy>> {
        let mut request = ApiRequest::patch(Self::item(id)).about("routing strategy", Some(id)).json(patch)?.if_match(etag.map(str::to_owned));
        // With an ETag a repeated patch is rejected rather than applied twice; without one a
        // patch sets absolute values, so repeating it converges too.
        request = request.idempotent();
        self.guarded(fetch_versioned(self.platform, request).await).await
    }

    /// PUT: replaces the whole strategy, conditionally when `etag` is given.
    pub async fn replace_with_etag(self, id: &str, strategy: &RoutingStrategy, etag: Option<&str>) -> Result<Versioned<RoutingStrategy>> {
        let request = ApiRequest::put(Self::item(id)).about("routing strategy", Some(id)).json(strategy)?.if_match(etag.map(str::to_owned));
        self.guarded(fetch_versioned(self.platform, request).await).await
    }

    pub async fn delete(self, id: &str) -> Result<()> {
        self.guarded(fetch_nothing(self.platform, ApiRequest::delete(Self::item(id)).about("routing strategy", Some(id))).await).await
    }
}
