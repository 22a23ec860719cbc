use super::*;

fn event(id: u64, body: &str) -> String {
    format!(r#"{{"id":{id},"topicName":"t","eventBody":{{"b":"{body}"}}}}"#)
}

#[test]
fn a_new_incarnation_forgets_the_last_id_so_a_restarted_numbering_is_delivered() {
    let mut cursor = Cursor::default();
    for id in 1..=50 {
        assert_eq!(cursor.observe(Some(id), &event(id, "old")), Verdict::Forward);
    }
    assert_eq!(cursor.resume_after(), 50);
    // The platform restarted: the re-created channel numbers from 1 again.
    cursor.new_incarnation();
    assert_eq!(cursor.resume_after(), 0, "a new channel is resumed from its start");
    for id in 1..=10 {
        assert_eq!(cursor.observe(Some(id), &event(id, "new")), Verdict::Forward, "event {id} of the new channel");
    }
    assert_eq!(cursor.incarnation(), 1);
}

#[test]
fn copies_of_a_make_before_break_overlap_are_skipped_by_content_whatever_their_ids() {
    let mut cursor = Cursor::default();
    let overlap = event(7, "overlap");
    assert_eq!(cursor.observe(Some(7), &overlap), Verdict::Forward);
    cursor.replaced();
    // The replacement channel delivers the same event (identical text) once more.
    assert_eq!(cursor.observe(Some(7), &overlap), Verdict::Duplicate);
    assert_eq!(cursor.observe(Some(8), &event(8, "next")), Verdict::Forward);
}

#[test]
fn outside_an_overlap_two_events_with_the_same_text_are_both_delivered() {
    let mut cursor = Cursor::default();
    let text = "{\"topicName\":\"t\",\"eventBody\":{}}";
    assert_eq!(cursor.observe(None, text), Verdict::Forward);
    assert_eq!(cursor.observe(None, text), Verdict::Forward);
    // After a re-creation the old socket is gone: nothing can be a copy either.
    cursor.new_incarnation();
    assert_eq!(cursor.observe(None, text), Verdict::Forward);
}

#[test]
fn ids_going_back_on_one_channel_are_delivered_and_flagged() {
    let mut cursor = Cursor::default();
    assert_eq!(cursor.observe(Some(40), &event(40, "a")), Verdict::Forward);
    assert_eq!(cursor.observe(Some(3), &event(3, "b")), Verdict::IdsRestarted);
    assert_eq!(cursor.observe(Some(4), &event(4, "c")), Verdict::Forward);
    assert_eq!(cursor.resume_after(), 4);
}

#[test]
fn events_without_ids_are_forwarded_and_leave_the_resume_point_at_the_start() {
    let mut cursor = Cursor::default();
    assert_eq!(cursor.observe(None, "{\"topicName\":\"t\",\"eventBody\":1}"), Verdict::Forward);
    assert_eq!(cursor.resume_after(), 0);
}

#[test]
fn the_fingerprint_window_is_bounded() {
    let mut cursor = Cursor::default();
    for id in 0..(RECENT as u64 + 100) {
        cursor.observe(Some(id + 1), &event(id + 1, "x"));
    }
    assert_eq!(cursor.recent.len(), RECENT);
    assert_eq!(cursor.recent_set.len(), RECENT);
}

#[test]
fn replay_support_is_learned_from_events() {
    let support = ReplaySupport::default();
    assert_eq!(support.get(), Replay::Unknown);
    support.saw_event(true);
    assert_eq!(support.get(), Replay::Offered);
    support.saw_event(false);
    assert_eq!(support.get(), Replay::Absent);
}
