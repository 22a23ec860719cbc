//! Durability across `kill -9`: a child process (this test binary, re-run as the ignored
//! `child_writer` test) records steps and prints each one after its commit returns; the parent
//! kills it mid-stream, reopens the journal and finds every printed step, each with the
//! last-applied content written in the same transaction (no half-recorded step).

use crate::support::{TempDir, postgres};
use serde_json::json;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use switchboard_journal::{Applied, DeploymentId, Journal, Status, StepUpdate};

const LOCATION_VAR: &str = "SWITCHBOARD_JOURNAL_CHILD_LOCATION";
/// Steps the parent waits to see committed before it kills the child.
const KILL_AFTER: usize = 25;

#[tokio::test]
#[ignore = "the child process of the kill -9 tests, started by them"]
async fn child_writer() {
    let location = std::env::var(LOCATION_VAR).expect("run by the kill -9 tests");
    let journal = Journal::open(&location).await.expect("child opens");
    let id = journal
        .create_deployment("prod", &json!({"child": true}), ["org-a"])
        .await
        .expect("create");
    println!("deployment {id}");
    journal
        .set_org_status(&id, "org-a", Status::InProgress, None)
        .await
        .expect("status");
    for step in 0..100_000 {
        let key = format!("queue/q{step:05}");
        journal
            .record_step(
                &id,
                &StepUpdate {
                    org: "org-a".to_string(),
                    resource_key: key.clone(),
                    action: "create".to_string(),
                    status: Status::Done,
                    error: None,
                    applied: Some(Applied::Content(json!({"name": key}))),
                },
            )
            .await
            .expect("record");
        // Printed only after the commit returned: what the parent reads is committed.
        println!("committed {step}");
    }
}

fn kill_mid_write(location: &str) -> (DeploymentId, usize) {
    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            "durability::child_writer",
            "--ignored",
            "--nocapture",
        ])
        .env(LOCATION_VAR, location)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("child starts");
    let stdout = child.stdout.take().expect("child stdout");
    let mut deployment = None;
    let mut committed = 0;
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("child output");
        if let Some(id) = line.strip_prefix("deployment ") {
            deployment = Some(DeploymentId::from(id));
        } else if let Some(step) = line.strip_prefix("committed ") {
            assert_eq!(
                step.parse::<usize>().ok(),
                Some(committed),
                "steps print in order"
            );
            committed += 1;
            if committed == KILL_AFTER {
                break;
            }
        }
    }
    // `Child::kill` is SIGKILL on Unix: no destructors, no flush, no clean close.
    child.kill().expect("kill -9");
    let status = child.wait().expect("reaped");
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut pipe, &mut stderr);
    }
    assert!(
        committed == KILL_AFTER,
        "the child stopped after {committed} steps ({status}): {stderr}"
    );
    (deployment.expect("child printed its deployment"), committed)
}

async fn every_committed_step_survives(location: &str) {
    let (id, committed) = kill_mid_write(location);
    let journal = Journal::open(location).await.expect("reopen after kill");
    let deployment = journal.deployment(&id).await.expect("deployment survived");
    let steps = &deployment.orgs[0].steps;
    assert!(
        steps.len() >= committed,
        "{} steps stored, {committed} committed",
        steps.len()
    );
    for (index, step) in steps.iter().enumerate() {
        assert_eq!(step.resource_key, format!("queue/q{index:05}"));
        assert_eq!(step.status, Status::Done);
    }
    // Every stored step has its last-applied content and nothing else does.
    let applied = journal
        .last_applied_in_org("prod", "org-a")
        .await
        .expect("last applied");
    assert_eq!(applied.len(), steps.len());
    assert_eq!(
        journal.unfinished_orgs(&id).await.expect("unfinished"),
        vec!["org-a"]
    );
    // The killed writer's journal takes new writes.
    journal
        .set_org_status(&id, "org-a", Status::Done, None)
        .await
        .expect("write after kill");
}

#[tokio::test]
async fn sqlite_keeps_every_committed_step_across_kill_9() {
    let dir = TempDir::new("kill");
    every_committed_step_survives(&dir.sqlite_location("kill.db")).await;
}

#[tokio::test]
async fn postgres_keeps_every_committed_step_across_kill_9() {
    let Some(server) = postgres() else { return };
    let url = server.fresh_database().await.expect("database");
    every_committed_step_survives(&url).await;
}
