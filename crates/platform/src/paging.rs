//! Paging: every list endpoint as a `Stream` of items that fetches page after page on demand,
//! plus `collect_all`. Pages are walked by `pageNumber` until `pageCount` (or, where a listing has
//! none, while there is a `nextUri`), stopping at an empty page, which
//! works on the real API and the emulator alike.

use futures_util::stream::{self, Stream, TryStreamExt};
use serde::de::DeserializeOwned;
use switchboard_api::EntityListing;

use crate::error::Result;
use crate::platform::Platform;
use crate::request::ApiRequest;

/// Page size used by the typed list calls: large pages spend less of the rate-limit budget.
pub const LIST_PAGE_SIZE: u32 = 100;

/// Streams every entity of a list endpoint. `request` carries the path and any filters; paging
/// parameters are added here.
pub fn paged<'a, P, T>(platform: &'a P, request: ApiRequest, page_size: u32) -> impl Stream<Item = Result<T>> + Send + 'a
where
    P: Platform + ?Sized,
    T: DeserializeOwned + Send + 'a,
{
    let pages = stream::try_unfold(Some(1u32), move |next| {
        let request = request.clone();
        async move {
            let Some(page_number) = next else { return Ok(None) };
            let page_request = request.query("pageSize", page_size).query("pageNumber", page_number);
            let listing: EntityListing<T> = platform.execute(page_request).await?.json()?;
            // Link-paged listings (queue members) have no pageCount, only a nextUri.
            let more = !listing.entities.is_empty() && (page_number < listing.page_count || listing.next_uri.is_some());
            Ok(Some((listing.entities, more.then_some(page_number + 1))))
        }
    });
    pages.map_ok(|entities| stream::iter(entities.into_iter().map(Ok))).try_flatten()
}

/// Every entity of a list endpoint, in order.
pub async fn collect_all<P, T>(platform: &P, request: ApiRequest) -> Result<Vec<T>>
where
    P: Platform + ?Sized,
    T: DeserializeOwned + Send,
{
    paged(platform, request, LIST_PAGE_SIZE).try_collect().await
}

/// Some real endpoints answer a bare JSON array where others page; accept both.
pub(crate) fn entities_or_array<T: DeserializeOwned>(value: serde_json::Value, what: &str) -> Result<Vec<T>> {
    let decode = |error: serde_json::Error| crate::error::PlatformError::Decode { what: what.to_owned(), message: error.to_string() };
    match value {
        serde_json::Value::Array(_) => serde_json::from_value(value).map_err(decode),
        mut object => {
            let entities = object.get_mut("entities").map(serde_json::Value::take).unwrap_or_default();
            serde_json::from_value(entities).map_err(decode)
        }
    }
}


#[cfg(test)]
mod tests;
