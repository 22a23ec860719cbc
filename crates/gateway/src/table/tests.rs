use super::*;

fn topics(names: &[&str]) -> Vec<String> {
    names.iter().map(|name| name.to_string()).collect()
}

#[test]
fn five_hundred_watchers_of_a_queue_need_one_upstream_subscription() {
    let mut table = SubscriptionTable::default();
    let queue = topics(&["v2.routing.queues.q1.conversations"]);
    let mut needed = Vec::new();
    for session in 0..500 {
        needed.extend(table.subscribe(session, &queue));
    }
    assert_eq!(needed, queue);
    assert_eq!(table.topic_count(), 1);
    assert_eq!(table.subscription_count(), 500);
    assert_eq!(table.subscribers("v2.routing.queues.q1.conversations").len(), 500);
    let mut unneeded = Vec::new();
    for session in 0..499 {
        unneeded.extend(table.remove_session(session));
    }
    assert!(unneeded.is_empty(), "one watcher is left");
    assert_eq!(table.unsubscribe(499, &queue), queue);
    assert_eq!(table.topic_count(), 0);
}

#[test]
fn repeating_a_subscription_counts_once_and_shorthand_expands() {
    let mut table = SubscriptionTable::default();
    let expanded = expand_topic("v2.users.a?presence&routingStatus");
    assert_eq!(expanded, topics(&["v2.users.a.presence", "v2.users.a.routingStatus"]));
    assert_eq!(table.subscribe(1, &expanded).len(), 2);
    assert!(table.subscribe(1, &expanded).is_empty());
    assert_eq!(table.subscribers("v2.users.a.presence"), &[1]);
    assert!(is_plausible_topic("v2.users.a-b_c.presence"));
    assert!(!is_plausible_topic("v2.users.<script>"));
    assert!(!is_plausible_topic("users.a"));
}
