//! The engine's [`FlowWorld`]: the scenario's compiled flows and its data tables, which scheduled
//! table updates change during the run.

use crate::runtime::{FlowHandle, FlowWorld, LookupError};
use crate::scenario::Scenario;
use std::collections::{BTreeMap, HashMap};

pub(crate) struct ScenarioWorld<'a> {
    scenario: &'a Scenario,
    tables: HashMap<String, BTreeMap<String, BTreeMap<String, String>>>,
}

impl<'a> ScenarioWorld<'a> {
    pub fn new(scenario: &'a Scenario) -> ScenarioWorld<'a> {
        let tables = scenario.spec.datatables.iter().map(|table| (table.name.clone(), table.rows.clone())).collect();
        ScenarioWorld { scenario, tables }
    }

    /// Sets columns of a row, creating it if needed.
    pub fn update_row(&mut self, table: &str, key: &str, columns: &BTreeMap<String, String>) {
        let row = self.tables.entry(table.to_string()).or_default().entry(key.to_string()).or_default();
        row.extend(columns.iter().map(|(column, value)| (column.clone(), value.clone())));
    }
}

impl FlowWorld for ScenarioWorld<'_> {
    fn flow_by_ref(&self, reference: &str) -> Option<FlowHandle> {
        let index = self.scenario.flow_refs.get(reference)?;
        self.scenario.flows.get(*index).cloned()
    }

    fn queue_by_ref(&self, reference: &str) -> Option<String> {
        let index = *self.scenario.queue_refs.get(reference)?;
        let queue = self.scenario.spec.queues.get(index as usize)?;
        Some(queue.id.clone().unwrap_or_else(|| queue.name.clone()))
    }

    fn datatable_row(&self, table: &str, key: &str) -> Result<Option<BTreeMap<String, String>>, LookupError> {
        let rows = self.tables.get(table).ok_or_else(|| LookupError(format!("no data table named '{table}'")))?;
        Ok(rows.get(key).cloned())
    }
}
