//! The static validation check: the model's one validator (`model::validate`) over every flow of
//! the review, per flow and across them (transfer cycles), as findings. No second copy of any
//! graph rule lives here; this file only loads flows and turns diagnostics into findings.

use crate::finding::{Check, CheckRun, CheckStatus, Finding, Severity};
use std::collections::BTreeMap;
use std::time::Instant;
use switchboard_model::flow::{FlowDefinition, VariableType};
use switchboard_model::validate::{self, Catalog, Diagnostic, ValidationOptions};

/// A flow to review as text (Archy YAML or the flow format, substitutions already applied) and
/// where it came from (a file path, or `org:<name>` for a flow exported from the target).
#[derive(Debug, Clone)]
pub struct FlowText {
    pub origin: String,
    pub text: String,
}

/// A flow that loaded, with its origin and text (for line numbers in evidence).
#[derive(Debug, Clone)]
pub struct LoadedFlow {
    pub origin: String,
    pub text: String,
    pub definition: FlowDefinition,
}

/// The policy static validation runs under.
#[derive(Debug, Clone, Default)]
pub struct StaticPolicy {
    /// The org's objects; `Catalog::default()` checks no references.
    pub catalog: Catalog,
    /// Per-attempt latency SLA (`timeout-over-sla`); `None` is seed 001's 4000 ms.
    pub latency_sla_ms: Option<u64>,
    /// Per flow name, the variables of its active version (`participant-data-incompatible`).
    pub active_variables: BTreeMap<String, BTreeMap<String, VariableType>>,
}

/// The subject a flow's findings are about.
pub fn flow_subject(name: &str) -> String {
    format!("flow:{name}")
}

/// Loads each text through the model's one loader; a text that does not load is an
/// `unloadable-flow` error finding naming file, line and column.
pub fn load(texts: &[FlowText]) -> (Vec<LoadedFlow>, Vec<Finding>) {
    let mut loaded = Vec::new();
    let mut findings = Vec::new();
    for text in texts {
        match switchboard_model::load_flow(&text.text, &text.origin) {
            Ok(definition) => loaded.push(LoadedFlow { origin: text.origin.clone(), text: text.text.clone(), definition }),
            Err(error) => findings.push(Finding {
                check: Check::StaticValidation,
                code: "unloadable-flow".to_string(),
                severity: Severity::Error,
                subject: format!("file:{}", text.origin),
                message: error.to_string(),
                evidence: vec![text.origin.clone()],
            }),
        }
    }
    (loaded, findings)
}

/// Validates every flow alone and all of them together.
pub fn run(flows: &[LoadedFlow], policy: &StaticPolicy) -> (CheckRun, Vec<Finding>) {
    let started = Instant::now();
    let mut findings = Vec::new();
    for flow in flows {
        let options = ValidationOptions {
            latency_sla_ms: policy.latency_sla_ms.unwrap_or(validate::DATA_ACTION_TIMEOUT_SLA_MS),
            active_variables: policy.active_variables.get(&flow.definition.name).cloned(),
        };
        for diagnostic in validate::validate_with(&flow.definition, &policy.catalog, &options) {
            findings.push(finding(flow, diagnostic));
        }
    }
    let by_name: BTreeMap<&str, &LoadedFlow> = flows.iter().map(|flow| (flow.definition.name.as_str(), flow)).collect();
    for (name, diagnostic) in validate::validate_flows(flows.iter().map(|flow| &flow.definition)) {
        if let Some(flow) = by_name.get(name.as_str()) {
            findings.push(finding(flow, diagnostic));
        }
    }
    let run = CheckRun {
        check: Check::StaticValidation,
        status: CheckStatus::Ran,
        subjects: flows.iter().map(|flow| flow_subject(&flow.definition.name)).collect(),
        duration_ms: started.elapsed().as_millis() as u64,
    };
    (run, findings)
}

fn finding(flow: &LoadedFlow, diagnostic: Diagnostic) -> Finding {
    let mut evidence = Vec::new();
    if let Some(block) = &diagnostic.block {
        match line_of(&flow.text, block) {
            Some(line) => evidence.push(format!("{}:{line}: block `{block}`", flow.origin)),
            None => evidence.push(format!("{}: block `{block}`", flow.origin)),
        }
    } else {
        evidence.push(flow.origin.clone());
    }
    Finding {
        check: Check::StaticValidation,
        code: diagnostic.code.to_string(),
        severity: match diagnostic.severity {
            validate::Severity::Error => Severity::Error,
            validate::Severity::Warning => Severity::Warning,
        },
        subject: flow_subject(&flow.definition.name),
        message: diagnostic.message,
        evidence,
    }
}

/// The 1-based line where a block is defined (`name:` as a YAML key), when the text shows it.
fn line_of(text: &str, block: &str) -> Option<usize> {
    let key = format!("{block}:");
    text.lines().position(|line| line.trim_start().starts_with(&key)).map(|index| index + 1)
}
