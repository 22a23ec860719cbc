//! Races between two handles on one database (two connections, as two processes would have):
//! exactly one wins each lease, exactly one compare-and-swap wins per revision, and concurrent
//! opens of a fresh database migrate it once.

use crate::support::{TempDir, postgres};
use serde_json::json;
use std::time::Duration;
use switchboard_journal::{Journal, JournalError};

const ROUNDS: usize = 20;

async fn two_acquirers_one_winner(first: Journal, second: Journal) {
    for round in 0..ROUNDS {
        let scope = format!("deploy:env/race-{round}");
        let (a, b) = tokio::join!(
            tokio::spawn({
                let journal = first.clone();
                let scope = scope.clone();
                async move {
                    journal
                        .acquire_lease(&scope, "apply-a", Duration::from_secs(60))
                        .await
                }
            }),
            tokio::spawn({
                let journal = second.clone();
                let scope = scope.clone();
                async move {
                    journal
                        .acquire_lease(&scope, "apply-b", Duration::from_secs(60))
                        .await
                }
            }),
        );
        let outcomes = [a.expect("task a"), b.expect("task b")];
        let winners: Vec<&str> = outcomes
            .iter()
            .filter_map(|outcome| outcome.as_ref().ok().map(|lease| lease.holder()))
            .collect();
        assert_eq!(winners.len(), 1, "round {round}: {outcomes:?}");
        let loser = outcomes
            .iter()
            .find_map(|outcome| outcome.as_ref().err())
            .expect("a loser");
        match loser {
            JournalError::LeaseHeld { holder, .. } => assert_eq!(holder, winners[0]),
            other => panic!("round {round}: loser got {other:?}"),
        }
    }
}

async fn concurrent_swaps_one_winner(first: Journal, second: Journal) {
    let mut revision = first
        .put_state("rollout", "race", &json!({"writer": "none"}), None)
        .await
        .expect("create");
    for round in 0..ROUNDS {
        let mut tasks = Vec::new();
        for writer in 0..4 {
            let journal = if writer % 2 == 0 {
                first.clone()
            } else {
                second.clone()
            };
            tasks.push(tokio::spawn(async move {
                journal
                    .put_state(
                        "rollout",
                        "race",
                        &json!({"writer": writer, "round": round}),
                        Some(revision),
                    )
                    .await
                    .map(|new_revision| (writer, new_revision))
            }));
        }
        let mut winners = Vec::new();
        for task in tasks {
            match task.await.expect("task") {
                Ok(won) => winners.push(won),
                Err(JournalError::Conflict { found, .. }) => assert_eq!(found, Some(revision + 1)),
                Err(other) => panic!("round {round}: {other}"),
            }
        }
        assert_eq!(winners.len(), 1, "round {round}: {winners:?}");
        let (writer, new_revision) = winners[0];
        assert_eq!(new_revision, revision + 1);
        let (stored, stored_revision) = second
            .get_state("rollout", "race")
            .await
            .expect("get")
            .expect("present");
        assert_eq!(
            (stored, stored_revision),
            (json!({"writer": writer, "round": round}), new_revision)
        );
        revision = new_revision;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_races_have_one_winner() {
    let dir = TempDir::new("race");
    let location = dir.sqlite_location("race.db");
    let (first, second) = tokio::join!(Journal::open(&location), Journal::open(&location));
    let (first, second) = (first.expect("open"), second.expect("open"));
    two_acquirers_one_winner(first.clone(), second.clone()).await;
    concurrent_swaps_one_winner(first, second).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_races_have_one_winner() {
    let Some(server) = postgres() else { return };
    let url = server.fresh_database().await.expect("database");
    // Both open (and migrate) a fresh database at once: the advisory lock makes one migrate.
    let (first, second) = tokio::join!(Journal::open(&url), Journal::open(&url));
    let (first, second) = (first.expect("open"), second.expect("open"));
    assert_eq!(
        second.schema_version().await.expect("version"),
        switchboard_journal::migrations::latest_version()
    );
    two_acquirers_one_winner(first.clone(), second.clone()).await;
    concurrent_swaps_one_winner(first, second).await;
}
