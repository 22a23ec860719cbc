use super::*;

fn frame(topic: &str, text: &str) -> Outbound {
    let key = is_state_topic(topic).then(|| Arc::from(topic));
    Outbound { conflation_key: key, text: Utf8Bytes::from(text.to_string()), received_at: Instant::now() }
}

fn drain(queue: &mut SessionQueue) -> Vec<String> {
    std::iter::from_fn(|| queue.pop()).map(|frame| frame.text.as_str().to_string()).collect()
}

#[test]
fn below_the_threshold_nothing_is_conflated() {
    let mut queue = SessionQueue::new(10, 10_000, 0.7);
    for index in 0..5 {
        assert_eq!(queue.push(frame("v2.users.a.presence", &format!("p{index}")), usize::MAX), Pushed::Queued);
    }
    assert_eq!(drain(&mut queue), ["p0", "p1", "p2", "p3", "p4"]);
}

#[test]
fn from_seventy_percent_state_topics_keep_only_the_latest_and_deltas_fill_then_refuse() {
    let mut queue = SessionQueue::new(10, 10_000, 0.7);
    for index in 0..7 {
        assert_eq!(queue.push(frame("v2.routing.queues.q.conversations", &format!("c{index}")), usize::MAX), Pushed::Queued);
    }
    assert!(queue.is_conflating());
    assert_eq!(queue.push(frame("v2.users.a.presence", "p0"), usize::MAX), Pushed::Queued, "first of its topic");
    assert_eq!(queue.push(frame("v2.users.a.presence", "p1"), usize::MAX), Pushed::Conflated);
    assert_eq!(queue.push(frame("v2.users.a.presence", "p2"), usize::MAX), Pushed::Conflated);
    assert_eq!(queue.len(), 8);
    assert_eq!(queue.push(frame("v2.routing.queues.q.conversations", "c7"), usize::MAX), Pushed::Queued);
    assert_eq!(queue.push(frame("v2.routing.queues.q.conversations", "c8"), usize::MAX), Pushed::Queued);
    assert_eq!(queue.push(frame("v2.routing.queues.q.conversations", "c9"), usize::MAX), Pushed::Full, "a delta is never dropped silently");
    assert_eq!(queue.push(frame("v2.users.a.presence", "p3"), usize::MAX), Pushed::Conflated, "state still fits when full");
    assert_eq!(drain(&mut queue), ["c0", "c1", "c2", "c3", "c4", "c5", "c6", "p3", "c7", "c8"]);
    assert_eq!(queue.bytes(), 0);
}

#[test]
fn the_byte_bound_and_the_global_budget_refuse_too() {
    let mut queue = SessionQueue::new(100, 10, 0.7);
    assert_eq!(queue.push(frame("t.x", "12345678"), usize::MAX), Pushed::Queued);
    assert_eq!(queue.push(frame("t.x", "123"), usize::MAX), Pushed::Full);
    let mut other = SessionQueue::new(100, 1_000, 0.7);
    assert_eq!(other.push(frame("t.x", "123"), 2), Pushed::Full);
}
