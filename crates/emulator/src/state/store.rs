//! The platform's data: one `OrgStore` per org. Each kind of object is a `Table` that remembers
//! what changed, so `--state-dir` saves one row per changed object (see `persist.rs`).

use serde::{Deserialize, Serialize};
use super::table::Table;
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
    pub queues: Table<Queue>,
    /// Queue id → user id → joined.
    pub queue_members: Table<BTreeMap<String, bool>>,
    pub users: Table<User>,
    pub flows: Table<FlowRecord>,
    pub datatables: Table<DataTableRecord>,
    pub integrations: Table<Integration>,
    pub actions: Table<Action>,
    /// Data-action drafts by action id (`routes::action_drafts`).
    #[serde(default)]
    pub action_drafts: Table<Action>,
    pub dids: Table<Did>,
    pub ivrs: Table<Ivr>,
    pub trunks: Table<TrunkBase>,
    /// Seed-only routing strategies.
    pub strategies: Table<RoutingStrategy>,
    /// OAuth clients created through the API (the development client is in `org`).
    pub oauth_clients: Table<switchboard_api::auth::OAuthClient>,
    /// Usage query executions by execution id.
    pub usage_queries: Table<UsageQuery>,
    /// Seed-only license pool for `/api/v2/usage/sessions/current`.
    pub license_total: u64,
    /// Licence seats and assignments, limit overrides (`domain::capacity`).
    pub capacity: crate::domain::capacity::OrgCapacity,
    /// Source of deterministic ids for objects created at run time.
    pub sequence: u64,
}

/// The org itself and its development credentials (`Debug` by hand: the secret prints `***`).
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct OrgRecord {
    pub organization: Organization,
    pub parent_id: Option<String>,
    pub region: Option<String>,
    pub client_id: String,
    pub client_secret: String,
}

impl std::fmt::Debug for OrgRecord {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("OrgRecord")
            .field("organization", &self.organization)
            .field("parent_id", &self.parent_id)
            .field("region", &self.region)
            .field("client_id", &self.client_id)
            .field("client_secret", &switchboard_api::redact::Redacted)
            .finish()
    }
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

/// One saved row: an object of `kind` in an org, as JSON; `None` when it was removed.
#[derive(Debug, Clone, PartialEq)]
pub struct RowChange {
    pub kind: &'static str,
    pub id: String,
    pub body: Option<String>,
}

/// What `--state-dir` saves about the org besides its objects.
#[derive(Serialize, Deserialize)]
struct OrgHeader {
    org: OrgRecord,
    license_total: u64,
    #[serde(default)]
    capacity: crate::domain::capacity::OrgCapacity,
    sequence: u64,
}

fn changes_of<T: Serialize>(kind: &'static str, table: &mut Table<T>, all: bool, out: &mut Vec<RowChange>) -> Result<(), serde_json::Error> {
    let ids: Vec<String> = if all {
        table.clear_changed();
        table.keys().cloned().collect()
    } else {
        table.take_changed().into_iter().collect()
    };
    for id in ids {
        let body = table.get(&id).map(serde_json::to_string).transpose()?;
        out.push(RowChange { kind, id, body });
    }
    Ok(())
}

fn load_into<T: serde::de::DeserializeOwned>(table: &mut Table<T>, id: &str, body: &str) -> Result<(), serde_json::Error> {
    table.load(id.to_string(), serde_json::from_str(body)?);
    Ok(())
}

impl OrgStore {
    /// The org record, license pool and id sequence as one JSON document.
    pub fn header_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(&OrgHeader {
            org: self.org.clone(),
            license_total: self.license_total,
            capacity: self.capacity.clone(),
            sequence: self.sequence,
        })
    }

    /// An empty org from its saved header.
    pub fn from_header_json(body: &str) -> Result<OrgStore, serde_json::Error> {
        let header: OrgHeader = serde_json::from_str(body)?;
        Ok(OrgStore {
            org: header.org,
            license_total: header.license_total,
            capacity: header.capacity,
            sequence: header.sequence,
            ..OrgStore::default()
        })
    }

    /// Rows changed since the last call (`all`: every row, and the change sets are cleared).
    pub fn take_changes(&mut self, all: bool) -> Result<Vec<RowChange>, serde_json::Error> {
        let mut out = Vec::new();
        changes_of("queues", &mut self.queues, all, &mut out)?;
        changes_of("queue_members", &mut self.queue_members, all, &mut out)?;
        changes_of("users", &mut self.users, all, &mut out)?;
        changes_of("flows", &mut self.flows, all, &mut out)?;
        changes_of("datatables", &mut self.datatables, all, &mut out)?;
        changes_of("integrations", &mut self.integrations, all, &mut out)?;
        changes_of("actions", &mut self.actions, all, &mut out)?;
        changes_of("action_drafts", &mut self.action_drafts, all, &mut out)?;
        changes_of("dids", &mut self.dids, all, &mut out)?;
        changes_of("ivrs", &mut self.ivrs, all, &mut out)?;
        changes_of("trunks", &mut self.trunks, all, &mut out)?;
        changes_of("strategies", &mut self.strategies, all, &mut out)?;
        changes_of("usage_queries", &mut self.usage_queries, all, &mut out)?;
        changes_of("oauth_clients", &mut self.oauth_clients, all, &mut out)?;
        Ok(out)
    }

    /// Forgets what changed (no state directory: nothing to save).
    pub fn clear_changes(&mut self) {
        self.queues.clear_changed();
        self.queue_members.clear_changed();
        self.users.clear_changed();
        self.flows.clear_changed();
        self.datatables.clear_changed();
        self.integrations.clear_changed();
        self.actions.clear_changed();
        self.action_drafts.clear_changed();
        self.dids.clear_changed();
        self.ivrs.clear_changed();
        self.trunks.clear_changed();
        self.strategies.clear_changed();
        self.usage_queries.clear_changed();
        self.oauth_clients.clear_changed();
    }

    /// Puts one saved row back; loading marks nothing changed.
    pub fn load_row(&mut self, kind: &str, id: &str, body: &str) -> Result<(), String> {
        let loaded = match kind {
            "queues" => load_into(&mut self.queues, id, body),
            "queue_members" => load_into(&mut self.queue_members, id, body),
            "users" => load_into(&mut self.users, id, body),
            "flows" => load_into(&mut self.flows, id, body),
            "datatables" => load_into(&mut self.datatables, id, body),
            "integrations" => load_into(&mut self.integrations, id, body),
            "actions" => load_into(&mut self.actions, id, body),
            "action_drafts" => load_into(&mut self.action_drafts, id, body),
            "dids" => load_into(&mut self.dids, id, body),
            "ivrs" => load_into(&mut self.ivrs, id, body),
            "trunks" => load_into(&mut self.trunks, id, body),
            "strategies" => load_into(&mut self.strategies, id, body),
            "usage_queries" => load_into(&mut self.usage_queries, id, body),
            "oauth_clients" => load_into(&mut self.oauth_clients, id, body),
            other => return Err(format!("unknown kind `{other}`")),
        };
        loaded.map_err(|error| format!("{kind} {id}: {error}"))
    }
}
