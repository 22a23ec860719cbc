//! The smoke test's calls on an emulator target: `POST /_emulator/calls` (the emulator's own call
//! placing, loopback only), sped up, answered once the call's flow part is over. Used for the
//! embedded emulator and with `--smoke-via-emulator`; a real org has no such API, so there the
//! smoke test is reported not applicable (docs/rollout.md).

use futures_util::future::BoxFuture;
use std::time::Duration;
use switchboard_platform::api::traffic::{PlaceCallRequest, PlacedCall};
use switchboard_rollout::live::SmokeDialer;

/// How much faster than real time a smoke call runs.
const SPEED_UP: f64 = 20.0;
/// How long one smoke call may take to leave the flow.
const CALL_TIMEOUT_MS: u64 = 30_000;

pub struct EmulatorCalls {
    http: reqwest::Client,
    base_url: String,
    org: String,
}

impl EmulatorCalls {
    pub fn new(base_url: &str, org: &str) -> anyhow::Result<EmulatorCalls> {
        let http = reqwest::Client::builder().timeout(Duration::from_millis(CALL_TIMEOUT_MS + 5_000)).build()?;
        Ok(EmulatorCalls { http, base_url: base_url.trim_end_matches('/').to_string(), org: org.to_string() })
    }
}

impl SmokeDialer for EmulatorCalls {
    fn dial<'a>(&'a self, did: &'a str) -> BoxFuture<'a, Result<PlacedCall, String>> {
        Box::pin(async move {
            let request = PlaceCallRequest {
                org: self.org.clone(),
                did: did.to_string(),
                speed_up: Some(SPEED_UP),
                timeout_ms: Some(CALL_TIMEOUT_MS),
                ..PlaceCallRequest::default()
            };
            let response = self
                .http
                .post(format!("{}/_emulator/calls", self.base_url))
                .json(&request)
                .send()
                .await
                .map_err(|error| format!("POST /_emulator/calls: {error}"))?;
            let status = response.status();
            if !status.is_success() {
                let body = response.text().await.unwrap_or_default();
                return Err(format!("POST /_emulator/calls answered {status}: {}", body.chars().take(300).collect::<String>()));
            }
            response.json::<PlacedCall>().await.map_err(|error| format!("POST /_emulator/calls: unreadable answer: {error}"))
        })
    }
}
