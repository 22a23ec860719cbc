//! A review never leaves a lock: when a checkout fails part-way through the flows, the locks
//! already taken are released before `locks::acquire` returns, and the review says it could not
//! run the lock check.

use futures_util::TryStreamExt;
use futures_util::future::BoxFuture;
use switchboard_platform::api::flow::Flow;
use switchboard_platform::{ApiRequest, ApiResponse, OrgClient, Platform, PlatformError, PlatformExt};
use switchboard_review::locks;

use crate::support::{client, start};

/// The emulator's client, except that checking out one flow fails with a server error.
struct FailingCheckout {
    inner: OrgClient,
    flow_id: String,
}

impl Platform for FailingCheckout {
    fn label(&self) -> &str {
        self.inner.label()
    }

    fn execute(&self, request: ApiRequest) -> BoxFuture<'_, switchboard_platform::Result<ApiResponse>> {
        let checkout = request.path.ends_with("/actions/checkout") && request.query.iter().any(|(name, value)| name == "flow" && *value == self.flow_id);
        if checkout {
            return Box::pin(async { Err(PlatformError::Server { status: 500, body: "checkout failed".into() }) });
        }
        self.inner.execute(request)
    }
}

async fn flow(client: &OrgClient, name: &str) -> Flow {
    let flows: Vec<Flow> = client.flows().list(Some(name), None).try_collect().await.unwrap_or_else(|error| panic!("list {name}: {error}"));
    flows.into_iter().find(|flow| flow.name == name).unwrap_or_else(|| panic!("no flow {name}"))
}

#[tokio::test]
async fn a_checkout_failing_halfway_releases_the_locks_already_taken() {
    let emulator = start().await;
    let client = client(&emulator);
    let first = flow(&client, "Lookup").await;
    let second = flow(&client, "Drill").await;
    let platform = FailingCheckout { inner: client.clone(), flow_id: second.id.clone() };

    let names = vec!["Lookup".to_string(), "Drill".to_string()];
    let failed = match locks::acquire(&platform, &names, None).await {
        Ok((held, _)) => panic!("the second checkout was made to fail, yet acquire held {:?}", held.flows),
        Err(failed) => failed,
    };
    assert!(matches!(failed.error, PlatformError::Server { status: 500, .. }), "{:?}", failed.error);
    assert!(failed.release_findings.is_empty(), "{:#?}", failed.release_findings);
    let after = client.flows().get(&first.id).await.unwrap_or_else(|error| panic!("get: {error}")).value;
    assert_eq!((after.locked_client, after.locked_user), (None, None), "the first flow's lock was left behind");
    emulator.shutdown().await;
}
