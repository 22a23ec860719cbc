//! The smoke test's calls on an emulator target: `POST /_emulator/calls` (the emulator's own call
//! placing, behind its control credential) through the platform client, sped up, answered once
//! the call's flow part is over. Used for the embedded emulator and with `--smoke-via-emulator`
//! (the target's `SWITCHBOARD_EMULATOR_CONTROL_TOKEN` or `_FILE`); a real org has no such API, so
//! there the smoke test is reported not applicable (docs/rollout.md).

use futures_util::future::BoxFuture;
use std::sync::Arc;
use switchboard_platform::api::traffic::{PlaceCallRequest, PlacedCall};
use switchboard_platform::{Platform, PlatformExt};
use switchboard_rollout::live::SmokeDialer;

/// How much faster than real time a smoke call runs.
const SPEED_UP: f64 = 20.0;
/// How long one smoke call may take to leave the flow.
const CALL_TIMEOUT_MS: u64 = 30_000;

pub struct EmulatorCalls {
    platform: Arc<dyn Platform>,
    org: String,
}

impl EmulatorCalls {
    /// `platform`: a client of the emulator that carries its control credential.
    pub fn new(platform: Arc<dyn Platform>, org: &str) -> EmulatorCalls {
        EmulatorCalls { platform, org: org.to_string() }
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
            self.platform.emulator().place_call(&request).await.map_err(|error| format!("POST /_emulator/calls: {error}"))
        })
    }
}
