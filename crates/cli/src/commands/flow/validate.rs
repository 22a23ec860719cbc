//! `switchboard flow validate FILE...`: offline, the model's validator over each file; every
//! diagnostic with file and line; exit 1 when any file has an error.

use super::source::{self, line_of};
use crate::args::FlowValidateArgs;
use crate::output::OutputFormat;
use anyhow::bail;
use serde::Serialize;
use switchboard_model::validate::{Catalog, Diagnostic, Severity, validate, validate_flows};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FileReport {
    pub file: String,
    pub format: &'static str,
    pub flow: String,
    pub valid: bool,
    pub diagnostics: Vec<Located>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Located {
    pub line: Option<usize>,
    #[serde(flatten)]
    pub diagnostic: Diagnostic,
}

pub fn run(arguments: FlowValidateArgs, output: OutputFormat) -> anyhow::Result<()> {
    let values = source::substitutions(&arguments.substitution)?;
    let files = arguments.files.iter().map(|path| source::read(path, &values)).collect::<anyhow::Result<Vec<_>>>()?;
    // Checks across the files given together: transfer chains that come back (`transfer-cycle`).
    let across = validate_flows(files.iter().map(|file| &file.definition));
    let mut reports = Vec::new();
    for file in files {
        // Offline: references to queues, integrations and tables are not checked (no catalog).
        let mut found = validate(&file.definition, &Catalog::default());
        found.extend(across.iter().filter(|(flow, _)| *flow == file.definition.name).map(|(_, diagnostic)| diagnostic.clone()));
        let diagnostics = found
            .into_iter()
            .map(|diagnostic| Located { line: diagnostic.block.as_deref().and_then(|block| line_of(&file.text, block)), diagnostic })
            .collect::<Vec<_>>();
        reports.push(FileReport {
            valid: diagnostics.iter().all(|located| located.diagnostic.severity != Severity::Error),
            format: if file.archy { "archy" } else { "switchboard" },
            flow: file.definition.name.clone(),
            file: file.path,
            diagnostics,
        });
    }
    output.emit(&reports, |reports| print(reports))?;
    let failed: Vec<&str> = reports.iter().filter(|report| !report.valid).map(|report| report.file.as_str()).collect();
    if !failed.is_empty() {
        bail!("{} of {} flow file(s) have errors: {}", failed.len(), reports.len(), failed.join(", "));
    }
    Ok(())
}

fn print(reports: &[FileReport]) {
    for report in reports {
        for located in &report.diagnostics {
            match located.line {
                Some(line) => println!("{}:{line}: {}", report.file, located.diagnostic),
                None => println!("{}: {}", report.file, located.diagnostic),
            }
        }
        let errors = report.diagnostics.iter().filter(|located| located.diagnostic.severity == Severity::Error).count();
        let warnings = report.diagnostics.len() - errors;
        let verdict = if report.valid { "valid" } else { "INVALID" };
        println!("{}: {verdict} {} flow `{}` ({errors} errors, {warnings} warnings)", report.file, report.format, report.flow);
    }
}
