//! Deployments: what was planned for an environment, each org's progress through it and each
//! resource step, so `apply --resume` knows what is left and `history` what happened.

use crate::Journal;
use crate::error::{JournalError, JournalResult};
use crate::sql::{Row, int, json_text, optional_text, statement, text};
use crate::status::{Status, StatusCounts};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A deployment's id: time-ordered and readable (`d20261129-065301-3f9a1c`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DeploymentId(String);

impl DeploymentId {
    pub fn new() -> DeploymentId {
        let now = chrono::Utc::now();
        let random = uuid::Uuid::new_v4().simple().to_string();
        DeploymentId(format!("d{}-{}", now.format("%Y%m%d-%H%M%S"), &random[..6]))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for DeploymentId {
    fn default() -> Self {
        DeploymentId::new()
    }
}

/// Any text is accepted as an id (a typo is answered by [`JournalError::UnknownDeployment`]).
impl From<&str> for DeploymentId {
    fn from(id: &str) -> Self {
        DeploymentId(id.trim().to_string())
    }
}

impl From<String> for DeploymentId {
    fn from(id: String) -> Self {
        DeploymentId::from(id.as_str())
    }
}

impl fmt::Display for DeploymentId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

/// One line of `history`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeploymentSummary {
    pub id: DeploymentId,
    pub env: String,
    /// Derived from the orgs' statuses ([`StatusCounts::overall`]).
    pub status: Status,
    pub orgs: StatusCounts,
    pub created_ms: i64,
    pub updated_ms: i64,
}

/// A deployment with its plan, its orgs in stage order and their steps in the order first recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deployment {
    pub summary: DeploymentSummary,
    pub plan: serde_json::Value,
    pub orgs: Vec<OrgRecord>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrgRecord {
    pub org: String,
    pub status: Status,
    pub error: Option<String>,
    pub updated_ms: i64,
    pub steps: Vec<StepRecord>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepRecord {
    pub org: String,
    pub resource_key: String,
    /// What the step does (`create`, `update`, `delete`, `restore`, …); the journal does not
    /// interpret it.
    pub action: String,
    pub status: Status,
    pub error: Option<String>,
    pub created_ms: i64,
    pub updated_ms: i64,
}

/// A step to record (insert or update, keyed by deployment, org and resource key).
#[derive(Debug, Clone, PartialEq)]
pub struct StepUpdate {
    pub org: String,
    pub resource_key: String,
    pub action: String,
    pub status: Status,
    pub error: Option<String>,
    /// When set, the environment's last-applied content for this resource is written in the same
    /// transaction as the step, so a crash never leaves one without the other.
    pub applied: Option<Applied>,
}

/// What a step left as the last-applied content of its resource.
#[derive(Debug, Clone, PartialEq)]
pub enum Applied {
    /// The content now applied (what the next plan diffs against).
    Content(serde_json::Value),
    /// The resource was deleted: we no longer manage it.
    Removed,
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn step_record(row: &Row) -> JournalResult<StepRecord> {
    Ok(StepRecord {
        org: row.text(0, "steps.org")?,
        resource_key: row.text(1, "steps.resource_key")?,
        action: row.text(2, "steps.action")?,
        status: row.text(3, "steps.state")?.parse()?,
        error: row.optional_text(4, "steps.error")?,
        created_ms: row.int(5, "steps.created_ms")?,
        updated_ms: row.int(6, "steps.updated_ms")?,
    })
}

impl Journal {
    /// Records a new deployment of `plan` to `env` with its orgs (in stage order), all pending,
    /// in one transaction.
    pub async fn create_deployment<I, S>(
        &self,
        env: &str,
        plan: &serde_json::Value,
        orgs: I,
    ) -> JournalResult<DeploymentId>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let id = DeploymentId::new();
        let now = now_ms();
        let mut statements = vec![statement(
            "INSERT INTO deployments (id, env, plan_json, created_ms, updated_ms) VALUES ($1, $2, $3, $4, $4)",
            vec![text(id.as_str()), text(env), json_text(plan), int(now)],
        )];
        for (position, org) in orgs.into_iter().enumerate() {
            statements.push(statement(
                "INSERT INTO deployment_orgs (deployment_id, org, position, state, error, updated_ms) VALUES ($1, $2, $3, $4, NULL, $5)",
                vec![text(id.as_str()), text(org), int(position as i64), text(Status::Pending.as_str()), int(now)],
            ));
        }
        self.backend
            .transaction("create deployment", statements)
            .await?;
        Ok(id)
    }

    /// Moves an org of a deployment to `status` (with the error that made it fail, if any).
    pub async fn set_org_status(
        &self,
        deployment: &DeploymentId,
        org: &str,
        status: Status,
        error: Option<&str>,
    ) -> JournalResult<()> {
        let now = now_ms();
        let changed = self
            .backend
            .transaction(
                "set org status",
                vec![
                    statement(
                        "UPDATE deployment_orgs SET state = $3, error = $4, updated_ms = $5 WHERE deployment_id = $1 AND org = $2",
                        vec![text(deployment.as_str()), text(org), text(status.as_str()), optional_text(error), int(now)],
                    ),
                    statement(
                        "UPDATE deployments SET updated_ms = $2 WHERE id = $1",
                        vec![text(deployment.as_str()), int(now)],
                    ),
                ],
            )
            .await?;
        match changed.as_slice() {
            [1, _] => Ok(()),
            [_, 0] => Err(JournalError::UnknownDeployment(deployment.clone())),
            _ => Err(JournalError::UnknownOrg {
                deployment: deployment.clone(),
                org: org.to_string(),
            }),
        }
    }

    /// Records a step (and, if `applied` is set, the resource's last-applied content) atomically.
    pub async fn record_step(
        &self,
        deployment: &DeploymentId,
        step: &StepUpdate,
    ) -> JournalResult<()> {
        let now = now_ms();
        let id = deployment.as_str();
        let mut statements = vec![
            statement(
                "UPDATE deployments SET updated_ms = $2 WHERE id = $1",
                vec![text(id), int(now)],
            ),
            statement(
                "INSERT INTO steps (deployment_id, org, resource_key, action, state, error, created_ms, updated_ms)
                 SELECT deployment_id, org, CAST($3 AS TEXT), CAST($4 AS TEXT), CAST($5 AS TEXT), CAST($6 AS TEXT), CAST($7 AS BIGINT), CAST($7 AS BIGINT) FROM deployment_orgs WHERE deployment_id = $1 AND org = $2
                 ON CONFLICT (deployment_id, org, resource_key) DO UPDATE SET action = excluded.action, state = excluded.state, error = excluded.error, updated_ms = excluded.updated_ms",
                vec![text(id), text(&step.org), text(&step.resource_key), text(&step.action), text(step.status.as_str()), optional_text(step.error.as_deref()), int(now)],
            ),
        ];
        match &step.applied {
            Some(Applied::Content(content)) => statements.push(statement(
                "INSERT INTO last_applied (env, org, resource_key, content_json, deployment_id, updated_ms)
                 SELECT env, CAST($2 AS TEXT), CAST($3 AS TEXT), CAST($4 AS TEXT), id, CAST($5 AS BIGINT) FROM deployments WHERE id = $1
                 ON CONFLICT (env, org, resource_key) DO UPDATE SET content_json = excluded.content_json, deployment_id = excluded.deployment_id, updated_ms = excluded.updated_ms",
                vec![text(id), text(&step.org), text(&step.resource_key), json_text(content), int(now)],
            )),
            Some(Applied::Removed) => statements.push(statement(
                "DELETE FROM last_applied WHERE env = (SELECT env FROM deployments WHERE id = $1) AND org = $2 AND resource_key = $3",
                vec![text(id), text(&step.org), text(&step.resource_key)],
            )),
            None => {}
        }
        let changed = self.backend.transaction("record step", statements).await?;
        match changed.as_slice() {
            [0, ..] => Err(JournalError::UnknownDeployment(deployment.clone())),
            [_, 0, ..] => Err(JournalError::UnknownOrg {
                deployment: deployment.clone(),
                org: step.org.clone(),
            }),
            _ => Ok(()),
        }
    }

    /// Deployments newest first, of one environment or (with `None`) of all.
    pub async fn deployments(&self, env: Option<&str>) -> JournalResult<Vec<DeploymentSummary>> {
        let rows = match env {
            Some(env) => {
                self.backend
                    .query(
                        "list deployments",
                        "SELECT d.id, d.env, d.created_ms, d.updated_ms, o.state, COUNT(o.org) FROM deployments d LEFT JOIN deployment_orgs o ON o.deployment_id = d.id
                         WHERE d.env = $1 GROUP BY d.id, d.env, d.created_ms, d.updated_ms, o.state ORDER BY d.created_ms DESC, d.id DESC",
                        vec![text(env)],
                    )
                    .await?
            }
            None => {
                self.backend
                    .query(
                        "list deployments",
                        "SELECT d.id, d.env, d.created_ms, d.updated_ms, o.state, COUNT(o.org) FROM deployments d LEFT JOIN deployment_orgs o ON o.deployment_id = d.id
                         GROUP BY d.id, d.env, d.created_ms, d.updated_ms, o.state ORDER BY d.created_ms DESC, d.id DESC",
                        Vec::new(),
                    )
                    .await?
            }
        };
        let mut summaries: Vec<DeploymentSummary> = Vec::new();
        for row in &rows {
            let id = DeploymentId(row.text(0, "deployments.id")?);
            if summaries.last().is_none_or(|last| last.id != id) {
                summaries.push(DeploymentSummary {
                    id,
                    env: row.text(1, "deployments.env")?,
                    status: Status::Done,
                    orgs: StatusCounts::default(),
                    created_ms: row.int(2, "deployments.created_ms")?,
                    updated_ms: row.int(3, "deployments.updated_ms")?,
                });
            }
            if let (Some(state), Some(summary)) = (
                row.optional_text(4, "deployment_orgs.state")?,
                summaries.last_mut(),
            ) {
                let count = row.int(5, "org count")?;
                summary
                    .orgs
                    .add(state.parse()?, u32::try_from(count).unwrap_or(u32::MAX));
            }
        }
        for summary in &mut summaries {
            summary.status = summary.orgs.overall();
        }
        Ok(summaries)
    }

    /// One deployment with its plan, orgs and steps.
    pub async fn deployment(&self, id: &DeploymentId) -> JournalResult<Deployment> {
        let found = self
            .backend
            .query(
                "read deployment",
                "SELECT env, plan_json, created_ms, updated_ms FROM deployments WHERE id = $1",
                vec![text(id.as_str())],
            )
            .await?;
        let head = found
            .first()
            .ok_or_else(|| JournalError::UnknownDeployment(id.clone()))?;
        let org_rows = self
            .backend
            .query(
                "read deployment orgs",
                "SELECT org, state, error, updated_ms FROM deployment_orgs WHERE deployment_id = $1 ORDER BY position",
                vec![text(id.as_str())],
            )
            .await?;
        let step_rows = self
            .backend
            .query(
                "read deployment steps",
                "SELECT org, resource_key, action, state, error, created_ms, updated_ms FROM steps WHERE deployment_id = $1 ORDER BY id",
                vec![text(id.as_str())],
            )
            .await?;
        let steps = step_rows
            .iter()
            .map(step_record)
            .collect::<JournalResult<Vec<_>>>()?;
        let mut counts = StatusCounts::default();
        let mut orgs = Vec::with_capacity(org_rows.len());
        for row in &org_rows {
            let org = row.text(0, "deployment_orgs.org")?;
            let status: Status = row.text(1, "deployment_orgs.state")?.parse()?;
            counts.add(status, 1);
            orgs.push(OrgRecord {
                steps: steps
                    .iter()
                    .filter(|step| step.org == org)
                    .cloned()
                    .collect(),
                org,
                status,
                error: row.optional_text(2, "deployment_orgs.error")?,
                updated_ms: row.int(3, "deployment_orgs.updated_ms")?,
            });
        }
        Ok(Deployment {
            summary: DeploymentSummary {
                id: id.clone(),
                env: head.text(0, "deployments.env")?,
                status: counts.overall(),
                orgs: counts,
                created_ms: head.int(2, "deployments.created_ms")?,
                updated_ms: head.int(3, "deployments.updated_ms")?,
            },
            plan: head.json(1, "deployments.plan_json")?,
            orgs,
        })
    }

    /// The orgs still pending or in progress, in stage order: what `apply --resume` finishes.
    pub async fn unfinished_orgs(&self, id: &DeploymentId) -> JournalResult<Vec<String>> {
        let deployment = self.deployment(id).await?;
        Ok(deployment
            .orgs
            .into_iter()
            .filter(|org| org.status.is_unfinished())
            .map(|org| org.org)
            .collect())
    }
}
