//! `drift`: out-of-band changes to what we manage, read off a plan: managed fields that differ
//! from what we last applied although the config did not change them, and managed objects
//! deleted by hand; who or what changed them where the platform says.

use serde::Serialize;
use serde_json::Value;

use crate::plan::{Action, LastAppliedState, Plan};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Drift {
    pub org: String,
    pub resource: String,
    /// The field, or `(deleted)`.
    pub field: String,
    pub applied: Option<Value>,
    pub live: Option<Value>,
    pub modified_by: Option<String>,
    pub modified_at: Option<String>,
}

pub fn drift(plan: &Plan, last: &LastAppliedState) -> Vec<Drift> {
    let mut found = Vec::new();
    for org in &plan.orgs {
        let records = last.get(&org.org);
        for change in &org.changes {
            let key = change.key.to_string();
            let applied = records.and_then(|records| records.get(&key));
            if change.action == Action::Create && applied.is_some() {
                found.push(Drift { org: org.org.clone(), resource: key.clone(), field: "(deleted)".into(), applied: applied.map(|record| record.body.clone()), live: None, modified_by: None, modified_at: None });
                continue;
            }
            for field in change.conflicts() {
                found.push(Drift {
                    org: org.org.clone(),
                    resource: key.clone(),
                    field: field.field.clone(),
                    applied: field.desired.clone(),
                    live: field.live.clone(),
                    modified_by: change.seen.as_ref().and_then(|seen| seen.modified_by.clone()),
                    modified_at: change.seen.as_ref().and_then(|seen| seen.modified_at.clone()),
                });
            }
        }
    }
    found
}
