//! One behaviour suite, each body run against both backends: every test here takes a location
//! factory so SQLite and PostgreSQL are held to exactly the same expectations.

use crate::support::{TempDir, postgres};
use serde_json::json;
use std::time::Duration;
use switchboard_journal::{Applied, Journal, JournalError, Status, StepUpdate};

fn step(
    org: &str,
    key: &str,
    action: &str,
    status: Status,
    applied: Option<Applied>,
) -> StepUpdate {
    StepUpdate {
        org: org.to_string(),
        resource_key: key.to_string(),
        action: action.to_string(),
        status,
        error: None,
        applied,
    }
}

async fn deployments_record_orgs_steps_and_snapshots(journal: &Journal) {
    let plan = json!({"env": "prod", "orgs": {"parent": 2, "child-1": 1, "child-2": 1}});
    let id = journal
        .create_deployment("prod", &plan, ["parent", "child-1", "child-2"])
        .await
        .expect("create");
    assert_eq!(
        journal.unfinished_orgs(&id).await.expect("unfinished"),
        vec!["parent", "child-1", "child-2"]
    );

    journal
        .set_org_status(&id, "parent", Status::InProgress, None)
        .await
        .expect("status");
    let queue_before = json!({"name": "Support", "acwTimeoutMs": 30000});
    journal
        .snapshot(&id, "parent", "queue/support", Some(&queue_before))
        .await
        .expect("snapshot");
    journal
        .snapshot(&id, "parent", "flow/main-ivr", None)
        .await
        .expect("snapshot");
    // A resumed apply snapshots again after its own write: the first "before" must stay.
    journal
        .snapshot(
            &id,
            "parent",
            "queue/support",
            Some(&json!({"name": "Support", "acwTimeoutMs": 1})),
        )
        .await
        .expect("second snapshot");
    let queue_after = json!({"name": "Support", "acwTimeoutMs": 60000});
    journal
        .record_step(
            &id,
            &step(
                "parent",
                "queue/support",
                "update",
                Status::InProgress,
                None,
            ),
        )
        .await
        .expect("step");
    journal
        .record_step(
            &id,
            &step(
                "parent",
                "queue/support",
                "update",
                Status::Done,
                Some(Applied::Content(queue_after.clone())),
            ),
        )
        .await
        .expect("step done");
    journal
        .record_step(
            &id,
            &step(
                "parent",
                "flow/main-ivr",
                "create",
                Status::Done,
                Some(Applied::Content(json!({"version": 1}))),
            ),
        )
        .await
        .expect("step");
    journal
        .set_org_status(&id, "parent", Status::Done, None)
        .await
        .expect("status");
    journal
        .set_org_status(&id, "child-1", Status::InProgress, None)
        .await
        .expect("status");
    let mut failing = step("child-1", "queue/support", "update", Status::Failed, None);
    failing.error = Some("409 version conflict".to_string());
    journal
        .record_step(&id, &failing)
        .await
        .expect("failed step");
    journal
        .set_org_status(
            &id,
            "child-1",
            Status::Failed,
            Some("queue/support: 409 version conflict"),
        )
        .await
        .expect("status");

    // What a crash leaves: child-2 was never started.
    assert_eq!(
        journal.unfinished_orgs(&id).await.expect("unfinished"),
        vec!["child-2"]
    );

    let deployment = journal.deployment(&id).await.expect("deployment");
    assert_eq!(deployment.plan, plan);
    assert_eq!(deployment.summary.env, "prod");
    assert_eq!(deployment.summary.status, Status::InProgress);
    let orgs: Vec<(&str, Status, usize)> = deployment
        .orgs
        .iter()
        .map(|org| (org.org.as_str(), org.status, org.steps.len()))
        .collect();
    assert_eq!(
        orgs,
        vec![
            ("parent", Status::Done, 2),
            ("child-1", Status::Failed, 1),
            ("child-2", Status::Pending, 0)
        ]
    );
    let parent_steps: Vec<(&str, &str, Status)> = deployment.orgs[0]
        .steps
        .iter()
        .map(|step| {
            (
                step.resource_key.as_str(),
                step.action.as_str(),
                step.status,
            )
        })
        .collect();
    // Steps keep the order they were first recorded in (rollback undoes them in reverse).
    assert_eq!(
        parent_steps,
        vec![
            ("queue/support", "update", Status::Done),
            ("flow/main-ivr", "create", Status::Done)
        ]
    );
    assert_eq!(
        deployment.orgs[1].error.as_deref(),
        Some("queue/support: 409 version conflict")
    );
    assert_eq!(
        deployment.orgs[1].steps[0].error.as_deref(),
        Some("409 version conflict")
    );

    let snapshots = journal.snapshots(&id, "parent").await.expect("snapshots");
    let snapshots: Vec<(&str, Option<&serde_json::Value>)> = snapshots
        .iter()
        .map(|snapshot| (snapshot.resource_key.as_str(), snapshot.before.as_ref()))
        .collect();
    assert_eq!(
        snapshots,
        vec![
            ("queue/support", Some(&queue_before)),
            ("flow/main-ivr", None)
        ]
    );
    assert!(
        journal
            .snapshots(&id, "child-2")
            .await
            .expect("snapshots")
            .is_empty()
    );

    // Last applied was written with the steps, per environment.
    assert_eq!(
        journal
            .last_applied("prod", "parent", "queue/support")
            .await
            .expect("last applied"),
        Some(queue_after.clone())
    );
    assert_eq!(
        journal
            .last_applied("staging", "parent", "queue/support")
            .await
            .expect("other env"),
        None
    );
    let in_org = journal
        .last_applied_in_org("prod", "parent")
        .await
        .expect("org");
    assert_eq!(
        in_org.keys().collect::<Vec<_>>(),
        vec!["flow/main-ivr", "queue/support"]
    );
    journal
        .record_step(
            &id,
            &step(
                "parent",
                "flow/main-ivr",
                "delete",
                Status::Done,
                Some(Applied::Removed),
            ),
        )
        .await
        .expect("delete step");
    assert_eq!(
        journal
            .last_applied("prod", "parent", "flow/main-ivr")
            .await
            .expect("removed"),
        None
    );
    journal
        .set_last_applied(
            "prod",
            "child-1",
            "queue/support",
            Some(&json!({"imported": true})),
        )
        .await
        .expect("set");
    assert_eq!(
        journal
            .last_applied("prod", "child-1", "queue/support")
            .await
            .expect("read"),
        Some(json!({"imported": true}))
    );
    journal
        .set_last_applied("prod", "child-1", "queue/support", None)
        .await
        .expect("forget");
    assert_eq!(
        journal
            .last_applied("prod", "child-1", "queue/support")
            .await
            .expect("read"),
        None
    );

    // Finishing and rolling back move the derived status.
    journal
        .set_org_status(&id, "child-2", Status::Done, None)
        .await
        .expect("status");
    assert_eq!(
        journal.deployment(&id).await.expect("read").summary.status,
        Status::Failed
    );
    journal
        .set_org_status(&id, "child-1", Status::RolledBack, None)
        .await
        .expect("status");
    let summary = journal.deployment(&id).await.expect("read").summary;
    assert_eq!(summary.status, Status::RolledBack);
    assert_eq!((summary.orgs.done, summary.orgs.rolled_back), (2, 1));
}

