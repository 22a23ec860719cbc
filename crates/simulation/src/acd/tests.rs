use super::*;

fn call(index: u32) -> CallRef {
    CallRef { index, generation: 0 }
}

#[test]
fn arriving_calls_go_to_the_longest_idle_agent() {
    let mut acd = Acd::new(1);
    let first = acd.add_agent(&[0], 0);
    let second = acd.add_agent(&[0], 10);
    assert_eq!(acd.enqueue(0, call(1), 0, 20), Placement::Answered { agent: first });
    acd.finish_handle(first);
    assert_eq!(acd.finish_wrapup(first, 30), None);
    // `second` has been idle since 10, `first` since 30.
    assert_eq!(acd.enqueue(0, call(2), 0, 40), Placement::Answered { agent: second });
    assert_eq!(acd.enqueue(0, call(3), 0, 41), Placement::Answered { agent: first });
    assert_eq!(acd.idle_count(0), 0);
}

#[test]
fn free_agents_take_priority_then_fifo_and_skip_abandoned_calls() {
    let mut acd = Acd::new(1);
    let agent = acd.add_agent(&[0], 0);
    assert!(matches!(acd.enqueue(0, call(0), 0, 0), Placement::Answered { .. }));
    for (index, priority) in [(1, 0), (2, 0), (3, 5), (4, 5)] {
        assert_eq!(acd.enqueue(0, call(index), priority, u64::from(index)), Placement::Waiting);
    }
    assert!(acd.abandon(0, call(3)));
    assert!(!acd.abandon(0, call(3)));
    assert_eq!(acd.waiting_count(0), 3);
    let mut order = Vec::new();
    for now in [100, 200, 300] {
        acd.finish_handle(agent);
        let next = acd.finish_wrapup(agent, now).expect("a call is waiting");
        order.push((next.call.index, next.waited_ms));
    }
    assert_eq!(order, vec![(4, 96), (1, 199), (2, 298)]);
    acd.finish_handle(agent);
    assert_eq!(acd.finish_wrapup(agent, 400), None);
    assert_eq!(acd.agent_status(agent), Some(AgentStatus::Idle { since_ms: 400 }));
}

#[test]
fn a_shared_agent_serves_the_longest_waiting_call_across_queues_once() {
    let mut acd = Acd::new(2);
    let shared = acd.add_agent(&[0, 1], 0);
    let only_b = acd.add_agent(&[1], 5);
    assert_eq!(acd.enqueue(1, call(1), 0, 10), Placement::Answered { agent: shared });
    assert_eq!(acd.enqueue(1, call(2), 0, 11), Placement::Answered { agent: only_b });
    assert_eq!(acd.enqueue(0, call(3), 0, 20), Placement::Waiting);
    assert_eq!(acd.enqueue(1, call(4), 0, 15 + 10), Placement::Waiting);
    acd.finish_handle(shared);
    let next = acd.finish_wrapup(shared, 30).expect("work waiting");
    assert_eq!((next.call.index, next.queue), (3, 0));
    acd.finish_handle(only_b);
    let next = acd.finish_wrapup(only_b, 31).expect("work waiting");
    assert_eq!((next.call.index, next.queue), (4, 1));
}

#[test]
fn off_queue_agents_get_no_calls_until_back() {
    let mut acd = Acd::new(1);
    let agent = acd.add_agent(&[0], 0);
    assert_eq!(acd.set_on_queue(agent, false, 1), None);
    assert_eq!(acd.enqueue(0, call(1), 0, 2), Placement::Waiting);
    let back = acd.set_on_queue(agent, true, 10).expect("takes the waiting call");
    assert_eq!((back.call.index, back.waited_ms), (1, 8));
}
