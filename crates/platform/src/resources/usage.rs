//! API usage: the real asynchronous query (`POST /api/v2/usage/query`, then poll the results) and
//! the seeds' license headroom (`GET /api/v2/usage/sessions/current`).

use switchboard_api::usage::{SessionsCurrent, UsageExecutionResult, UsageQuery, UsageQueryResult};
use tokio::time::Instant;

use crate::error::{PlatformError, Result};
use crate::platform::Platform;
use crate::request::ApiRequest;
use crate::resources::OperationWait;
use crate::typed::{fetch, segment};

pub struct Usage<'a, P: ?Sized> {
    pub(crate) platform: &'a P,
}

impl<P: Platform + ?Sized> Usage<'_, P> {
    /// Starts a query. A query has no side effects, so it is retried like a GET.
    pub async fn query(self, query: &UsageQuery) -> Result<UsageExecutionResult> {
        fetch(self.platform, ApiRequest::post("/api/v2/usage/query").about("usage query", None).json(query)?.idempotent()).await
    }

    pub async fn results(self, execution_id: &str) -> Result<UsageQueryResult> {
        let path = format!("/api/v2/usage/query/{}/results", segment(execution_id));
        fetch(self.platform, ApiRequest::get(path).about("usage query", Some(execution_id))).await
    }

    /// Runs a query and polls until `queryStatus` is `Complete`.
    pub async fn query_and_wait(self, query: &UsageQuery, wait: OperationWait) -> Result<UsageQueryResult> {
        let execution = self.query(query).await?;
        wait_for_results(&execution, wait, || self.results(&execution.execution_id)).await
    }

    /// Seed 001: license totals and what is still available.
    pub async fn sessions_current(self) -> Result<SessionsCurrent> {
        fetch(self.platform, ApiRequest::get("/api/v2/usage/sessions/current").about("usage sessions", None)).await
    }
}

/// Polls an usage execution's results until `queryStatus` is `Complete` (`Failed` is an error).
pub(crate) async fn wait_for_results<F, Fut>(execution: &UsageExecutionResult, wait: OperationWait, results: F) -> Result<UsageQueryResult>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<UsageQueryResult>>,
{
    let give_up = Instant::now() + wait.give_up_after;
    loop {
        let result = results().await?;
        if result.query_status.eq_ignore_ascii_case("complete") {
            return Ok(result);
        }
        if result.query_status.eq_ignore_ascii_case("failed") {
            return Err(PlatformError::OperationFailed { id: execution.execution_id.clone(), message: "usage query failed".into() });
        }
        if Instant::now() + wait.poll_every > give_up {
            return Err(PlatformError::Timeout { after: wait.give_up_after });
        }
        tokio::time::sleep(wait.poll_every).await;
    }
}
