//! `switchboard history` and `switchboard rollback ID`.

use anyhow::{Context as _, bail};
use switchboard_journal::{DeploymentId, Journal};

use super::context::{self, DeployContext};
use crate::args::{HistoryArgs, RollbackArgs};
use crate::output::OutputFormat;

pub async fn history(arguments: HistoryArgs, output: OutputFormat) -> anyhow::Result<()> {
    let spec = match (&arguments.env, switchboard_deploy::config::Repository::load(&arguments.deploy.config)) {
        (Some(env), Ok(repository)) => repository.manifest.environments.get(env).cloned(),
        _ => None,
    };
    let location = context::open_journal(&arguments.deploy, spec.as_ref())?;
    let journal = Journal::open(&location).await.with_context(|| format!("opening the journal {location}"))?;
    let deployments = journal.deployments(arguments.env.as_deref()).await?;
    output.emit(&deployments, |deployments| {
        for deployment in deployments {
            let started = chrono::DateTime::from_timestamp_millis(deployment.created_ms).map(|time| time.to_rfc3339()).unwrap_or_default();
            let counts = &deployment.orgs;
            println!(
                "{}  {:<8} {:<12} {started}  orgs: {} done, {} failed, {} rolled back, {} unfinished",
                deployment.id,
                deployment.env,
                deployment.status.as_str(),
                counts.done,
                counts.failed,
                counts.rolled_back,
                counts.pending + counts.in_progress
            );
        }
    })
}

pub async fn rollback(arguments: RollbackArgs, output: OutputFormat) -> anyhow::Result<()> {
    // The deployment says which environment it ran on.
    let location = context::open_journal(&arguments.deploy, None)?;
    let journal = Journal::open(&location).await.with_context(|| format!("opening the journal {location}"))?;
    let record = journal.deployment(&DeploymentId::from(arguments.id.as_str())).await?;
    let deploy = crate::args::DeployArgs { journal: Some(location), ..arguments.deploy.clone() };
    let context = DeployContext::open(&deploy, &record.summary.env).await?;
    let holder = format!("rollback pid {}", std::process::id());
    let report = switchboard_deploy::rollback::rollback(&arguments.id, &context.providers, &context.journal, &holder).await;
    context.close().await;
    let report = report?;
    output.emit(&report, |report| {
        for org in &report.orgs {
            let proof = if org.mismatches.is_empty() && org.error.is_none() { "matches its snapshots".to_string() } else { format!("differs: {}", org.mismatches.join(", ")) };
            println!("{:<16} {} resource(s) restored, {proof}{}", org.org, org.restored, org.error.as_ref().map(|error| format!(" ({error})")).unwrap_or_default());
        }
    })?;
    if !report.proven() {
        bail!("rollback of {} did not restore every org exactly", arguments.id);
    }
    Ok(())
}
