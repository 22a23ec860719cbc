//! Optimistic concurrency: a stale body `version` is `Conflict` (409), a stale ETag is
//! `PreconditionFailed` (412), `ReadCompareWrite` converges through a lost race, and strict mode
//! (a real org's behaviour) has no ETags and no routing strategies.

use std::sync::atomic::{AtomicU32, Ordering};

use futures_util::TryStreamExt;
use switchboard_emulator::EmulatorOptions;
use switchboard_platform::api::user::UpdateUser;
use switchboard_platform::{PlatformError, PlatformExt, RcwOutcome, ReadCompareWrite};

use crate::support::{CHILD, client_for, ok, start, start_default};

#[tokio::test]
async fn a_stale_body_version_is_a_conflict() {
    let emulator = start_default().await;
    let client = client_for(&emulator, CHILD);
    let users: Vec<_> = ok("users", client.users().list().try_collect().await);
    let Some(user) = users.first() else { panic!("seeded org has no users") };
    let update = UpdateUser { title: Some("Lead".into()), version: user.version, ..UpdateUser::default() };
    let updated = ok("first update", client.users().update(&user.id, &update).await);
    assert!(updated.version > user.version);
    // Same stale version again: someone (we) wrote in between.
    let error = client.users().update(&user.id, &update).await;
    assert!(matches!(&error, Err(PlatformError::Conflict { resource, id: Some(id), .. }) if resource == "user" && *id == user.id), "{error:?}");
    assert!(error.as_ref().is_err_and(PlatformError::is_conflict));

    let org = ok("me", client.orgs().me().await).value;
    let mut stale = org.clone();
    stale.version = org.version.saturating_sub(1);
    stale.name = CHILD.into();
    if org.version > 0 {
        let error = client.orgs().update_me(&stale).await;
        assert!(matches!(error, Err(PlatformError::Conflict { .. })), "{error:?}");
    }
    emulator.shutdown().await;
}

#[tokio::test]
async fn a_stale_etag_is_precondition_failed() {
    let emulator = start_default().await;
    let client = client_for(&emulator, CHILD);
    let queues = ok("queues", client.queues().list_all().await);
    let Some(queue) = queues.first() else { panic!("seeded org has no queues") };
    let read = ok("get", client.queues().get(&queue.id).await);
    let Some(first_etag) = read.etag.clone() else { panic!("non-strict emulator sent no ETag") };

    let mut changed = read.value.clone();
    changed.description = Some("changed once".into());
    let written = ok("conditional write", client.queues().update_with_etag(&queue.id, &changed, Some(&first_etag)).await);
    assert_ne!(written.etag.as_deref(), Some(first_etag.as_str()), "the ETag moves with the content");

    changed.description = Some("changed twice".into());
    let error = client.queues().update_with_etag(&queue.id, &changed, Some(&first_etag)).await;
    assert!(matches!(error, Err(PlatformError::PreconditionFailed { .. })), "{error:?}");
    assert_eq!(ok("reread", client.queues().get(&queue.id).await).value.description.as_deref(), Some("changed once"));
    emulator.shutdown().await;
}

#[tokio::test]
async fn read_compare_write_recovers_from_a_lost_race() {
    let emulator = start_default().await;
    let client = client_for(&emulator, CHILD);
    let rival = client_for(&emulator, CHILD);
    let queues = ok("queues", client.queues().list_all().await);
    let Some(queue) = queues.first() else { panic!("seeded org has no queues") };
    let id = queue.id.clone();
    let writes = AtomicU32::new(0);

    let outcome = ReadCompareWrite::default()
        .run(
            || client.queues().get(&id),
            |current| (current.description.as_deref() != Some("desired")).then(|| {
                let mut target = current.clone();
                target.description = Some("desired".into());
                target
            }),
            |target, etag| {
                let (client, rival, id, writes) = (&client, &rival, &id, &writes);
                async move {
                    if writes.fetch_add(1, Ordering::SeqCst) == 0 {
                        // A rival edits between our read and our first write.
                        let mut theirs = ok("rival read", rival.queues().get(id).await).value;
                        theirs.description = Some("rival".into());
                        ok("rival write", rival.queues().update(id, &theirs).await);
                    }
                    client.queues().update_with_etag(id, &target, etag.as_deref()).await.map(|written| written.value)
                }
            },
        )
        .await;
    let outcome = ok("read-compare-write", outcome);
    assert!(matches!(&outcome, RcwOutcome::Written { conflicts: 1, value } if value.description.as_deref() == Some("desired")), "{outcome:?}");

    // Already converged: a second run writes nothing.
    let again = ReadCompareWrite::default()
        .run(|| client.queues().get(&id), |current| (current.description.as_deref() != Some("desired")).then(|| current.clone()), |target, _| async move { Ok(target) })
        .await;
    assert!(matches!(again, Ok(RcwOutcome::Unchanged(_))), "{again:?}");
    emulator.shutdown().await;
}

#[tokio::test]
async fn strict_mode_has_no_etags_and_no_strategies() {
    let emulator = start(EmulatorOptions { strict: true, ..EmulatorOptions::default() }).await;
    let client = client_for(&emulator, CHILD);
    let queues = ok("queues", client.queues().list_all().await);
    let Some(queue) = queues.first() else { panic!("seeded org has no queues") };
    assert_eq!(ok("get", client.queues().get(&queue.id).await).etag, None);

    let listed: Result<Vec<_>, _> = client.strategies().list().try_collect().await;
    assert!(matches!(listed, Err(PlatformError::Unsupported { .. })), "{listed:?}");
    let fetched = client.strategies().get("any-id").await;
    assert!(matches!(fetched, Err(PlatformError::Unsupported { .. })), "{fetched:?}");
    let tree = client.orgs().tree().await;
    assert!(matches!(tree, Err(PlatformError::Unsupported { .. })), "{tree:?}");
    emulator.shutdown().await;
}
