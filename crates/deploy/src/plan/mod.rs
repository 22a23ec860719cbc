//! `plan`: per org, the desired state against live state (read by list calls) and what we last
//! applied: create, update (field by field), delete (managed only, with `--prune`), unchanged,
//! conflict. References are resolved to ids per org; a reference that resolves nowhere is a
//! plan error, and apply refuses a plan with errors before any write.

pub mod diff;
pub mod live;
pub mod resolve;

pub use diff::{FieldChange, Origin};
pub use live::{LiveState, read_live};
pub use resolve::{IdIndex, PENDING_ID, resolve_body};

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::config::ApprovalPolicy;
use crate::desired::{Dependency, Desired, Source};
use crate::key::ResourceKey;
use crate::provider::{LiveObject, Provider};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Create,
    Update,
    Delete,
    Unchanged,
    Conflict,
}

impl Action {
    pub fn writes(self) -> bool {
        matches!(self, Action::Create | Action::Update | Action::Delete)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::Unchanged => "unchanged",
            Action::Conflict => "conflict",
        }
    }
}

/// What we wrote last time (from the journal): the resolved document and the revision the
/// platform gave it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LastApplied {
    pub id: Option<String>,
    pub body: Value,
    pub revision: Option<String>,
    /// The write precondition our write was answered with (an ETag): still valid while the
    /// object's revision has not moved, so the next update needs no read first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guard: Option<String>,
}

/// Last-applied records of one environment: org → `kind/name` → record.
pub type LastAppliedState = BTreeMap<String, BTreeMap<String, LastApplied>>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub key: ResourceKey,
    pub action: Action,
    /// The desired document, references unresolved (apply resolves them with the ids it knows).
    pub desired: Option<Value>,
    /// The live object the plan compared against.
    pub seen: Option<LiveObject>,
    /// What the diff used as "before" (last applied), so apply can re-diff the same way.
    pub base: Option<Value>,
    pub fields: Vec<FieldChange>,
    /// Why this change needs `--approve` (empty: it does not).
    pub approval: Vec<String>,
    pub source: Option<Source>,
    pub depends_on: Vec<Dependency>,
}

