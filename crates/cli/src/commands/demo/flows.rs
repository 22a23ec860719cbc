//! The demo's flows-as-code part: the IVR kept as Archy YAML in Git (`examples/demo/main-ivr.yaml`)
//! is validated offline, published to the live org through an Architect job (a new version of the
//! org's "Main IVR", which its numbers route to, so the live calls that follow run it), exported back
//! through an export job, and checked to round-trip.

use anyhow::{Context, bail};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use switchboard_model::validate::{Catalog, Severity, validate};
use switchboard_platform::{FlowSource, OperationWait, OrgClient, PlatformExt};

const FLOW_FILE: &str = "examples/demo/main-ivr.yaml";

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FlowsSummary {
    pub file: String,
    pub flow: String,
    pub blocks: usize,
    pub errors: usize,
    pub warnings: usize,
    pub job_statuses: Vec<String>,
    pub flow_id: String,
    pub published_version: Option<String>,
    pub exported_bytes: usize,
    pub round_trip_identical: bool,
}

pub async fn run(client: &OrgClient, org: &str, print: bool) -> anyhow::Result<FlowsSummary> {
    let path = repository_file(FLOW_FILE);
    let label = FLOW_FILE.to_string();
    let raw = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let values = BTreeMap::from([("support_queue".to_string(), "Support".to_string())]);
    let text = switchboard_model::archy::substitute(&raw, &label, &values)?;
    let definition = switchboard_model::load_flow(&text, &label)?;
    let diagnostics = validate(&definition, &Catalog::default());
    let errors = diagnostics.iter().filter(|diagnostic| diagnostic.severity == Severity::Error).count();
    if print {
        println!("\n== flows as code: {label} (Archy YAML, as kept in Git) ==");
        println!("  validated offline: flow `{}`, {} blocks, {errors} errors, {} warnings", definition.name, definition.blocks.len(), diagnostics.len() - errors);
    }
    if errors > 0 {
        bail!("{label}: the demo flow has {errors} validation errors");
    }
    let mut job_statuses = Vec::new();
    let published = client
        .flows()
        .publish(FlowSource::ArchyYaml(&text), OperationWait::default(), |status| job_statuses.push(status.to_string()))
        .await
        .with_context(|| format!("publishing {label} to {org}"))?;
    let flow = client.flows().get(&published.flow.id).await.context("reading the published flow")?.value;
    let published_version = flow.published_version.map(|version| version.id);
    if print {
        println!(
            "  published to {org} through an Architect job ({}): flow `{}` ({}) now at version {}",
            job_statuses.join(" → "),
            flow.name,
            flow.id,
            published_version.as_deref().unwrap_or("-")
        );
    }
    let exported = client.flows().export(&flow.id, None, OperationWait::default()).await.context("exporting the flow back")?;
    let back = switchboard_model::load_flow(&exported, "exported.yaml")?;
    let round_trip_identical = back == definition;
    if print {
        let verdict = if round_trip_identical { "identical to what was published" } else { "DIFFERENT from what was published" };
        println!("  exported back through an export job: {} bytes of Archy YAML, {verdict}", exported.len());
    }
    Ok(FlowsSummary {
        file: label,
        flow: definition.name.clone(),
        blocks: definition.blocks.len(),
        errors,
        warnings: diagnostics.len() - errors,
        job_statuses,
        flow_id: flow.id,
        published_version,
        exported_bytes: exported.len(),
        round_trip_identical,
    })
}

/// A file of the repository, found from the binary's source tree or the working directory.
pub fn repository_file(relative: &str) -> PathBuf {
    let from_manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").join(relative);
    if from_manifest.exists() { from_manifest } else { PathBuf::from(relative) }
}
