//! `switchboard flow`: the `archy` verbs people know — validate, publish, export, convert — over
//! Archy YAML (and our own flow format), publishing only through Architect jobs.

mod convert;
mod export;
pub(crate) mod publish;
pub(crate) mod source;
mod validate;

use crate::args::{FlowArgs, FlowCommand};
use crate::output::OutputFormat;

pub async fn run(arguments: FlowArgs, output: OutputFormat) -> anyhow::Result<()> {
    match arguments.command {
        FlowCommand::Validate(validate_arguments) => validate::run(validate_arguments, output),
        FlowCommand::Publish(publish_arguments) => publish::run(publish_arguments, output).await,
        FlowCommand::Export(export_arguments) => export::run(export_arguments, output).await,
        FlowCommand::Convert(convert_arguments) => convert::run(convert_arguments, output),
    }
}
