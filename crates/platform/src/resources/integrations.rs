//! Integrations, their data actions (with the real test call), and the seeds' extensions: the
//! health check and integration sessions (terminate, counts), which a real org does not have.

use futures_util::Stream;
use switchboard_api::integration::{
    Action, HealthcheckRequest, HealthcheckResponse, Integration, IntegrationConfiguration, IntegrationSessionCounts, PublishDraftInput,
    TerminateRequest, TerminateResponse, TestExecutionResult, UpdateDraftInput,
};

use crate::error::Result;
use crate::paging::{LIST_PAGE_SIZE, paged};
use crate::platform::Platform;
use crate::request::ApiRequest;
use crate::typed::{Versioned, fetch, fetch_versioned, segment};

const PATH: &str = "/api/v2/integrations";

pub struct Integrations<'a, P: ?Sized> {
    pub(crate) platform: &'a P,
}

impl<'a, P: Platform + ?Sized> Integrations<'a, P> {
    fn item(id: &str) -> String {
        format!("{PATH}/{}", segment(id))
    }

    /// Every integration with its current configuration (the real list leaves `config` out
    /// unless `expand=config.current` asks for it).
    pub fn list(self) -> impl Stream<Item = Result<Integration>> + Send + 'a {
        paged(self.platform, ApiRequest::get(PATH).query("expand", "config.current").about("integration", None), LIST_PAGE_SIZE)
    }

    /// One integration with its current configuration (`expand=config.current`, as the real API needs).
    pub async fn get(self, id: &str) -> Result<Versioned<Integration>> {
        fetch_versioned(self.platform, ApiRequest::get(Self::item(id)).query("expand", "config.current").about("integration", Some(id))).await
    }

    pub async fn create(self, integration: &Integration) -> Result<Integration> {
        fetch(self.platform, ApiRequest::post(PATH).about("integration", None).json(integration)?).await
    }

    /// `PATCH /api/v2/integrations/{id}`: the integration's own fields (name, notes, intended
    /// state); its configuration changes only through [`Self::update_config`].
    pub async fn patch(self, id: &str, integration: &Integration) -> Result<Integration> {
        fetch(self.platform, ApiRequest::patch(Self::item(id)).about("integration", Some(id)).json(integration)?).await
    }

    /// `GET /api/v2/integrations/{id}/config/current`.
    pub async fn config(self, id: &str) -> Result<IntegrationConfiguration> {
        fetch(self.platform, ApiRequest::get(format!("{}/config/current", Self::item(id))).about("integration configuration", Some(id))).await
    }

    /// `PUT /api/v2/integrations/{id}/config/current`: the whole configuration with the
    /// `version` it was read at; a configuration changed since is a 409 (a conflict).
    pub async fn update_config(self, id: &str, config: &IntegrationConfiguration) -> Result<IntegrationConfiguration> {
        fetch(self.platform, ApiRequest::put(format!("{}/config/current", Self::item(id))).about("integration configuration", Some(id)).json(config)?).await
    }

    /// Seed 001: calls the integration's endpoint and reports health and latency. It changes
    /// nothing, so it is retried like a GET.
    pub async fn healthcheck(self, id: &str, request: &HealthcheckRequest) -> Result<HealthcheckResponse> {
        let call = ApiRequest::post(format!("{}/healthcheck", Self::item(id))).about("integration", Some(id)).json(request)?.idempotent();
        fetch(self.platform, call).await
    }

    /// Data actions, optionally of one integration.
    pub fn actions(self, integration_id: Option<&str>) -> impl Stream<Item = Result<Action>> + Send + 'a {
        let mut request = ApiRequest::get(format!("{PATH}/actions")).about("data action", None);
        if let Some(integration_id) = integration_id {
            request = request.query("integrationId", integration_id);
        }
        paged(self.platform, request, LIST_PAGE_SIZE)
    }

    /// Creates a data action (`POST /api/v2/integrations/actions`); not idempotent.
    pub async fn create_action(self, action: &Action) -> Result<Action> {
        fetch(self.platform, ApiRequest::post(format!("{PATH}/actions")).about("data action", None).json(action)?).await
    }

    /// PATCH with the body `version` read last: a stale version is `Conflict`, so a repeated
    /// patch cannot apply twice and is retried like a PUT.
    pub async fn update_action(self, action_id: &str, action: &Action) -> Result<Action> {
        let request = ApiRequest::patch(format!("{PATH}/actions/{}", segment(action_id))).about("data action", Some(action_id)).json(action)?.idempotent();
        fetch(self.platform, request).await
    }

    pub async fn delete_action(self, action_id: &str) -> Result<()> {
        crate::typed::fetch_nothing(self.platform, ApiRequest::delete(format!("{PATH}/actions/{}", segment(action_id))).about("data action", Some(action_id))).await
    }

    pub async fn delete(self, id: &str) -> Result<()> {
        crate::typed::fetch_nothing(self.platform, ApiRequest::delete(Self::item(id)).about("integration", Some(id))).await
    }

    /// One data action with its contract and configuration (a real org returns neither unless
    /// asked: `expand=contract`, `includeConfig=true`).
    pub async fn action(self, action_id: &str) -> Result<Action> {
        let request = ApiRequest::get(format!("{PATH}/actions/{}", segment(action_id)))
            .about("data action", Some(action_id))
            .query("expand", "contract")
            .query("includeConfig", "true");
        fetch(self.platform, request).await
    }

    fn draft_path(action_id: &str) -> String {
        format!("{PATH}/actions/{}/draft", segment(action_id))
    }

    /// The action's draft (`GET …/actions/{actionId}/draft`), with contract and configuration.
    pub async fn action_draft(self, action_id: &str) -> Result<Action> {
        let request =
            ApiRequest::get(Self::draft_path(action_id)).about("data action draft", Some(action_id)).query("expand", "contract").query("includeConfig", "true");
        fetch(self.platform, request).await
    }

    /// Starts a draft from the published action (`POST …/actions/{actionId}/draft`); `Conflict`
    /// when one exists already.
    pub async fn create_action_draft(self, action_id: &str) -> Result<Action> {
        fetch(self.platform, ApiRequest::post(Self::draft_path(action_id)).about("data action draft", Some(action_id))).await
    }

    /// Changes the draft (`PATCH …/draft`); the body's `version` must be the draft's, so a repeated
    /// patch cannot apply twice and is retried like a PUT.
    pub async fn update_action_draft(self, action_id: &str, update: &UpdateDraftInput) -> Result<Action> {
        let request = ApiRequest::patch(Self::draft_path(action_id)).about("data action draft", Some(action_id)).json(update)?.idempotent();
        fetch(self.platform, request).await
    }

    /// Publishes the draft as the action's new version (`POST …/draft/publish`), `version` being
    /// the draft's.
    pub async fn publish_action_draft(self, action_id: &str, version: u64) -> Result<Action> {
        let request = ApiRequest::post(format!("{}/publish", Self::draft_path(action_id)))
            .about("data action draft", Some(action_id))
            .json(&PublishDraftInput { version })?;
        fetch(self.platform, request).await
    }

    /// The real data-action test (`POST /api/v2/integrations/actions/{actionId}/test`): runs the
    /// action once with `inputs` (a JSON object) and reports each step. A failing endpoint is
    /// `Ok` with `success: false`; the call changes nothing, so it is retried like a GET. With
    /// `draft`, the action's draft is tested (`.../draft/test`).
    pub async fn test_action(self, action_id: &str, inputs: &serde_json::Value, draft: bool) -> Result<TestExecutionResult> {
        let tail = if draft { "draft/test" } else { "test" };
        let request =
            ApiRequest::post(format!("{PATH}/actions/{}/{tail}", segment(action_id))).about("data action", Some(action_id)).json(inputs)?.idempotent();
        fetch(self.platform, request).await
    }

    /// Seed 001 extension (absent on a real org, where it is `NotFound`): terminates the
    /// integration's open sessions — one conversation's, or all.
    pub async fn terminate_sessions(self, id: &str, conversation_id: Option<&str>) -> Result<TerminateResponse> {
        let body = TerminateRequest { conversation_id: conversation_id.map(str::to_owned) };
        fetch(self.platform, ApiRequest::post(format!("{}/terminate", Self::item(id))).about("integration", Some(id)).json(&body)?).await
    }

    /// Emulator extension (absent on a real org, where it is `NotFound`): sessions the
    /// integration's data actions opened and how many were terminated.
    pub async fn session_counts(self, id: &str) -> Result<IntegrationSessionCounts> {
        fetch(self.platform, ApiRequest::get(format!("{}/sessions", Self::item(id))).about("integration", Some(id))).await
    }
}
