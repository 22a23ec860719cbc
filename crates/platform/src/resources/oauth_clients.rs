//! OAuth clients (`/api/v2/oauth/clients`) and their API usage: the summary over the last days
//! and client queries are asynchronous on the real platform (an execution, then its results).

use futures_util::Stream;
use switchboard_api::auth::OAuthClient;
use switchboard_api::usage::{UsageExecutionResult, UsageQuery, UsageQueryResult};

use crate::error::Result;
use crate::paging::{LIST_PAGE_SIZE, paged};
use crate::platform::Platform;
use crate::request::ApiRequest;
use crate::resources::OperationWait;
use crate::resources::usage::wait_for_results;
use crate::typed::{fetch, segment};

const PATH: &str = "/api/v2/oauth/clients";

pub struct OAuthClients<'a, P: ?Sized> {
    pub(crate) platform: &'a P,
}

impl<'a, P: Platform + ?Sized> OAuthClients<'a, P> {
    fn item(id: &str) -> String {
        format!("{PATH}/{}", segment(id))
    }

    pub fn list(self) -> impl Stream<Item = Result<OAuthClient>> + Send + 'a {
        paged(self.platform, ApiRequest::get(PATH).about("OAuth client", None), LIST_PAGE_SIZE)
    }

    pub async fn get(self, id: &str) -> Result<OAuthClient> {
        fetch(self.platform, ApiRequest::get(Self::item(id)).about("OAuth client", Some(id))).await
    }

    /// Creates a client; the answer carries its secret.
    pub async fn create(self, client: &OAuthClient) -> Result<OAuthClient> {
        fetch(self.platform, ApiRequest::post(PATH).about("OAuth client", None).json(client)?).await
    }

    pub async fn delete(self, id: &str) -> Result<()> {
        self.platform.execute(ApiRequest::delete(Self::item(id)).about("OAuth client", Some(id)).idempotent()).await.map(|_| ())
    }

    /// `GET .../usage/summary?days=N`: starts the summary of the last `days` days.
    pub async fn usage_summary(self, id: &str, days: u32) -> Result<UsageExecutionResult> {
        let request = ApiRequest::get(format!("{}/usage/summary", Self::item(id))).query("days", days).about("OAuth client usage", Some(id));
        fetch(self.platform, request).await
    }

    /// `POST .../usage/query`: starts a usage query for the client; no side effects, retried like a GET.
    pub async fn usage_query(self, id: &str, query: &UsageQuery) -> Result<UsageExecutionResult> {
        let request = ApiRequest::post(format!("{}/usage/query", Self::item(id))).about("OAuth client usage", Some(id)).json(query)?.idempotent();
        fetch(self.platform, request).await
    }

    /// `GET .../usage/query/results/{executionId}`.
    pub async fn usage_results(self, id: &str, execution_id: &str) -> Result<UsageQueryResult> {
        let path = format!("{}/usage/query/results/{}", Self::item(id), segment(execution_id));
        fetch(self.platform, ApiRequest::get(path).about("OAuth client usage", Some(id))).await
    }

    /// The client's usage over the last `days` days, waited for.
    pub async fn usage_summary_and_wait(self, id: &str, days: u32, wait: OperationWait) -> Result<UsageQueryResult> {
        let execution = self.usage_summary(id, days).await?;
        wait_for_results(&execution, wait, || self.usage_results(id, &execution.execution_id)).await
    }
}