impl Change {
    pub fn conflicts(&self) -> impl Iterator<Item = &FieldChange> {
        self.fields.iter().filter(|field| field.is_conflict())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrgPlan {
    pub org: String,
    pub target_org: String,
    pub group: String,
    pub stage: usize,
    /// In write order (dependencies first; deletes last, dependants first).
    pub changes: Vec<Change>,
}

impl OrgPlan {
    pub fn has_writes(&self) -> bool {
        self.changes.iter().any(|change| change.action.writes())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanProblem {
    pub org: String,
    pub resource: String,
    pub source: Option<Source>,
    pub message: String,
}

impl std::fmt::Display for PlanProblem {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.source {
            Some(source) => write!(formatter, "{source}: {} (org {}): {}", self.resource, self.org, self.message),
            None => write!(formatter, "{} (org {}): {}", self.resource, self.org, self.message),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub environment: String,
    pub created_at: String,
    pub prune: bool,
    /// Orgs in stage order.
    pub orgs: Vec<OrgPlan>,
    /// Pre-flight failures (a reference that resolves nowhere, a disabled dependency).
    pub problems: Vec<PlanProblem>,
    /// Ids of every referenced object that exists (also in orgs outside the plan), so apply
    /// resolves references without reading other orgs again.
    #[serde(default)]
    pub known_ids: Vec<KnownId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownId {
    pub org: String,
    pub kind: String,
    pub name: String,
    pub id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub create: usize,
    pub update: usize,
    pub delete: usize,
    pub unchanged: usize,
    pub conflict: usize,
    pub needs_approval: usize,
}

impl Plan {
    pub fn summary(&self) -> Summary {
        let mut summary = Summary::default();
        for change in self.orgs.iter().flat_map(|org| &org.changes) {
            match change.action {
                Action::Create => summary.create += 1,
                Action::Update => summary.update += 1,
                Action::Delete => summary.delete += 1,
                Action::Unchanged => summary.unchanged += 1,
                Action::Conflict => summary.conflict += 1,
            }
            if change.conflicts().next().is_some() && change.action != Action::Conflict {
                summary.conflict += 1;
            }
            if !change.approval.is_empty() {
                summary.needs_approval += 1;
            }
        }
        summary
    }

    pub fn has_changes(&self) -> bool {
        self.orgs.iter().any(OrgPlan::has_writes)
    }

    pub fn needs_approval(&self) -> bool {
        self.orgs.iter().flat_map(|org| &org.changes).any(|change| !change.approval.is_empty() && change.action.writes())
    }
}

#[derive(Debug, Clone)]
pub struct PlanOptions {
    pub prune: bool,
    /// Plan only these orgs (by logical name); empty = all. References into other orgs still
    /// resolve against their live state.
    pub orgs: Vec<String>,
    pub approval: ApprovalPolicy,
    pub concurrency: usize,
}

impl Default for PlanOptions {
    fn default() -> Self {
        Self { prune: false, orgs: Vec::new(), approval: ApprovalPolicy::default(), concurrency: 8 }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("org {org}: {source}")]
    Provider {
        org: String,
        #[source]
        source: crate::provider::ProviderError,
    },
    #[error("org {org} has no provider (credentials not configured)")]
    NoProvider { org: String },
}

pub type Providers = BTreeMap<String, std::sync::Arc<dyn Provider>>;

/// Plans `desired` against live state and `last` applied records.
pub async fn plan(desired: &Desired, providers: &Providers, last: &LastAppliedState, options: &PlanOptions) -> Result<Plan, PlanError> {
    let mut live = read_live(desired, providers, last, options).await?;
    let ids = IdIndex::from_live(&live, desired);
    let mut problems = Vec::new();
    for org in desired.orgs.iter().filter(|org| options.orgs.is_empty() || options.orgs.contains(&org.org)) {
        for resource in &org.resources {
            if let Err(message) = crate::capacity::read_counts(&resource.body, &org.org, &ids, providers, &mut live.capacities).await {
                problems.push(PlanProblem { org: org.org.clone(), resource: resource.key.to_string(), source: Some(resource.source.clone()), message });
            }
        }
    }
    let mut plan = build(desired, providers, &live, last, options);
    plan.problems.extend(problems);
    Ok(plan)
}

/// The pure half of `plan`, over live state already read.
pub fn build(desired: &Desired, providers: &Providers, live: &LiveState, last: &LastAppliedState, options: &PlanOptions) -> Plan {
    let mut problems = Vec::new();
    let mut known_ids = Vec::new();
    let ids = IdIndex::from_live(live, desired);
    let mut orgs = Vec::new();
    for org in desired.orgs.iter().filter(|org| options.orgs.is_empty() || options.orgs.contains(&org.org)) {
        let Some(provider) = providers.get(&org.org) else { continue };
        let org_last = last.get(&org.org).cloned().unwrap_or_default();
        let mut changes = Vec::new();
        for position in crate::graph::write_order(&org.resources) {
            let resource = &org.resources[position];
            let key_text = resource.key.to_string();
            for dependency in &resource.depends_on {
                let target_org = dependency.reference.org.clone().unwrap_or_else(|| org.org.clone());
                match ids.lookup(&target_org, &dependency.reference.key) {
                    Some(found) if !found.enabled => problems.push(PlanProblem {
                        org: org.org.clone(),
                        resource: key_text.clone(),
                        source: Some(dependency.source.clone()),
                        message: format!("depends on {}, which is disabled in org {target_org}", dependency.reference),
                    }),
                    Some(found) => {
                        if found.id != PENDING_ID {
                            let known = KnownId { org: target_org.clone(), kind: dependency.reference.key.kind.clone(), name: dependency.reference.key.name.clone(), id: found.id.clone() };
                            if !known_ids.contains(&known) {
                                known_ids.push(known);
                            }
                        }
                    }
                    None => problems.push(PlanProblem {
                        org: org.org.clone(),
                        resource: key_text.clone(),
                        source: Some(dependency.source.clone()),
                        message: format!("depends on {}, which neither exists in org {target_org} nor is declared for it", dependency.reference),
                    }),
                }
            }
            let seen = live.find(&org.org, &resource.key).cloned();
            let base = org_last.get(&key_text);
            let resolved = resolve_body(&crate::capacity::substitute(&resource.body, &org.org, &live.capacities), &org.org, &ids);
            let change = match &seen {
                None => Change {
                    key: resource.key.clone(),
                    action: Action::Create,
                    desired: Some(resource.body.clone()),
                    seen: None,
                    base: None,
                    fields: Vec::new(),
                    approval: Vec::new(),
                    source: Some(resource.source.clone()),
                    depends_on: resource.depends_on.clone(),
                },
                Some(object) => {
                    let live_body = live::with_last_known(object, base);
                    let wanted = provider.comparable(&resource.key.kind, resolved.clone());
                    let found = provider.comparable(&resource.key.kind, live_body);
                    let base_body = base.map(|base| provider.comparable(&resource.key.kind, base.body.clone()));
                    let fields = diff::diff(&wanted, &found, base_body.as_ref());
                    let ours = fields.iter().any(|field| !field.is_conflict());
                    let action = if ours {
                        Action::Update
                    } else if fields.is_empty() {
                        Action::Unchanged
                    } else {
                        Action::Conflict
                    };
                    Change {
                        key: resource.key.clone(),
                        action,
                        desired: Some(resource.body.clone()),
                        seen: Some(live::seen(object, base)),
                        base: base.map(|base| base.body.clone()),
                        fields,
                        approval: Vec::new(),
                        source: Some(resource.source.clone()),
                        depends_on: resource.depends_on.clone(),
                    }
                }
            };
            changes.push(change);
        }
        // Managed resources (we applied them before) that the config no longer declares.
        let mut deletes = Vec::new();
        for (key_text, record) in &org_last {
            let Some(key) = ResourceKey::parse(key_text) else { continue };
            if org.resources.iter().any(|resource| resource.key == key) {
                continue;
            }
            let Some(object) = live.find(&org.org, &key) else { continue };
            if record.id.as_deref().is_some_and(|id| id != object.id) {
                continue;
            }
            let action = if options.prune { Action::Delete } else { Action::Unchanged };
            deletes.push(Change {
                key,
                action,
                desired: None,
                seen: Some(object.clone()),
                base: Some(record.body.clone()),
                fields: Vec::new(),
                approval: Vec::new(),
                source: None,
                depends_on: Vec::new(),
            });
        }
        // Dependants go first when deleting: reverse export order of kinds.
        deletes.sort_by_key(|change| std::cmp::Reverse(provider.kinds().iter().position(|kind| *kind == change.key.kind).unwrap_or(0)));
        changes.extend(deletes);
        for change in &mut changes {
            change.approval = approval_reasons(change, &options.approval);
        }
        orgs.push(OrgPlan { org: org.org.clone(), target_org: org.target_org.clone(), group: org.group.clone(), stage: org.stage, changes });
    }
    Plan { environment: desired.environment.clone(), created_at: chrono::Utc::now().to_rfc3339(), prune: options.prune, orgs, problems, known_ids }
}

/// Seed 002's approval gates, as the policy sets them.
fn approval_reasons(change: &Change, policy: &ApprovalPolicy) -> Vec<String> {
    let mut reasons = Vec::new();
    if !change.action.writes() {
        return reasons;
    }
    if change.action == Action::Delete && policy.deletes {
        reasons.push("deletes a managed resource".to_string());
    }
    let count = |value: Option<&Value>| value.and_then(Value::as_array).map(|items| items.iter().filter_map(Value::as_str).map(str::to_string).collect::<Vec<_>>()).unwrap_or_default();
    let wanted_members = count(change.desired.as_ref().and_then(|body| body.get("members")));
    let live_members = count(change.seen.as_ref().and_then(|seen| seen.body.get("members")));
    if change.desired.as_ref().is_some_and(|body| body.get("members").is_some()) {
        let moved = wanted_members.iter().filter(|member| !live_members.contains(member)).count() + live_members.iter().filter(|member| !wanted_members.contains(member)).count();
        if moved > policy.queue_members_over {
            reasons.push(format!("changes the queue membership of {moved} agents (policy: more than {})", policy.queue_members_over));
        }
    }
    let touches = |name: &str| change.action == Action::Create && change.desired.as_ref().is_some_and(|body| body.get(name).is_some()) || change.fields.iter().any(|field| field.field == name || field.field.starts_with(&format!("{name}.")));
    let weighted_row = |row: &Value| row.get("weight").is_some() || row.get("Traffic_Weight").is_some();
    // A new table's rows set weights as much as a changed row does.
    let creates_weights = change.action == Action::Create && change.desired.as_ref().and_then(|body| body.get("rows")).and_then(Value::as_object).is_some_and(|rows| rows.values().any(weighted_row));
    if policy.routing_weights && (touches("weight") || touches("targets") || creates_weights || change.fields.iter().any(|field| field.field.starts_with("rows.") && field.desired.as_ref().is_some_and(weighted_row))) {
        reasons.push("changes routing weights".to_string());
    }
    if policy.trunks && (change.key.kind == "trunk" || (change.key.kind == "ivr" && change.action == Action::Update && touches("dnis"))) {
        reasons.push("changes a trunk or which numbers reach which flow".to_string());
    }
    reasons
}
