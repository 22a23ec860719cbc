//! A small contact center for the analytics and conversation tests: one agent on `Support`, a
//! queue nobody staffs, and the emulator's in-process call API to place calls and await them.

use std::time::Duration;

use switchboard_emulator::{CallRequest, CenterOptions, LiveCall, Phase};
use switchboard_emulator::{EmulatorOptions, RunningEmulator, load_topology};
use switchboard_simulation::distribution::DurationDistribution;

use crate::support::start;

pub const ORG: &str = "acme";
pub const SUPPORT_DID: &str = "+13175550100";
pub const NOBODY_DID: &str = "+13175550400";

const TOPOLOGY: &str = r#"
orgs:
  - name: acme
    queues: [{name: Support}, {name: Empty}]
    users:
      - {name: Agent A, queues: [Support], on_queue: true}
    flows:
      - name: Direct
        start: queue
        blocks:
          queue: {type: transfer_to_queue, queue: Support}
      - name: Nobody
        start: queue
        blocks:
          queue: {type: transfer_to_queue, queue: Empty}
    dids:
      - {number: "+13175550100", flow: Direct}
      - {number: "+13175550400", flow: Nobody}
"#;

/// An emulator with the topology above; callers and the agent behave as the given constants (ms).
pub async fn start_center(handle_ms: f64, patience_ms: f64) -> RunningEmulator {
    let topology = load_topology(TOPOLOGY, "center.yaml").unwrap_or_else(|error| panic!("test topology: {error}"));
    let emulator = start(EmulatorOptions { topology: Some(topology), ..EmulatorOptions::default() }).await;
    emulator.state().contact_center().set_options(CenterOptions {
        handle_time: DurationDistribution::Constant { ms: handle_ms },
        wrap_up: DurationDistribution::Constant { ms: 10.0 },
        patience: DurationDistribution::Constant { ms: patience_ms },
        seed: 11,
    });
    emulator
}

/// Places a real-time call on `did`; it runs in the background.
pub fn place(emulator: &RunningEmulator, did: &str) -> std::sync::Arc<LiveCall> {
    let request = CallRequest { org: ORG.into(), did: did.into(), ani: None, attributes: Default::default(), speed_up: 1.0, dtmf: None };
    emulator.state().place_call(request).unwrap_or_else(|error| panic!("call on {did} not placed: {error}"))
}

/// Waits for the call to reach `phase` (bounded, so a stuck call fails the test instead of hanging it).
pub async fn reach(call: &LiveCall, phase: Phase) {
    if tokio::time::timeout(Duration::from_secs(30), call.reached(phase)).await.is_err() {
        panic!("call {} did not reach {phase:?} in 30 s", call.id);
    }
}