async fn history_lists_newest_first_per_environment(journal: &Journal) {
    let first = journal
        .create_deployment("dev", &json!({"n": 1}), ["a"])
        .await
        .expect("create");
    let second = journal
        .create_deployment("prod", &json!({"n": 2}), ["a", "b"])
        .await
        .expect("create");
    let third = journal
        .create_deployment("dev", &json!({"n": 3}), Vec::<String>::new())
        .await
        .expect("create");
    journal
        .set_org_status(&first, "a", Status::Done, None)
        .await
        .expect("status");

    let dev = journal.deployments(Some("dev")).await.expect("history");
    let ids: Vec<_> = dev.iter().map(|summary| summary.id.clone()).collect();
    assert_eq!(ids, vec![third.clone(), first.clone()]);
    assert_eq!(dev[0].status, Status::Done, "no orgs: nothing left to do");
    assert_eq!(
        (dev[1].status, dev[1].orgs.done, dev[1].orgs.total()),
        (Status::Done, 1, 1)
    );
    let all = journal.deployments(None).await.expect("history");
    assert_eq!(all.len(), 3);
    let prod = all
        .iter()
        .find(|summary| summary.id == second)
        .expect("prod listed");
    assert_eq!(
        (prod.env.as_str(), prod.status, prod.orgs.pending),
        ("prod", Status::Pending, 2)
    );
}

