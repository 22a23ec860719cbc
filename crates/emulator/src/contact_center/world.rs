//! The runtime's view of one org's live state: published flows (compiled once per version and
//! cached) and data-table rows read at the moment a call asks, so a changed row steers the very
//! next look-up.

use super::Runtime;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use switchboard_model::flow::FlowDefinition;
use switchboard_simulation::runtime::{FlowHandle, FlowProgram, FlowWorld, LookupError};

/// Compiled programs keyed by (org, flow id, version id). Versions never change once saved, so
/// entries never go stale; a new publish is a new key.
#[derive(Debug, Default)]
pub struct ProgramCache {
    programs: Mutex<HashMap<(String, String, String), Arc<FlowProgram>>>,
}

impl ProgramCache {
    fn get_or_compile(&self, key: (String, String, String), definition: &FlowDefinition) -> Option<Arc<FlowProgram>> {
        let mut programs = self.programs.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(program) = programs.get(&key) {
            return Some(program.clone());
        }
        match FlowProgram::compile(definition) {
            Ok(program) => {
                let program = Arc::new(program);
                programs.insert(key, program.clone());
                Some(program)
            }
            Err(error) => {
                tracing::warn!("flow {} version {} does not compile: {error}", key.1, key.2);
                None
            }
        }
    }
}

/// A router (a flow that transfers to other flows, like a Traffic Cop) leaves `Flow_Version` to
/// the flow that does the work.
pub struct LiveWorld<'a> {
    pub runtime: &'a Runtime,
    pub org_id: &'a str,
    pub programs: &'a ProgramCache,
}

impl LiveWorld<'_> {
    /// The published version of a flow (by id or name) ready to run.
    pub fn handle(&self, reference: &str) -> Option<FlowHandle> {
        let found = self.runtime.directory.with_org(self.org_id, |org| {
            let (record, stored) = org.published_flow(reference)?;
            Some((record.flow.id.clone(), record.flow.name.clone(), stored.version.id.clone(), stored.definition.clone()))
        })??;
        let (id, name, version, definition) = found;
        let program = self.programs.get_or_compile((self.org_id.to_string(), id.clone(), version.clone()), &definition)?;
        Some(FlowHandle {
            id: Arc::from(id.as_str()),
            name: Arc::from(name.as_str()),
            version: Arc::from(version.as_str()),
            program,
            stamps_flow_version: !definition.is_router(),
        })
    }
}

impl FlowWorld for LiveWorld<'_> {
    fn flow_by_ref(&self, reference: &str) -> Option<FlowHandle> {
        self.handle(reference)
    }

    fn queue_by_ref(&self, reference: &str) -> Option<String> {
        self.runtime.directory.with_org(self.org_id, |org| org.queue_by_ref(reference).map(|queue| queue.id.clone())).flatten()
    }

    fn datatable_row(&self, table: &str, key: &str) -> Result<Option<BTreeMap<String, String>>, LookupError> {
        let found = self.runtime.directory.with_org(self.org_id, |org| {
            let record = org.datatable_by_ref(table)?;
            Some(record.rows.get(key).map(|row| {
                row.iter()
                    .map(|(column, value)| {
                        let text = match value {
                            serde_json::Value::String(text) => text.clone(),
                            other => other.to_string(),
                        };
                        (column.clone(), text)
                    })
                    .collect()
            }))
        });
        match found.flatten() {
            Some(row) => Ok(row),
            None => Err(LookupError(format!("data table '{table}' does not exist"))),
        }
    }
}
