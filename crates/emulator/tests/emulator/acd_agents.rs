//! The live ACD over successive sped-up calls: agents answer, talk, wrap up and come back to
//! `IDLE`, so more calls than there are agents are all answered (none left waiting until it
//! abandons) and every agent is `IDLE` again once the calls are over.

use super::contact_center::{await_call, place};
use super::support::*;
use serde_json::json;
use switchboard_emulator::{CenterOptions, EmulatorOptions, load_topology};
use switchboard_simulation::distribution::DurationDistribution;

const TOPOLOGY: &str = r#"
orgs:
  - name: acme
    queues: [{name: Support}]
    users:
      - {name: Agent A, queues: [Support], on_queue: true}
      - {name: Agent B, queues: [Support], on_queue: true}
    flows:
      - name: Queue
        start: queue
        blocks:
          queue: {type: transfer_to_queue, queue: Support}
    dids:
      - {number: "+13175550900", flow: Queue}
"#;

#[tokio::test]
async fn two_agents_answer_six_sped_up_calls_and_come_back_idle() {
    let topology = load_topology(TOPOLOGY, "acd_agents.yaml").unwrap_or_else(|error| panic!("test topology: {error}"));
    let emulator = start(EmulatorOptions { topology: Some(topology), ..EmulatorOptions::default() }).await;
    // Modelled times sped up 20 times: 1 s talk and 0.4 s wrap-up take 50 ms and 20 ms; a caller
    // waits up to 200 s modelled (10 s), far longer than six calls on two agents need.
    emulator.state().contact_center().set_options(CenterOptions {
        handle_time: DurationDistribution::Constant { ms: 1_000.0 },
        wrap_up: DurationDistribution::Constant { ms: 400.0 },
        patience: DurationDistribution::Constant { ms: 200_000.0 },
        seed: 7,
    });
    let mut ids = Vec::new();
    for index in 0..6 {
        let call = json!({"noWait": true, "speedUp": 20, "ani": format!("+1555000200{index}")});
        ids.push(place(&emulator, "+13175550900", call).await.conversation_id);
    }
    let mut outcomes = Vec::new();
    let mut agents = std::collections::BTreeSet::new();
    for id in &ids {
        let call = await_call(&emulator, id, "end").await;
        assert!(call.ended, "call {id} ended: {call:?}");
        outcomes.push(call.outcome.clone());
        agents.extend(call.agent_id.clone());
    }
    assert_eq!(outcomes, vec!["answered"; 6], "every call is answered once an agent is free again");
    assert_eq!(agents.len(), 2, "both agents took calls: {agents:?}");

    let client = login(&emulator, "acme").await;
    let records = emulator.state().contact_center().analytics.records(&client.org_id);
    assert_eq!(records.len(), 6);
    for record in &records {
        let queue = record.queue.as_ref().expect("a queue segment");
        assert!(queue.answered_ms.is_some() && queue.wrapup_end_ms.is_some(), "answered and wrapped up: {queue:?}");
    }
    for agent in &agents {
        let status = client.get_json(&format!("/api/v2/users/{agent}/routingstatus")).await;
        assert_eq!(status["status"], "IDLE", "agent {agent} is back to IDLE: {status}");
    }
    emulator.shutdown().await;
}
