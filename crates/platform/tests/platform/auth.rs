//! Auth and org scoping: each client sees its own org, a parent sees its children, a token of one
//! org cannot reach another org's objects, and bad credentials fail clearly without leaking.

use switchboard_platform::{PlatformError, PlatformExt};

use crate::support::{CHILD, OTHER_CHILD, PARENT, client, client_for, config_for, ok, org_id, start_default};

#[tokio::test]
async fn each_client_sees_its_own_org_and_the_parent_sees_the_tree() {
    let emulator = start_default().await;
    let parent = client_for(&emulator, PARENT);
    let child = client_for(&emulator, CHILD);

    let me = ok("parent me", parent.orgs().me().await).value;
    assert_eq!((me.id.as_str(), me.name.as_str()), (org_id(&emulator, PARENT).as_str(), PARENT));
    assert_eq!(ok("child me", child.orgs().me().await).value.name, CHILD);

    let parent_tree = ok("parent tree", parent.orgs().tree().await);
    let mut names: Vec<&str> = parent_tree.iter().map(|entry| entry.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["eu-central-1", "eu-central-2", "global", "na-east-1", "na-east-2"]);
    let parent_id = org_id(&emulator, PARENT);
    assert!(parent_tree.iter().filter(|entry| entry.name != PARENT).all(|entry| entry.parent_org_id.as_deref() == Some(parent_id.as_str())));

    let child_tree = ok("child tree", child.orgs().tree().await);
    assert_eq!(child_tree.iter().map(|entry| entry.name.as_str()).collect::<Vec<_>>(), [CHILD]);
    emulator.shutdown().await;
}

#[tokio::test]
async fn a_token_cannot_reach_another_orgs_objects() {
    let emulator = start_default().await;
    let owner = client_for(&emulator, CHILD);
    let stranger = client_for(&emulator, OTHER_CHILD);
    let queues = ok("owner queues", owner.queues().list_all().await);
    let Some(queue) = queues.first() else { panic!("seeded org {CHILD} has no queues") };

    let foreign_read = stranger.queues().get(&queue.id).await;
    assert!(matches!(foreign_read, Err(PlatformError::NotFound { .. } | PlatformError::Forbidden { .. })), "{foreign_read:?}");
    let foreign_delete = stranger.queues().delete(&queue.id).await;
    assert!(foreign_delete.is_err(), "another org deleted {}", queue.id);
    // Still there for its owner.
    assert_eq!(ok("owner get", owner.queues().get(&queue.id).await).value.id, queue.id);
    emulator.shutdown().await;
}

#[tokio::test]
async fn bad_credentials_fail_as_unauthorized_without_leaking_the_secret() {
    let emulator = start_default().await;
    let mut config = config_for(&emulator, CHILD);
    config.client_secret = "definitely-wrong-secret-value".into();
    let client = client(config);
    let error = match client.orgs().me().await {
        Ok(org) => panic!("wrong secret was accepted: {org:?}"),
        Err(error) => error,
    };
    assert!(matches!(error, PlatformError::Unauthorized { .. }), "{error:?}");
    let printed = format!("{error} {error:?} {client:?}");
    assert!(!printed.contains("definitely-wrong-secret-value"), "secret leaked: {printed}");
    emulator.shutdown().await;
}
