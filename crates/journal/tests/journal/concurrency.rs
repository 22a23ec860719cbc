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

const CHILD_LOCATION: &str = "SWITCHBOARD_JOURNAL_LEASE_LOCATION";
const CHILD_HOLDER: &str = "SWITCHBOARD_JOURNAL_LEASE_HOLDER";
const CHILD_SCOPE: &str = "SWITCHBOARD_JOURNAL_LEASE_SCOPE";

/// One process of the two-process race: opens the journal, says `ready`, waits for `go` on stdin,
/// tries the lease and prints the outcome, then holds it until stdin closes.
#[tokio::test]
#[ignore = "a child process of the two-process lease race, started by it"]
async fn child_lease_taker() {
    let location = std::env::var(CHILD_LOCATION).expect("run by the race");
    let holder = std::env::var(CHILD_HOLDER).expect("holder");
    let scope = std::env::var(CHILD_SCOPE).expect("scope");
    let journal = Journal::open(&location).await.expect("child opens");
    println!("ready");
    let read_line = || {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).map(|_| line)
    };
    let go = tokio::task::spawn_blocking(read_line)
        .await
        .expect("stdin task")
        .expect("stdin");
    assert_eq!(go.trim(), "go");
    match journal
        .acquire_lease(&scope, &holder, Duration::from_secs(60))
        .await
    {
        Ok(_lease) => {
            println!("won");
            // Hold it until the parent is done (stdin closes).
            let _ = tokio::task::spawn_blocking(read_line).await;
        }
        Err(JournalError::LeaseHeld { holder, .. }) => println!("held by {holder}"),
        Err(other) => println!("error {other}"),
    }
}

fn race_two_processes(location: &str, scope: &str) -> Vec<String> {
    use std::io::{BufRead, BufReader, Write};
    use std::process::{Command, Stdio};
    let mut children = Vec::new();
    for holder in ["process-a", "process-b"] {
        let mut child = Command::new(std::env::current_exe().expect("test binary"))
            .args([
                "--exact",
                "concurrency::child_lease_taker",
                "--ignored",
                "--nocapture",
            ])
            .env(CHILD_LOCATION, location)
            .env(CHILD_HOLDER, holder)
            .env(CHILD_SCOPE, scope)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("child starts");
        let stdout = BufReader::new(child.stdout.take().expect("stdout"));
        children.push((child, stdout.lines()));
    }
    // Both connected before either tries: the race is between two live processes.
    for (_, lines) in &mut children {
        let ready = lines
            .by_ref()
            .map_while(Result::ok)
            .find(|line| line == "ready");
        assert!(ready.is_some(), "a child never got ready");
    }
    for (child, _) in &mut children {
        writeln!(child.stdin.as_mut().expect("stdin"), "go").expect("go");
    }
    let mut outcomes = Vec::new();
    for (_, lines) in &mut children {
        let outcome = lines
            .by_ref()
            .map_while(Result::ok)
            .find(|line| line == "won" || line.starts_with("held by") || line.starts_with("error"));
        outcomes.push(outcome.unwrap_or_else(|| "no answer".to_string()));
    }
    for (mut child, _) in children {
        drop(child.stdin.take());
        let _ = child.kill();
        let _ = child.wait();
    }
    outcomes
}

async fn two_processes_one_winner(location: &str) {
    for round in 0..3 {
        let outcomes = race_two_processes(location, &format!("deploy:env/processes-{round}"));
        let winners: Vec<usize> = (0..2).filter(|index| outcomes[*index] == "won").collect();
        assert_eq!(winners.len(), 1, "round {round}: {outcomes:?}");
        let winner = ["process-a", "process-b"][winners[0]];
        let loser = &outcomes[1 - winners[0]];
        assert_eq!(loser, &format!("held by {winner}"), "round {round}");
    }
}

#[tokio::test]
async fn sqlite_two_processes_one_lease() {
    let dir = TempDir::new("processes");
    let location = dir.sqlite_location("processes.db");
    Journal::open(&location)
        .await
        .expect("create the file first");
    two_processes_one_winner(&location).await;
}

#[tokio::test]
async fn postgres_two_processes_one_lease() {
    let Some(server) = postgres() else { return };
    let url = server.fresh_database().await.expect("database");
    two_processes_one_winner(&url).await;
}
