//! `switchboard flow convert FILE --to archy|switchboard`: between Archy YAML and our flow format.

use super::source;
use crate::args::{FlowConvertArgs, FlowFormat};
use crate::output::OutputFormat;
use anyhow::Context;
use serde::Serialize;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConvertReport {
    pub file: String,
    pub to: &'static str,
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub written_to: Option<String>,
}

pub fn run(arguments: FlowConvertArgs, output: OutputFormat) -> anyhow::Result<()> {
    let values = source::substitutions(&arguments.substitution)?;
    let file = source::read(&arguments.file, &values)?;
    let (to, text) = match arguments.to {
        FlowFormat::Archy => ("archy", switchboard_model::archy::export(&file.definition)),
        FlowFormat::Switchboard => ("switchboard", serde_saphyr::to_string(&file.definition).context("writing the flow as YAML")?),
    };
    let mut report = ConvertReport { file: file.path, to, text, written_to: None };
    if let Some(path) = &arguments.out {
        std::fs::write(path, &report.text).with_context(|| format!("writing {}", path.display()))?;
        report.written_to = Some(path.display().to_string());
    }
    output.emit(&report, |report| match &report.written_to {
        Some(path) => println!("converted {} to {} format: {path}", report.file, report.to),
        None => print!("{}", report.text),
    })
}
