//! Fan-out over several upstream channels, the demo's shape: hundreds of agents, a queue topic
//! they all share and each agent's own topics, so the pool needs more than one channel. Every
//! agent must receive every event it watches, in each topic's order, whichever channel carried
//! it. (The demo once waited for an agent's own event and then the shared one, throwing away
//! frames in between; when the two topics sat on different channels the shared event could come
//! first and was thrown away. The gateway never lost it; the demo now waits for both in any
//! order, and this test holds the gateway to delivering all of them.)

use crate::support::*;
use serde_json::json;
use std::collections::BTreeMap;
use switchboard_emulator::EmulatorOptions;
use switchboard_platform::PlatformExt;

const SHARED: &str = "v2.routing.queues.demo-support.conversations";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_agent_receives_every_event_when_its_topics_span_channels() {
    let emulator = emulator(EmulatorOptions::default()).await;
    let upstream = client(client_config(&emulator));
    let mut config = gateway_config();
    // The demo's numbers: 500 agents x 2 own topics + 1 shared = 1,001 topics, over the 900 a
    // channel is filled to, so the pool opens a second channel.
    let agents = 500;
    config.limits.connections_per_address = agents + 10;
    let gateway = gateway(config, upstream.clone()).await;
    let mut desktops = Vec::new();
    for index in 0..agents {
        let agent = format!("agent-{index}");
        let desktop = connect(&gateway.url(), &token(&agent, 600.0)).await;
        desktops.push((agent, desktop));
    }
    // All at once, as desktops do at shift start: the pool applies them in a few batches.
    for (agent, desktop) in &mut desktops {
        send(desktop, json!({"message": "subscribe", "topics": [format!("v2.users.{agent}?presence&routingStatus"), SHARED]})).await;
    }
    for (_, desktop) in &mut desktops {
        loop {
            let frame = next_json(desktop).await;
            assert_ne!(message_of(&frame), Some("error"), "{frame}");
            if message_of(&frame) == Some("subscribed") {
                break;
            }
        }
    }

    // The platform's view: two channels, the shared topic once.
    let channels = upstream.notifications().channels().await.unwrap_or_default();
    assert_eq!(channels.len(), 2, "1,001 topics need two channels");
    let mut shared_on = Vec::new();
    let mut with_shared = std::collections::BTreeSet::new();
    let mut agents_elsewhere = 0;
    for channel in &channels {
        let topics = upstream.notifications().subscriptions(&channel.id).await.unwrap_or_default();
        if topics.iter().any(|topic| topic.id == SHARED) {
            shared_on.push(channel.id.clone());
            with_shared.extend(topics.into_iter().map(|topic| topic.id));
        } else {
            agents_elsewhere += topics.len() / 2;
        }
    }
    assert_eq!(shared_on.len(), 1, "the shared topic is one upstream subscription");
    assert!(agents_elsewhere > 0, "some agents' own topics sit on the other channel than the shared one");

    // Rounds of: every agent's own event, then one shared event.
    let rounds = 5;
    for round in 0..rounds {
        for (agent, _) in &desktops {
            assert_eq!(publish(&emulator, &format!("v2.users.{agent}.presence"), json!({"seq": round})), 1);
        }
        assert_eq!(publish(&emulator, SHARED, json!({"seq": round})), 1);
    }
    // Agents that saw a round's shared event before their own event of that round: the demo's old
    // ordered wait lost exactly these (0 to 50 of the 50 agents on the second channel, 5 runs in 8).
    let mut shared_first = 0;
    for (agent, desktop) in &mut desktops {
        let own = format!("v2.users.{agent}.presence");
        // (is the shared topic, seq) in arrival order.
        let mut order: Vec<(bool, u64)> = Vec::new();
        let mut received: BTreeMap<String, Vec<u64>> = BTreeMap::new();
        while received.values().map(Vec::len).sum::<usize>() < 2 * rounds as usize {
            let event = next_event(desktop).await;
            let topic = event["topicName"].as_str().unwrap_or_default().to_string();
            assert!(topic == own || topic == SHARED, "{agent} got another agent's event: {event}");
            let seq = event["eventBody"]["seq"].as_u64().unwrap_or(u64::MAX);
            order.push((topic == SHARED, seq));
            received.entry(topic).or_default().push(seq);
        }
        let in_order: Vec<u64> = (0..rounds).collect();
        assert_eq!(received.get(&own), Some(&in_order), "{agent}'s own events, each once, in order");
        assert_eq!(received.get(SHARED), Some(&in_order), "{agent}'s shared events, each once, in order");
        if with_shared.contains(&own) {
            // One channel carries both: the platform's order, round by round.
            let expected: Vec<(bool, u64)> = (0..rounds).flat_map(|round| [(false, round), (true, round)]).collect();
            assert_eq!(order, expected, "{agent} shares the queue's channel: its events in the platform's order");
        }
        let position = |shared: bool, seq: u64| order.iter().position(|event| *event == (shared, seq));
        if (0..rounds).any(|round| position(true, round) < position(false, round)) {
            shared_first += 1;
        }
    }
    eprintln!("{shared_first} agents saw a shared event before their own event of the same round");
    let stats = gateway.stats();
    assert_eq!(stats.upstream_channels, 2);
}
