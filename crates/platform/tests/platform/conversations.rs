//! Conversations through the client: read a live call, set participant data on it, and the
//! errors for unknown participants, unknown conversations and ended calls.

use switchboard_emulator::Phase;
use switchboard_platform::api::conversation::ParticipantAttributes;
use switchboard_platform::{PlatformError, PlatformExt};

use crate::center::{NOBODY_DID, ORG, SUPPORT_DID, place, reach, start_center};
use crate::support::{client_for, ok};

fn attributes(pairs: &[(&str, &str)]) -> ParticipantAttributes {
    ParticipantAttributes { attributes: pairs.iter().map(|(name, value)| ((*name).to_owned(), (*value).to_owned())).collect() }
}

#[tokio::test]
async fn a_live_call_is_read_and_its_attributes_are_patched() {
    // Callers wait a minute on the unstaffed queue, so the call is still live while we work.
    let emulator = start_center(50.0, 60_000.0).await;
    let client = client_for(&emulator, ORG);
    let waiting = place(&emulator, NOBODY_DID);
    reach(&waiting, Phase::Queued).await;

    let conversation = ok("get", client.conversations().get(&waiting.id).await);
    assert_eq!(conversation.id, waiting.id);
    assert_eq!(conversation.end_time, None, "still waiting");
    let Some(customer) = conversation.participant("customer") else { panic!("no customer: {conversation:?}") };
    assert_eq!(customer.attributes.get("DNIS").map(String::as_str), Some(NOBODY_DID));

    let patch = attributes(&[("Escalate", "yes"), ("Tier", "gold")]);
    ok("patch", client.conversations().set_participant_attributes(&waiting.id, &customer.id, &patch).await);
    let reread = ok("get again", client.conversations().get(&waiting.id).await);
    let Some(customer) = reread.participant("customer") else { panic!("no customer: {reread:?}") };
    assert_eq!(customer.attributes.get("Escalate").map(String::as_str), Some("yes"), "{customer:?}");
    assert_eq!(customer.attributes.get("Tier").map(String::as_str), Some("gold"));

    let nobody = client.conversations().set_participant_attributes(&waiting.id, "nobody", &patch).await;
    assert!(matches!(nobody, Err(PlatformError::NotFound { .. })), "{nobody:?}");
    let missing = client.conversations().get("no-such-conversation").await;
    assert!(matches!(missing, Err(PlatformError::NotFound { .. })), "{missing:?}");
    emulator.shutdown().await;
}

#[tokio::test]
async fn an_ended_call_is_readable_but_its_attributes_are_final() {
    let emulator = start_center(50.0, 60_000.0).await;
    let client = client_for(&emulator, ORG);
    let answered = place(&emulator, SUPPORT_DID);
    reach(&answered, Phase::Ended).await;

    let conversation = ok("get", client.conversations().get(&answered.id).await);
    assert!(conversation.end_time.is_some(), "{conversation:?}");
    let purposes: Vec<&str> = conversation.participants.iter().map(|participant| participant.purpose.as_str()).collect();
    assert_eq!(purposes, ["customer", "ivr", "acd", "agent"]);
    let Some(customer) = conversation.participant("customer") else { panic!("no customer: {conversation:?}") };
    let late = client.conversations().set_participant_attributes(&answered.id, &customer.id, &attributes(&[("Late", "yes")])).await;
    assert!(matches!(late, Err(PlatformError::BadRequest { .. })), "{late:?}");
    emulator.shutdown().await;
}
