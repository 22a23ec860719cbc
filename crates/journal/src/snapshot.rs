//! What each resource looked like before a deployment touched it (for rollback and for restoring
//! a failed org), and what we last applied to it (the third side of plan's three-way diff).

use crate::Journal;
use crate::deployment::DeploymentId;
use crate::error::{JournalError, JournalResult};
use crate::sql::{int, json_text, optional_text, statement, text};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

const SNAPSHOT_SQL: &str = "INSERT INTO snapshots (deployment_id, org, resource_key, before_json, taken_ms) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (deployment_id, org, resource_key) DO NOTHING";

/// A resource as it was before the deployment first touched it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub org: String,
    pub resource_key: String,
    /// `None`: the resource did not exist (rollback deletes it).
    pub before: Option<serde_json::Value>,
    pub taken_ms: i64,
}

impl Journal {
    /// Keeps the state of `resource_key` in `org` before `deployment` changes it. The first
    /// snapshot of a resource wins: a resumed apply that snapshots again (after its own partial
    /// write) must not replace the true "before".
    pub async fn snapshot(
        &self,
        deployment: &DeploymentId,
        org: &str,
        resource_key: &str,
        before: Option<&serde_json::Value>,
    ) -> JournalResult<()> {
        let before = optional_text(before.map(|value| value.to_string()));
        let result = self
            .backend
            .execute(
                "record snapshot",
                SNAPSHOT_SQL,
                vec![
                    text(deployment.as_str()),
                    text(org),
                    text(resource_key),
                    before,
                    int(chrono::Utc::now().timestamp_millis()),
                ],
            )
            .await;
        match result {
            Ok(_) => Ok(()),
            // The foreign key refused it: say which deployment, not which constraint.
            Err(error) => match self.deployment_exists(deployment).await {
                Ok(false) => Err(JournalError::UnknownDeployment(deployment.clone())),
                _ => Err(error),
            },
        }
    }

    /// Replaces the snapshot of `resource_key` (or takes it): for a writer whose conditional
    /// write was refused whole, so the object it read again is the true "before" and the first
    /// snapshot (taken from an older read) is not.
    pub async fn replace_snapshot(
        &self,
        deployment: &DeploymentId,
        org: &str,
        resource_key: &str,
        before: Option<&serde_json::Value>,
    ) -> JournalResult<()> {
        let before = optional_text(before.map(|value| value.to_string()));
        self.backend
            .execute(
                "replace snapshot",
                "INSERT INTO snapshots (deployment_id, org, resource_key, before_json, taken_ms) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (deployment_id, org, resource_key) DO UPDATE SET before_json = excluded.before_json",
                vec![
                    text(deployment.as_str()),
                    text(org),
                    text(resource_key),
                    before,
                    int(chrono::Utc::now().timestamp_millis()),
                ],
            )
            .await?;
        Ok(())
    }

    /// [`Journal::snapshot`] for many resources of one org in one transaction (an org's
    /// before-images taken up front, before its first write). The first snapshot of each wins.
    pub async fn snapshot_many<I>(
        &self,
        deployment: &DeploymentId,
        org: &str,
        snapshots: I,
    ) -> JournalResult<()>
    where
        I: IntoIterator<Item = (String, Option<serde_json::Value>)>,
    {
        let taken_ms = chrono::Utc::now().timestamp_millis();
        let statements: Vec<_> = snapshots
            .into_iter()
            .map(|(resource_key, before)| {
                statement(
                    SNAPSHOT_SQL,
                    vec![
                        text(deployment.as_str()),
                        text(org),
                        text(resource_key),
                        optional_text(before.map(|value| value.to_string())),
                        int(taken_ms),
                    ],
                )
            })
            .collect();
        if statements.is_empty() {
            return Ok(());
        }
        match self
            .backend
            .transaction("record snapshots", statements)
            .await
        {
            Ok(_) => Ok(()),
            Err(error) => match self.deployment_exists(deployment).await {
                Ok(false) => Err(JournalError::UnknownDeployment(deployment.clone())),
                _ => Err(error),
            },
        }
    }

