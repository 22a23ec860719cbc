//! How deploy uses the journal (`switchboard-journal`): last-applied records, snapshots that
//! keep both the live object and the last-applied record from before, the environment lease.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use switchboard_journal::{Journal, JournalResult};

use crate::plan::{LastApplied, LastAppliedState};
use crate::provider::LiveObject;

/// The lease scope that keeps two applies off one environment.
pub fn lease_scope(environment: &str) -> String {
    format!("deploy:env/{environment}")
}

/// What a snapshot holds: the object before we touched it (`None`: it did not exist) and our
/// last-applied record from before, so a rollback restores both.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Before {
    pub object: Option<LiveObject>,
    pub last: Option<LastApplied>,
}

/// Last-applied records of the given orgs.
pub async fn last_applied(journal: &Journal, environment: &str, orgs: impl IntoIterator<Item = &str>) -> JournalResult<LastAppliedState> {
    let mut state = BTreeMap::new();
    for org in orgs {
        let records = journal.last_applied_in_org(environment, org).await?;
        let parsed: BTreeMap<String, LastApplied> = records.into_iter().filter_map(|(key, value)| serde_json::from_value(value).ok().map(|record| (key, record))).collect();
        state.insert(org.to_string(), parsed);
    }
    Ok(state)
}
