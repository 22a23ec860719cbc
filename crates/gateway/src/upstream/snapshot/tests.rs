use super::*;

#[test]
fn user_state_topics_are_grouped_by_user_and_other_topics_are_left_out() {
    let topics: Vec<String> = [
        "v2.users.u1.presence",
        "v2.users.u1.routingStatus",
        "v2.users.u2.presence",
        "v2.users.u2.conversations",
        "v2.routing.queues.q.conversations",
        "v2.users.u3",
    ]
    .iter()
    .map(ToString::to_string)
    .collect();
    let users = user_topics(&topics);
    let summary: Vec<(&str, Vec<&str>)> = users.iter().map(|(user, watched)| (*user, watched.iter().map(|(what, _)| *what).collect())).collect();
    assert_eq!(summary, vec![("u1", vec!["presence", "routingStatus"]), ("u2", vec!["presence"])]);
}

#[test]
fn a_user_without_the_expanded_field_has_no_state() {
    let user = User { id: "u1".into(), name: "One".into(), ..User::default() };
    assert_eq!(state_of(&user, "presence"), None);
    assert_eq!(state_of(&user, "routingStatus"), None);
}
