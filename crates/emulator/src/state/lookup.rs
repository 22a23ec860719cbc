//! Read helpers for the contact-center runtime and handlers: find objects by id or name and
//! follow the platform's indirections (DID → IVR → flow → published version).

use super::store::{DataTableRecord, FlowRecord, OrgStore, StoredFlowVersion};
use switchboard_api::datatable::DataTableRow;
use switchboard_api::integration::{Action, Integration};
use switchboard_api::queue::Queue;
use switchboard_api::telephony::Ivr;
use switchboard_api::user::User;

/// Digits of a phone number, so `+1 (317) 555-0100` and `+13175550100` compare equal.
pub fn normalize_number(number: &str) -> String {
    number.chars().filter(char::is_ascii_digit).collect()
}

impl OrgStore {
    pub fn queue_by_ref(&self, id_or_name: &str) -> Option<&Queue> {
        self.queues.get(id_or_name).or_else(|| self.queues.values().find(|queue| queue.name == id_or_name))
    }

    pub fn flow_by_ref(&self, id_or_name: &str) -> Option<&FlowRecord> {
        self.flows
            .get(id_or_name)
            .or_else(|| self.flows.values().find(|record| record.flow.name == id_or_name && !record.flow.deleted))
    }

    pub fn datatable_by_ref(&self, id_or_name: &str) -> Option<&DataTableRecord> {
        self.datatables
            .get(id_or_name)
            .or_else(|| self.datatables.values().find(|record| record.table.name == id_or_name))
    }

    /// A live row of a data table (by table id or name, row key).
    pub fn datatable_row(&self, table: &str, key: &str) -> Option<&DataTableRow> {
        self.datatable_by_ref(table)?.rows.get(key)
    }

    pub fn integration_by_ref(&self, id_or_name: &str) -> Option<&Integration> {
        self.integrations
            .get(id_or_name)
            .or_else(|| self.integrations.values().find(|item| item.name.as_deref() == Some(id_or_name)))
    }

    /// The data action of an integration (by action id/name or integration id/name).
    pub fn action_by_ref(&self, id_or_name: &str) -> Option<&Action> {
        if let Some(action) = self.actions.get(id_or_name) {
            return Some(action);
        }
        if let Some(action) = self.actions.values().find(|action| action.name == id_or_name) {
            return Some(action);
        }
        let integration = self.integration_by_ref(id_or_name)?;
        self.actions.values().find(|action| action.integration_id == integration.id)
    }

    pub fn user_by_ref(&self, id_or_name: &str) -> Option<&User> {
        self.users.get(id_or_name).or_else(|| self.users.values().find(|user| user.name == id_or_name))
    }

    /// Member user ids of a queue with their joined flag.
    pub fn queue_members(&self, queue_id: &str) -> Vec<(String, bool)> {
        self.queue_members
            .get(queue_id)
            .map(|members| members.iter().map(|(user, joined)| (user.clone(), *joined)).collect())
            .unwrap_or_default()
    }

    /// The IVR config answering a number.
    pub fn ivr_for_number(&self, number: &str) -> Option<&Ivr> {
        let wanted = normalize_number(number);
        self.ivrs.values().find(|ivr| ivr.dnis.iter().any(|dnis| normalize_number(dnis) == wanted))
    }

    /// The flow a call to `number` enters: DID → IVR config → open-hours flow.
    pub fn flow_for_number(&self, number: &str) -> Option<&FlowRecord> {
        let flow = self.ivr_for_number(number)?.open_hours_flow.as_ref()?;
        self.flows.get(&flow.id)
    }

    /// The published version (with its definition) of a flow, by id or name.
    pub fn published_flow(&self, id_or_name: &str) -> Option<(&FlowRecord, &StoredFlowVersion)> {
        let record = self.flow_by_ref(id_or_name)?;
        let published = record.flow.published_version.as_ref()?;
        let stored = record.versions.iter().find(|stored| stored.version.id == published.id)?;
        Some((record, stored))
    }
}