async fn unknown_deployments_and_orgs_are_named(journal: &Journal) {
    let missing = switchboard_journal::DeploymentId::from("d20000101-000000-000000");
    match journal.deployment(&missing).await {
        Err(JournalError::UnknownDeployment(id)) => assert_eq!(id, missing),
        other => panic!("expected UnknownDeployment, got {other:?}"),
    }
    assert!(matches!(
        journal
            .set_org_status(&missing, "a", Status::Done, None)
            .await,
        Err(JournalError::UnknownDeployment(_))
    ));
    assert!(matches!(
        journal
            .record_step(
                &missing,
                &step("a", "queue/x", "create", Status::Done, None)
            )
            .await,
        Err(JournalError::UnknownDeployment(_))
    ));
    assert!(matches!(
        journal.snapshot(&missing, "a", "queue/x", None).await,
        Err(JournalError::UnknownDeployment(_))
    ));
    let id = journal
        .create_deployment("dev", &json!({}), ["a"])
        .await
        .expect("create");
    let error = journal
        .set_org_status(&id, "zz", Status::Done, None)
        .await
        .expect_err("unknown org");
    assert_eq!(
        error.to_string(),
        format!("deployment {id} has no org `zz`")
    );
    assert!(matches!(
        journal
            .record_step(&id, &step("zz", "queue/x", "create", Status::Done, None))
            .await,
        Err(JournalError::UnknownOrg { .. })
    ));
}

async fn leases_exclude_renew_release_and_expire(journal: &Journal) {
    let mut lease = journal
        .acquire_lease("deploy:env/prod", "runner-1", Duration::from_secs(60))
        .await
        .expect("free scope");
    match journal
        .acquire_lease("deploy:env/prod", "runner-2", Duration::from_secs(60))
        .await
    {
        Err(JournalError::LeaseHeld {
            scope,
            holder,
            until_ms,
        }) => {
            assert_eq!(
                (scope.as_str(), holder.as_str()),
                ("deploy:env/prod", "runner-1")
            );
            assert_eq!(until_ms, lease.until_ms());
        }
        other => panic!("expected LeaseHeld, got {other:?}"),
    }
    // The same holder name is no key: a second process on the same runner is refused too.
    assert!(
        journal
            .acquire_lease("deploy:env/prod", "runner-1", Duration::from_secs(60))
            .await
            .is_err()
    );
    // Other scopes are independent.
    let staging = journal
        .acquire_lease("deploy:env/staging", "runner-2", Duration::from_secs(60))
        .await
        .expect("other scope");
    let before = lease.until_ms();
    lease.renew(Duration::from_secs(120)).await.expect("renew");
    assert!(lease.until_ms() > before);
    let info = journal
        .lease_holder("deploy:env/prod")
        .await
        .expect("holder")
        .expect("held");
    assert_eq!(
        (info.holder.as_str(), info.until_ms),
        ("runner-1", lease.until_ms())
    );
    lease.release().await.expect("release");
    assert_eq!(
        journal
            .lease_holder("deploy:env/prod")
            .await
            .expect("holder"),
        None
    );
    let retaken = journal
        .acquire_lease("deploy:env/prod", "runner-2", Duration::from_secs(60))
        .await
        .expect("released scope");

    // An expired lease (ttl zero expires at once) may be taken over; its old holder then finds
    // it lost on renew and on release.
    let mut stale = journal
        .acquire_lease("rollout:org-a/main-ivr", "controller-1", Duration::ZERO)
        .await
        .expect("free");
    let taker = journal
        .acquire_lease(
            "rollout:org-a/main-ivr",
            "controller-2",
            Duration::from_secs(60),
        )
        .await
        .expect("expired lease is taken over");
    assert!(matches!(
        stale.renew(Duration::from_secs(60)).await,
        Err(JournalError::LeaseLost { .. })
    ));
    assert!(matches!(
        stale.release().await,
        Err(JournalError::LeaseLost { .. })
    ));
    assert_eq!(taker.holder(), "controller-2");

    // An operator can break a lease a crashed holder left.
    assert!(
        journal
            .break_lease("deploy:env/staging")
            .await
            .expect("break")
    );
    assert!(
        !journal
            .break_lease("deploy:env/staging")
            .await
            .expect("nothing to break")
    );
    assert!(matches!(
        staging.release().await,
        Err(JournalError::LeaseLost { .. })
    ));
    retaken.release().await.expect("release");
    taker.release().await.expect("release");
}

