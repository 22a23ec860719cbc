//! Paging: the stream walks every page, in order, without duplicates.

use std::collections::BTreeSet;

use futures_util::TryStreamExt;
use switchboard_platform::api::queue::Queue;
use switchboard_platform::{ApiRequest, PlatformExt, paged};

use crate::support::{CHILD, client_for, counters, ok, start_default};

#[tokio::test]
async fn the_stream_walks_every_page() {
    let emulator = start_default().await;
    let client = client_for(&emulator, CHILD);
    for index in 0..7 {
        ok("create", client.queues().create(&Queue { name: format!("paging-{index:02}"), ..Queue::default() }).await);
    }
    let everything = ok("list_all", client.queues().list_all().await);
    assert!(everything.len() >= 7);

    let page_size = 3;
    let before = counters(&emulator).await.count("GET", "/api/v2/routing/queues");
    let streamed: Vec<Queue> = ok("stream", paged(&client, ApiRequest::get("/api/v2/routing/queues"), page_size).try_collect().await);
    let pages = counters(&emulator).await.count("GET", "/api/v2/routing/queues") - before;

    let ids: Vec<&str> = streamed.iter().map(|queue| queue.id.as_str()).collect();
    let unique: BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "no duplicates across pages");
    assert_eq!(ids, everything.iter().map(|queue| queue.id.as_str()).collect::<Vec<_>>(), "same items, same order");
    assert_eq!(pages, everything.len().div_ceil(page_size as usize) as u64, "one request per page");

    // The filtered stream finds exactly the one queue by name.
    let named: Vec<Queue> = ok("by name", client.queues().list(Some("paging-03")).try_collect().await);
    assert_eq!(named.iter().map(|queue| queue.name.as_str()).collect::<Vec<_>>(), ["paging-03"]);
    emulator.shutdown().await;
}
