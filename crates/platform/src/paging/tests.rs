//! Paging and typed-call plumbing against a scripted `Platform` (no network): also proves the
//! trait works as `Arc<dyn Platform>`.

use std::sync::{Arc, Mutex};

use futures_util::TryStreamExt;
use futures_util::future::BoxFuture;
use serde_json::json;

use crate::error::{PlatformError, Result};
use crate::platform::Platform;
use crate::request::{ApiRequest, ApiResponse};
use crate::resources::PlatformExt;

/// Serves `total` numbered items in pages, or 404 for everything when `missing`.
struct Scripted {
    total: u32,
    missing: bool,
    seen: Mutex<Vec<String>>,
}

impl Platform for Scripted {
    fn label(&self) -> &str {
        "scripted"
    }

    fn execute(&self, request: ApiRequest) -> BoxFuture<'_, Result<ApiResponse>> {
        Box::pin(async move {
            let query = |name: &str| request.query.iter().find(|(key, _)| key == name).and_then(|(_, value)| value.parse::<u32>().ok());
            self.seen.lock().unwrap_or_else(|p| p.into_inner()).push(format!("{} {:?}", request.path, request.query));
            if self.missing {
                return Err(PlatformError::NotFound { resource: request.resource.into(), id: request.id.clone(), message: "no route".into() });
            }
            let (size, number) = (query("pageSize").unwrap_or(25), query("pageNumber").unwrap_or(1));
            let first = (number - 1) * size;
            let entities: Vec<_> = (first..(first + size).min(self.total)).map(|n| json!({"id": n.to_string(), "name": format!("q{n}")})).collect();
            let body = json!({"entities": entities, "pageSize": size, "pageNumber": number, "total": self.total, "pageCount": self.total.div_ceil(size)});
            Ok(ApiResponse { status: 200, etag: None, body: serde_json::to_vec(&body).unwrap_or_default(), resource: request.resource })
        })
    }
}

fn scripted(total: u32, missing: bool) -> Arc<dyn Platform> {
    Arc::new(Scripted { total, missing, seen: Mutex::new(Vec::new()) })
}

#[tokio::test]
async fn pages_are_walked_to_the_last_one() {
    for total in [0, 1, 99, 100, 101, 250] {
        let platform = scripted(total, false);
        let names: Vec<String> = platform.queues().list(None).map_ok(|queue| queue.name).try_collect().await.unwrap_or_default();
        assert_eq!(names, (0..total).map(|n| format!("q{n}")).collect::<Vec<_>>(), "total {total}");
    }
}

#[tokio::test]
async fn missing_strategies_collection_is_unsupported() {
    let platform = scripted(3, true);
    let listed: Result<Vec<_>> = platform.strategies().list().try_collect().await;
    assert!(matches!(listed, Err(PlatformError::Unsupported { .. })), "{listed:?}");
    let fetched = platform.strategies().get("x").await;
    assert!(matches!(fetched, Err(PlatformError::Unsupported { .. })), "{fetched:?}");
    // Ordinary resources keep their NotFound.
    assert!(platform.queues().get("x").await.is_err_and(|error| error.is_not_found()));
}
