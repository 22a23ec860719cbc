//! `switchboard flow publish FILE --org O`: publishes through an Architect job (as `archy publish`
//! and CX-as-Code do), so the same command works on the embedded emulator and on a real org.

use super::source;
use crate::args::FlowPublishArgs;
use crate::output::OutputFormat;
use crate::target::Target;
use serde::Serialize;
use switchboard_platform::{FlowSource, OperationWait, PlatformError, PlatformExt};

/// The name the platform's job messages give the uploaded document.
const UPLOAD_NAME: &str = "flow.yaml";

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PublishReport {
    pub file: String,
    pub org: String,
    pub job_id: String,
    pub flow_id: String,
    pub flow_name: String,
    pub warnings: Vec<String>,
}

pub async fn run(arguments: FlowPublishArgs, output: OutputFormat) -> anyhow::Result<()> {
    let values = source::substitutions(&arguments.substitution)?;
    let file = source::read(&arguments.file, &values)?;
    let target = Target::resolve(&arguments.target).await?;
    let report = publish_file(&target, &arguments.org, &file).await;
    target.shutdown().await;
    let report = report?;
    output.emit(&report, |report| {
        for warning in &report.warnings {
            println!("warning: {warning}");
        }
        println!("published {} to org {}: flow `{}` ({}), job {}", report.file, report.org, report.flow_name, report.flow_id, report.job_id);
    })
}

pub async fn publish_file(target: &Target, org: &str, file: &source::FlowFile) -> anyhow::Result<PublishReport> {
    let client = target.environment.org(org)?;
    let flow_source = if file.archy { FlowSource::ArchyYaml(&file.text) } else { FlowSource::Definition(&file.definition) };
    // Progress as plain lines on stderr, so stdout stays one result (text or JSON).
    let progress = |status: &str| eprintln!("  {}: architect job {status}", file.path);
    let published = match client.flows().publish(flow_source, OperationWait::default(), progress).await {
        Ok(published) => published,
        Err(PlatformError::FlowJobFailed { job, messages }) => {
            // The job names the upload `flow.yaml`; the user knows it by its path.
            let messages: Vec<String> = messages.iter().map(|message| message.replace(UPLOAD_NAME, &file.path)).collect();
            let error = PlatformError::FlowJobFailed { job, messages };
            return Err(anyhow::Error::new(error).context(format!("publishing {} to org {org}", file.path)));
        }
        Err(error) => return Err(anyhow::Error::new(error).context(format!("publishing {} to org {org}", file.path))),
    };
    Ok(PublishReport {
        file: file.path.clone(),
        org: org.to_string(),
        job_id: published.job_id,
        flow_id: published.flow.id.clone(),
        flow_name: published.flow.name.clone().unwrap_or_default(),
        warnings: published.warnings.into_iter().map(|message| message.text).collect(),
    })
}
