//! Flow validation: every problem a flow has, as diagnostics with stable codes, never just the first.
//!
//! Every check reads one `FlowIndex` built per flow (`index.rs`: positions, successors, each
//! expression parsed once). Graph checks (missing or unreachable blocks, no way out, loops that spin
//! without waiting) live in `graph.rs`; block-level checks (expressions, variables, retry and latency rules, references to
//! the org's integrations, queues, data tables and flows) in `checks.rs`. The report has the
//! `{valid, errors, warnings}` shape of the platform's flow validation (seed 001).

mod checks;
mod dataflow;
mod graph;
mod index;
mod reliability;
mod transfers;

use crate::flow::{FlowDefinition, VariableType};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One finding. `code` is stable (tests, CI gates and docs refer to it); `message` is for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub block: Option<String>,
    pub message: String,
}

impl Diagnostic {
    pub fn error(code: &'static str, block: Option<&str>, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Error, code, block: block.map(str::to_string), message: message.into() }
    }

    pub fn warning(code: &'static str, block: Option<&str>, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, code, block: block.map(str::to_string), message: message.into() }
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        match &self.block {
            Some(block) => write!(formatter, "{severity}[{}] block `{block}`: {}", self.code, self.message),
            None => write!(formatter, "{severity}[{}]: {}", self.code, self.message),
        }
    }
}

/// What exists in the target org. A `None` list skips that family of reference checks (the flow is
/// validated on its own); `Some` lists hold names and/or ids, either may be referenced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalog {
    pub integrations: Option<BTreeSet<String>>,
    pub queues: Option<BTreeSet<String>>,
    /// Data table name → its column names (the key column `key` need not be listed).
    pub datatables: Option<BTreeMap<String, BTreeSet<String>>>,
    pub flows: Option<BTreeSet<String>>,
}

impl Catalog {
    /// Adds what `other` holds (a hub org's shared objects a spoke's flows may name); a family
    /// stays unchecked (`None`) only when neither side lists it.
    pub fn extend(&mut self, other: Catalog) {
        fn union<T: Ord>(mine: &mut Option<BTreeSet<T>>, theirs: Option<BTreeSet<T>>) {
            match (mine.as_mut(), theirs) {
                (Some(mine), Some(theirs)) => mine.extend(theirs),
                (None, Some(theirs)) => *mine = Some(theirs),
                (_, None) => {}
            }
        }
        union(&mut self.integrations, other.integrations);
        union(&mut self.queues, other.queues);
        union(&mut self.flows, other.flows);
        match (self.datatables.as_mut(), other.datatables) {
            (Some(mine), Some(theirs)) => {
                for (name, columns) in theirs {
                    mine.entry(name).or_insert(columns);
                }
            }
            (None, Some(theirs)) => self.datatables = Some(theirs),
            (_, None) => {}
        }
    }
}

/// Seed 001's `{valid, errors, warnings}`: valid means no errors; warnings do not block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValidationReport {
    pub valid: bool,
    pub errors: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
}

impl ValidationReport {
    pub fn from_diagnostics(diagnostics: Vec<Diagnostic>) -> ValidationReport {
        let (errors, warnings): (Vec<_>, Vec<_>) =
            diagnostics.into_iter().partition(|diagnostic| diagnostic.severity == Severity::Error);
        ValidationReport { valid: errors.is_empty(), errors, warnings }
    }
}

/// Latency SLA for one data-action attempt (seed 001: halt the deployment over 4000 ms).
pub const DATA_ACTION_TIMEOUT_SLA_MS: u64 = 4_000;

/// Retry delays above this are no cap at all (a call would sit in silence for minutes).
pub const MAX_RETRY_DELAY_MS: u64 = 60_000;

/// More attempts than this on one data action is retrying without a bound in practice.
pub const MAX_RETRY_ATTEMPTS: u32 = 10;

/// What a check needs beyond the flow and the org: the latency SLA and the active version's
/// participant-data schema. `Default` is seed 001's policy with no active version to compare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationOptions {
    /// The latency SLA one data-action attempt must fit (`timeout-over-sla`).
    pub latency_sla_ms: u64,
    /// The variables of the flow's active (published) version, by name; `None` skips
    /// `participant-data-incompatible`.
    pub active_variables: Option<BTreeMap<String, VariableType>>,
}

impl Default for ValidationOptions {
    fn default() -> ValidationOptions {
        ValidationOptions { latency_sla_ms: DATA_ACTION_TIMEOUT_SLA_MS, active_variables: None }
    }
}

/// Every diagnostic for `flow`, errors and warnings mixed, in a stable order (graph checks first,
/// then blocks by name), under seed 001's default policy.
pub fn validate(flow: &FlowDefinition, catalog: &Catalog) -> Vec<Diagnostic> {
    validate_with(flow, catalog, &ValidationOptions::default())
}

/// [`validate`] with an explicit policy (SLA, active version's schema).
pub fn validate_with(flow: &FlowDefinition, catalog: &Catalog, options: &ValidationOptions) -> Vec<Diagnostic> {
    let index = index::FlowIndex::new(flow);
    let mut diagnostics = graph::check(&index);
    diagnostics.extend(checks::check(&index, catalog, options));
    diagnostics.extend(reliability::check(&index, options));
    diagnostics.extend(dataflow::check(&index));
    diagnostics
}

/// The graph checks alone (missing or unreachable blocks, no way out, loops that spin): what the
/// flow's shape allows, whatever the org holds. The emulator's flow validation and its check of a
/// saved version call this, so the graph rules live only here.
pub fn validate_graph(flow: &FlowDefinition) -> Vec<Diagnostic> {
    graph::check(&index::FlowIndex::new(flow))
}

/// Checks that span flows: transfer and common-module chains that come back to where they
/// started (`transfer-cycle`). Returns (flow name, diagnostic) pairs, one per cycle.
pub fn validate_flows<'a>(flows: impl IntoIterator<Item = &'a FlowDefinition>) -> Vec<(String, Diagnostic)> {
    transfers::check(flows)
}

/// [`validate`] shaped as a report.
pub fn validate_report(flow: &FlowDefinition, catalog: &Catalog) -> ValidationReport {
    ValidationReport::from_diagnostics(validate(flow, catalog))
}

#[cfg(test)]
mod tests;
