//! Uploaded flow content → a checked `FlowDefinition`, or the Architect-style messages saying why not.
//!
//! The text is Archy YAML (what `archy` and CX-as-Code upload) or, as a documented extension, our own
//! flow format; `switchboard_model` tells them apart. The flow is then validated against what exists in
//! the org (queues, integrations, data tables, flows), as Architect refuses to publish a flow whose
//! references do not resolve: errors fail the job, warnings ride along in its messages.

use crate::state::OrgStore;
use std::collections::{BTreeMap, BTreeSet};
use switchboard_api::architect::{ArchitectJobMessage, message_type};
use switchboard_model::flow::FlowDefinition;
use switchboard_model::validate::{Catalog, Severity, validate};

/// Largest flow document accepted, in bytes (the biggest corpus flow is about 60 KB).
pub const MAX_CONTENT_BYTES: usize = 2 * 1024 * 1024;

/// A flow that passed, with the warnings to report.
pub struct Checked {
    pub definition: FlowDefinition,
    pub warnings: Vec<ArchitectJobMessage>,
}

/// A job message stamped `now` (the emulator's clock, read by the caller).
pub fn message(kind: &str, text: impl Into<String>, now: &str) -> ArchitectJobMessage {
    ArchitectJobMessage { date_time: Some(now.to_string()), message_type: kind.to_string(), text: text.into() }
}

/// Parses `bytes` (named `file` in messages) and validates it against what the org holds
/// (`catalog`, read beforehand); messages are stamped `now`. Caller-supplied work, linear in the
/// document's size (the model's parsers enforce `switchboard_model::limits`): run it under no lock.
pub fn check(bytes: &[u8], file: &str, catalog: &Catalog, now: &str) -> Result<Checked, Vec<ArchitectJobMessage>> {
    let text = std::str::from_utf8(bytes).map_err(|error| vec![message(message_type::ERROR, format!("{file}: not UTF-8 text: {error}"), now)])?;
    let definition = switchboard_model::load_flow(text, file)
        .map_err(|error| error.to_string().lines().map(|line| message(message_type::ERROR, line, now)).collect::<Vec<_>>())?;
    let diagnostics = validate(&definition, catalog);
    let (errors, warnings): (Vec<_>, Vec<_>) = diagnostics.into_iter().partition(|diagnostic| diagnostic.severity == Severity::Error);
    if !errors.is_empty() {
        return Err(errors.iter().map(|diagnostic| message(message_type::ERROR, format!("{file}: {diagnostic}"), now)).collect());
    }
    let warnings = warnings.iter().map(|diagnostic| message(message_type::WARNING, format!("{file}: {diagnostic}"), now)).collect();
    Ok(Checked { definition, warnings })
}

/// What a flow in `org` may refer to: names and ids of queues, integrations and their data actions,
/// data tables with their columns, and flows.
pub fn catalog(org: &OrgStore) -> Catalog {
    let queues = org.queues.values().flat_map(|queue| [queue.id.clone(), queue.name.clone()]).collect();
    let integrations = org
        .integrations
        .values()
        .flat_map(|integration| [Some(integration.id.clone()), integration.name.clone()].into_iter().flatten())
        .chain(org.actions.values().flat_map(|action| [action.id.clone(), action.name.clone()]))
        .collect();
    let datatables = org
        .datatables
        .values()
        .flat_map(|record| {
            let columns: BTreeSet<String> =
                record.table.schema.iter().flat_map(|schema| schema.properties.keys().cloned()).collect();
            [(record.table.id.clone(), columns.clone()), (record.table.name.clone(), columns)]
        })
        .collect::<BTreeMap<_, _>>();
    let flows = org
        .flows
        .values()
        .filter(|record| !record.flow.deleted)
        .flat_map(|record| [record.flow.id.clone(), record.flow.name.clone()])
        .collect();
    Catalog { integrations: Some(integrations), queues: Some(queues), datatables: Some(datatables), flows: Some(flows) }
}

