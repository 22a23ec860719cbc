use super::*;
use std::time::Duration;

#[test]
fn an_entity_s_topics_share_a_channel_and_topics_are_placed_once() {
    let now = Instant::now();
    let mut packing = Packing::new(1000, 900, 20);
    packing.ensure_open(4, now);
    let first = packing.place("agent-1", "v2.users.agent-1.presence", now).map(|placement| placement.channel);
    let second = packing.place("supervisor", "v2.users.agent-1.routingStatus", now).map(|placement| placement.channel);
    assert_eq!(first, second, "one entity, one channel");
    assert_eq!(packing.place("other", "v2.users.agent-1.presence", now).map(|placement| placement.channel), first);
    assert_eq!(entity_of("v2.routing.queues.q-1.conversations.calls"), "v2.routing.queues.q-1");
}

#[test]
fn agents_spread_over_channels_and_the_pool_grows_only_when_full() {
    let now = Instant::now();
    let mut packing = Packing::new(10, 8, 5);
    let mut opened = 0;
    for agent in 0..20 {
        let name = format!("agent-{agent}");
        for suffix in ["presence", "routingStatus"] {
            match packing.place(&name, &format!("v2.users.{name}.{suffix}"), now) {
                Ok(placement) => opened += usize::from(placement.opened),
                Err(error) => panic!("{error}"),
            }
        }
    }
    assert_eq!(opened, 5, "40 topics at 8 per channel");
    assert!((0..5).all(|channel| packing.topics_on(channel) <= 10));
    let overflow = (0..100).map(|index| packing.place("x", &format!("v2.flows.f{index}.x"), now)).find(Result::is_err);
    assert_eq!(overflow, Some(Err(PoolExhausted { channels: 5, limit: 10 })));
}

#[test]
fn empty_channels_close_after_the_idle_time_down_to_the_minimum() {
    let start = Instant::now();
    let mut packing = Packing::new(2, 2, 5);
    for index in 0..6 {
        assert!(packing.place("a", &format!("v2.flows.f{index}"), start).is_ok());
    }
    assert_eq!(packing.open_channels(), 3);
    for index in 0..6 {
        packing.remove(&format!("v2.flows.f{index}"), start);
    }
    assert!(packing.idle_channels(start + Duration::from_secs(10), Duration::from_secs(900), 1).is_empty());
    assert_eq!(packing.idle_channels(start + Duration::from_secs(900), Duration::from_secs(900), 1).len(), 2);
    assert_eq!(packing.open_channels(), 1);
}
