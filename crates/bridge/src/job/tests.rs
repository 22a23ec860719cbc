use super::*;
use switchboard_api::conversation::Participant;

fn conversation(queue: &str, ended: bool) -> Conversation {
    Conversation {
        id: "c1".into(),
        start_time: "2026-01-01T10:00:00.000Z".into(),
        end_time: ended.then(|| "2026-01-01T10:05:00.000Z".to_string()),
        participants: vec![
            Participant {
                id: "p-customer".into(),
                purpose: "customer".into(),
                ani: Some("+15550001234".into()),
                ..Participant::default()
            },
            Participant {
                id: "p-acd".into(),
                purpose: "acd".into(),
                queue_id: Some(queue.into()),
                queue_name: Some("Support".into()),
                start_time: Some("2026-01-01T10:00:30.000Z".into()),
                ..Participant::default()
            },
        ],
        ..Conversation::default()
    }
}

fn served() -> ServedQueues {
    ServedQueues::new(vec![("q1".into(), "Support".into())])
}

#[test]
fn a_live_call_in_a_served_queue_needs_a_screen_pop() {
    let work = work_for(&conversation("q1", false), &served());
    assert_eq!(work.len(), 1);
    assert_eq!(work[0].key, "pop:c1");
    assert_eq!(work[0].kind, EffectKind::ScreenPop);
    assert_eq!(work[0].payload["participantId"], "p-customer");
    assert_eq!(work[0].payload["ani"], "+15550001234");
    assert_eq!(work[0].arrived_ms, 1_767_261_630_000);
}

#[test]
fn an_ended_call_needs_an_activity_with_a_stable_body() {
    let first = work_for(&conversation("q1", true), &served());
    let again = work_for(&conversation("q1", true), &served());
    assert_eq!(first, again);
    assert_eq!(first[0].key, "activity:c1");
    assert_eq!(first[0].payload["end"], "2026-01-01T10:05:00.000Z");
}

#[test]
fn other_queues_and_calls_still_in_the_ivr_ask_for_nothing() {
    assert!(work_for(&conversation("q2", false), &served()).is_empty());
    let mut in_ivr = conversation("q1", false);
    in_ivr
        .participants
        .retain(|participant| participant.purpose != "acd");
    assert!(work_for(&in_ivr, &served()).is_empty());
}

#[test]
fn the_activity_names_the_queue_the_same_whether_seen_live_or_reconciled() {
    // A REST conversation carries the queue's name; a live event does not. The subject must not
    // depend on the path: both read the served queue's name.
    let reconciled = conversation("q1", true);
    let mut live = reconciled.clone();
    for participant in &mut live.participants {
        participant.queue_name = None;
    }
    let from_rest = work_for(&reconciled, &served());
    let from_event = work_for(&live, &served());
    assert_eq!(from_rest[0].payload["queueName"], "Support");
    assert_eq!(from_event, from_rest);
}
