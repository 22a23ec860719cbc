//! `switchboard flow export --org O --flow NAME`: the flow's latest version as Archy YAML, through
//! an Architect export job.

use crate::args::FlowExportArgs;
use crate::output::OutputFormat;
use crate::target::Target;
use anyhow::{Context, bail};
use futures_util::TryStreamExt;
use serde::Serialize;
use switchboard_platform::api::flow::Flow;
use switchboard_platform::{OperationWait, PlatformExt};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportReport {
    pub org: String,
    pub flow_id: String,
    pub flow_name: String,
    pub yaml: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub written_to: Option<String>,
}

pub async fn run(arguments: FlowExportArgs, output: OutputFormat) -> anyhow::Result<()> {
    let target = Target::resolve(&arguments.target).await?;
    let report = export(&target, &arguments.org, &arguments.flow).await;
    target.shutdown().await;
    let mut report = report?;
    if let Some(path) = &arguments.out {
        std::fs::write(path, &report.yaml).with_context(|| format!("writing {}", path.display()))?;
        report.written_to = Some(path.display().to_string());
    }
    output.emit(&report, |report| match &report.written_to {
        Some(path) => println!("exported flow `{}` ({}) from org {} to {path}", report.flow_name, report.flow_id, report.org),
        None => print!("{}", report.yaml),
    })
}

async fn export(target: &Target, org: &str, name: &str) -> anyhow::Result<ExportReport> {
    let client = target.environment.org(org)?;
    let flows: Vec<Flow> = client.flows().list(Some(name), None).try_collect().await.with_context(|| format!("listing flows of org {org}"))?;
    let flow = match flows.as_slice() {
        [flow] => flow,
        [] => bail!("org {org} has no flow named `{name}`"),
        several => bail!("org {org} has {} flows named `{name}` (one per type); rename one", several.len()),
    };
    let yaml = client.flows().export(&flow.id, None, OperationWait::default()).await.with_context(|| format!("exporting flow `{name}` from org {org}"))?;
    Ok(ExportReport { org: org.to_string(), flow_id: flow.id.clone(), flow_name: flow.name.clone(), yaml, written_to: None })
}
