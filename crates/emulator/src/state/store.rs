//! The platform's data: one `OrgStore` per org, all serializable so `--state-dir` can persist
//! the whole thing as one JSON document.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use switchboard_api::datatable::{DataTable, DataTableRow};
use switchboard_api::flow::{Flow, FlowVersion};
use switchboard_api::integration::{Action, Integration};
use switchboard_api::organization::Organization;
use switchboard_api::queue::Queue;
use switchboard_api::strategy::RoutingStrategy;
use switchboard_api::telephony::{Did, Ivr, TrunkBase};
use switchboard_api::usage::UsageQuery;
use switchboard_api::user::User;
use switchboard_model::flow::FlowDefinition;

/// Everything the emulator knows, keyed by org id.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Store {
    pub orgs: BTreeMap<String, OrgStore>,
}

/// One org's objects. Maps are keyed by object id.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct OrgStore {
    pub org: OrgRecord,
    pub queues: BTreeMap<String, Queue>,
    /// Queue id → user id → joined.
    pub queue_members: BTreeMap<String, BTreeMap<String, bool>>,
    pub users: BTreeMap<String, User>,
    pub flows: BTreeMap<String, FlowRecord>,
    pub datatables: BTreeMap<String, DataTableRecord>,
    pub integrations: BTreeMap<String, Integration>,
    pub actions: BTreeMap<String, Action>,
    pub dids: BTreeMap<String, Did>,
    pub ivrs: BTreeMap<String, Ivr>,
    pub trunks: BTreeMap<String, TrunkBase>,
    /// Seed-only routing strategies.
    pub strategies: BTreeMap<String, RoutingStrategy>,
    /// Usage query executions by execution id.
    pub usage_queries: BTreeMap<String, UsageQuery>,
    /// Seed-only license pool for `/api/v2/usage/sessions/current`.
    pub license_total: u64,
    /// Source of deterministic ids for objects created at run time.
    pub sequence: u64,
}

/// The org itself and its development credentials.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct OrgRecord {
    pub organization: Organization,
    pub parent_id: Option<String>,
    pub region: Option<String>,
    pub client_id: String,
    pub client_secret: String,
}

/// A flow with every version ever saved; the `Flow` holds pointers into `versions`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FlowRecord {
    pub flow: Flow,
    pub versions: Vec<StoredFlowVersion>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredFlowVersion {
    pub version: FlowVersion,
    pub definition: FlowDefinition,
}

/// A data table (with its schema) and its rows keyed by the `key` column.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DataTableRecord {
    pub table: DataTable,
    pub rows: BTreeMap<String, DataTableRow>,
}

impl OrgStore {
    pub fn id(&self) -> &str {
        &self.org.organization.id
    }

    pub fn name(&self) -> &str {
        &self.org.organization.name
    }

    /// A fresh deterministic id for a new object of `kind` in this org.
    pub fn next_id(&mut self, kind: &str) -> String {
        self.sequence += 1;
        let sequence = self.sequence.to_string();
        super::ids::derive_id(&[self.org.organization.id.as_str(), kind, sequence.as_str()])
    }

    /// The org's `Home` division reference, stamped on created objects.
    pub fn home_division(&self) -> switchboard_api::Division {
        let id = super::ids::derive_id(&["division", self.id(), "Home"]);
        switchboard_api::EntityRef::new(id.clone(), "Home", format!("/api/v2/authorization/divisions/{id}"))
    }

    pub fn version(&self, flow_id: &str, version_id: &str) -> Option<&StoredFlowVersion> {
        self.flows.get(flow_id)?.versions.iter().find(|stored| stored.version.id == version_id)
    }
}