    /// The snapshots of one org of a deployment, in the order they were taken.
    pub async fn snapshots(
        &self,
        deployment: &DeploymentId,
        org: &str,
    ) -> JournalResult<Vec<Snapshot>> {
        let rows = self
            .backend
            .query(
                "read snapshots",
                "SELECT org, resource_key, before_json, taken_ms FROM snapshots WHERE deployment_id = $1 AND org = $2 ORDER BY id",
                vec![text(deployment.as_str()), text(org)],
            )
            .await?;
        rows.iter()
            .map(|row| {
                Ok(Snapshot {
                    org: row.text(0, "snapshots.org")?,
                    resource_key: row.text(1, "snapshots.resource_key")?,
                    before: row.optional_json(2, "snapshots.before_json")?,
                    taken_ms: row.int(3, "snapshots.taken_ms")?,
                })
            })
            .collect()
    }

    /// What we last applied to `resource_key` in `org` of `env`.
    pub async fn last_applied(
        &self,
        env: &str,
        org: &str,
        resource_key: &str,
    ) -> JournalResult<Option<serde_json::Value>> {
        let rows = self
            .backend
            .query(
                "read last applied",
                "SELECT content_json FROM last_applied WHERE env = $1 AND org = $2 AND resource_key = $3",
                vec![text(env), text(org), text(resource_key)],
            )
            .await?;
        rows.first()
            .map(|row| row.json(0, "last_applied.content_json"))
            .transpose()
    }

    /// Everything we last applied to one org of `env`, by resource key (one query for a plan).
    pub async fn last_applied_in_org(
        &self,
        env: &str,
        org: &str,
    ) -> JournalResult<BTreeMap<String, serde_json::Value>> {
        let rows = self
            .backend
            .query(
                "read last applied",
                "SELECT resource_key, content_json FROM last_applied WHERE env = $1 AND org = $2",
                vec![text(env), text(org)],
            )
            .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    row.text(0, "last_applied.resource_key")?,
                    row.json(1, "last_applied.content_json")?,
                ))
            })
            .collect()
    }

    /// Everything we last applied in `env`: org → resource key → content (one query for a plan
    /// over every org).
    pub async fn last_applied_in_env(
        &self,
        env: &str,
    ) -> JournalResult<BTreeMap<String, BTreeMap<String, serde_json::Value>>> {
        let rows = self
            .backend
            .query(
                "read last applied",
                "SELECT org, resource_key, content_json FROM last_applied WHERE env = $1",
                vec![text(env)],
            )
            .await?;
        let mut by_org: BTreeMap<String, BTreeMap<String, serde_json::Value>> = BTreeMap::new();
        for row in &rows {
            by_org
                .entry(row.text(0, "last_applied.org")?)
                .or_default()
                .insert(
                    row.text(1, "last_applied.resource_key")?,
                    row.json(2, "last_applied.content_json")?,
                );
        }
        Ok(by_org)
    }

    /// Sets (or, with `None`, forgets) what we last applied to a resource. Prefer
    /// [`crate::StepUpdate::applied`], which writes it together with the step.
    pub async fn set_last_applied(
        &self,
        env: &str,
        org: &str,
        resource_key: &str,
        content: Option<&serde_json::Value>,
    ) -> JournalResult<()> {
        match content {
            Some(content) => {
                self.backend
                    .execute(
                        "set last applied",
                        "INSERT INTO last_applied (env, org, resource_key, content_json, deployment_id, updated_ms) VALUES ($1, $2, $3, $4, NULL, $5)
                         ON CONFLICT (env, org, resource_key) DO UPDATE SET content_json = excluded.content_json, deployment_id = excluded.deployment_id, updated_ms = excluded.updated_ms",
                        vec![text(env), text(org), text(resource_key), json_text(content), int(chrono::Utc::now().timestamp_millis())],
                    )
                    .await?;
            }
            None => {
                self.backend
                    .execute(
                        "forget last applied",
                        "DELETE FROM last_applied WHERE env = $1 AND org = $2 AND resource_key = $3",
                        vec![text(env), text(org), text(resource_key)],
                    )
                    .await?;
            }
        }
        Ok(())
    }

    pub(crate) async fn deployment_exists(&self, id: &DeploymentId) -> JournalResult<bool> {
        let rows = self
            .backend
            .query(
                "find deployment",
                "SELECT id FROM deployments WHERE id = $1",
                vec![text(id.as_str())],
            )
            .await?;
        Ok(!rows.is_empty())
    }
}