async fn state_is_compare_and_swap_with_an_event_log(journal: &Journal) {
    assert_eq!(
        journal
            .get_state("rollout", "org-a/ivr")
            .await
            .expect("get"),
        None
    );
    let first = journal
        .put_state(
            "rollout",
            "org-a/ivr",
            &json!({"phase": "canary", "weight": 10}),
            None,
        )
        .await
        .expect("create");
    assert_eq!(first, 1);
    match journal
        .put_state("rollout", "org-a/ivr", &json!({"phase": "other"}), None)
        .await
    {
        Err(JournalError::Conflict {
            expected: None,
            found: Some(1),
            ..
        }) => {}
        other => panic!("expected a conflict on create, got {other:?}"),
    }
    let second = journal
        .put_state(
            "rollout",
            "org-a/ivr",
            &json!({"phase": "canary", "weight": 50}),
            Some(first),
        )
        .await
        .expect("update");
    assert_eq!(second, 2);
    // A writer that read revision 1 loses, and nothing changes.
    match journal
        .put_state(
            "rollout",
            "org-a/ivr",
            &json!({"phase": "stale"}),
            Some(first),
        )
        .await
    {
        Err(JournalError::Conflict {
            expected: Some(1),
            found: Some(2),
            namespace,
            key,
        }) => {
            assert_eq!((namespace.as_str(), key.as_str()), ("rollout", "org-a/ivr"));
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert!(matches!(
        journal
            .put_state("rollout", "org-b/ivr", &json!({}), Some(3))
            .await,
        Err(JournalError::Conflict { found: None, .. })
    ));
    assert_eq!(
        journal
            .get_state("rollout", "org-a/ivr")
            .await
            .expect("get"),
        Some((json!({"phase": "canary", "weight": 50}), 2))
    );
    journal
        .put_state("rollout", "org-c/ivr", &json!({}), None)
        .await
        .expect("create");
    journal
        .put_state("other", "org-z/ivr", &json!({}), None)
        .await
        .expect("create");
    assert_eq!(
        journal.state_keys("rollout").await.expect("keys"),
        vec!["org-a/ivr", "org-c/ivr"]
    );

    assert!(matches!(
        journal.delete_state("rollout", "org-c/ivr", 5).await,
        Err(JournalError::Conflict {
            expected: Some(5),
            found: Some(1),
            ..
        })
    ));
    journal
        .delete_state("rollout", "org-c/ivr", 1)
        .await
        .expect("delete");
    assert_eq!(
        journal
            .get_state("rollout", "org-c/ivr")
            .await
            .expect("get"),
        None
    );
    assert_eq!(
        journal.state_keys("rollout").await.expect("keys"),
        vec!["org-a/ivr"]
    );

    let judged = journal
        .append_event("rollout", "org-a/ivr", &json!({"judged": "healthy"}))
        .await
        .expect("event");
    journal
        .append_event("rollout", "org-c/ivr", &json!({"elsewhere": true}))
        .await
        .expect("event");
    let expanded = journal
        .append_event("rollout", "org-a/ivr", &json!({"expanded": 50}))
        .await
        .expect("event");
    assert!(expanded > judged);
    let events = journal
        .events("rollout", "org-a/ivr")
        .await
        .expect("events");
    let values: Vec<_> = events.iter().map(|event| event.value.clone()).collect();
    assert_eq!(
        values,
        vec![json!({"judged": "healthy"}), json!({"expanded": 50})]
    );
    assert_eq!(
        events.iter().map(|event| event.seq).collect::<Vec<_>>(),
        vec![judged, expanded]
    );
}

/// Reopening applies nothing twice and keeps the data.
async fn reopening_is_idempotent(location: &str) {
    let journal = Journal::open(location).await.expect("open");
    let latest = switchboard_journal::migrations::latest_version();
    assert_eq!(journal.schema_version().await.expect("version"), latest);
    let id = journal
        .create_deployment("dev", &json!({"kept": true}), ["a"])
        .await
        .expect("create");
    drop(journal);
    for _ in 0..2 {
        let reopened = Journal::open(location).await.expect("reopen");
        assert_eq!(reopened.schema_version().await.expect("version"), latest);
        assert_eq!(
            reopened.deployment(&id).await.expect("kept").plan,
            json!({"kept": true})
        );
    }
}

#[tokio::test]
async fn sqlite_passes_the_behaviour_suite() {
    let dir = TempDir::new("behaviour");
    let open = |name: &str| {
        let location = dir.sqlite_location(name);
        async move { Journal::open(&location).await.expect("open sqlite") }
    };
    deployments_record_orgs_steps_and_snapshots(&open("deployments.db").await).await;
    history_lists_newest_first_per_environment(&open("history.db").await).await;
    unknown_deployments_and_orgs_are_named(&open("unknown.db").await).await;
    leases_exclude_renew_release_and_expire(&open("leases.db").await).await;
    state_is_compare_and_swap_with_an_event_log(&open("state.db").await).await;
    reopening_is_idempotent(&dir.sqlite_location("nested/dir/reopen.db")).await;
    // A plain path is SQLite too.
    let plain = dir.0.join("plain.db").display().to_string();
    assert_eq!(
        Journal::open(&plain)
            .await
            .expect("plain path")
            .backend_name(),
        "sqlite"
    );
}

#[tokio::test]
async fn postgres_passes_the_behaviour_suite() {
    let Some(server) = postgres() else { return };
    let open = || async {
        let url = server.fresh_database().await.expect("database");
        let journal = Journal::open(&url).await.expect("open postgres");
        assert_eq!(journal.backend_name(), "postgres");
        journal
    };
    deployments_record_orgs_steps_and_snapshots(&open().await).await;
    history_lists_newest_first_per_environment(&open().await).await;
    unknown_deployments_and_orgs_are_named(&open().await).await;
    leases_exclude_renew_release_and_expire(&open().await).await;
    state_is_compare_and_swap_with_an_event_log(&open().await).await;
    reopening_is_idempotent(&server.fresh_database().await.expect("database")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_journal_reconnects_after_a_server_restart() {
    let Some(server) = postgres() else { return };
    let journal = Journal::open(&server.fresh_database().await.expect("database"))
        .await
        .expect("open");
    let id = journal
        .create_deployment("prod", &json!({}), ["a"])
        .await
        .expect("create");
    let server = std::sync::Arc::new(server);
    let restarting = server.clone();
    tokio::task::spawn_blocking(move || restarting.restart())
        .await
        .expect("restart task")
        .expect("restart");
    // The old connection was closed by the shutdown; the next call reconnects.
    journal
        .set_org_status(&id, "a", Status::Done, None)
        .await
        .expect("write after restart");
    assert_eq!(
        journal.deployment(&id).await.expect("read").summary.status,
        Status::Done
    );
}

#[tokio::test]
async fn unreachable_postgres_is_one_line_naming_it_without_the_password() {
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    let error = Journal::open("postgres://deploy:hunter2@127.0.0.1:1/journal")
        .await
        .expect_err("refused");
    let message = error.to_string();
    assert!(
        message
            .starts_with("journal (postgres) connect to postgres://deploy:***@127.0.0.1:1/journal"),
        "{message}"
    );
    assert!(!message.contains("hunter2"), "{message}");
    assert!(!message.contains('\n'), "{message}");
}
