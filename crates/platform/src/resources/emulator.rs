//! The emulator's control surface (`/_emulator/*`: fault rules, placed calls), an extension no
//! real org has. Sent with the control credential (`ClientConfig::control_token`) instead of the
//! bearer token; without a credential, or against a real org or a `--strict` emulator, every
//! call fails, and `available` says whether the surface answers at all.

use std::time::Duration;

use switchboard_api::emulator::{FaultRule, FaultRuleList};
use switchboard_api::traffic::{PlaceCallRequest, PlacedCall};

use crate::error::Result;
use crate::platform::Platform;
use crate::request::ApiRequest;
use crate::typed::{fetch, fetch_nothing, segment};

const FAULTS: &str = "/_emulator/faults";
const CALLS: &str = "/_emulator/calls";

pub struct EmulatorControl<'a, P: ?Sized> {
    pub(crate) platform: &'a P,
}

impl<P: Platform + ?Sized> EmulatorControl<'_, P> {
    /// Whether the target serves the control surface to this client (it lists fault rules):
    /// `false` for a real org, a `--strict` emulator, or a missing or wrong credential.
    pub async fn available(self) -> bool {
        self.faults().await.is_ok()
    }

    pub async fn faults(self) -> Result<Vec<FaultRule>> {
        let list: FaultRuleList = fetch(self.platform, ApiRequest::control(reqwest::Method::GET, FAULTS).about("fault rules", None)).await?;
        Ok(list.rules)
    }

    pub async fn add_fault(self, rule: &FaultRule) -> Result<FaultRule> {
        fetch(self.platform, ApiRequest::control(reqwest::Method::POST, FAULTS).about("fault rule", None).json(rule)?).await
    }

    /// Removing is safe to repeat: a rule already gone answers 404.
    pub async fn remove_fault(self, id: &str) -> Result<()> {
        let request = ApiRequest::control(reqwest::Method::DELETE, format!("{FAULTS}/{}", segment(id))).about("fault rule", Some(id));
        fetch_nothing(self.platform, request).await
    }

    /// Places one call (`POST /_emulator/calls`); never repeated, a repeat would be a second
    /// call. Answered once the call's flow part is over, so it may take the call's `timeoutMs`.
    pub async fn place_call(self, call: &PlaceCallRequest) -> Result<PlacedCall> {
        let allowed = Duration::from_millis(call.timeout_ms.unwrap_or(0).saturating_add(5_000));
        fetch(self.platform, ApiRequest::control(reqwest::Method::POST, CALLS).about("placed call", None).timeout(allowed).json(call)?).await
    }

    /// The call's view once `wait` (`flow`, `end`) is reached or `timeout` has passed.
    pub async fn await_call(self, conversation_id: &str, wait: &str, timeout: Duration) -> Result<PlacedCall> {
        let millis = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
        let request = ApiRequest::control(reqwest::Method::GET, format!("{CALLS}/{}", segment(conversation_id)))
            .query("wait", wait)
            .query("timeoutMs", millis)
            .about("placed call", Some(conversation_id))
            .timeout(timeout.saturating_add(Duration::from_secs(5)));
        fetch(self.platform, request).await
    }
}
