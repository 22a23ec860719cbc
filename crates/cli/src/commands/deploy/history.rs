//! `switchboard history` and `switchboard rollback ID`.

use anyhow::{Context as _, bail};
use switchboard_journal::{DeploymentId, Journal};

use super::context::{self, DeployContext};
use crate::args::{HistoryArgs, RollbackArgs};
use crate::output::OutputFormat;

pub async fn history(arguments: HistoryArgs, output: OutputFormat) -> anyhow::Result<()> {
    // One environment: its journal. Otherwise every journal the repository's environments use.
    let locations = match (&arguments.env, &arguments.deploy.journal) {
        (Some(env), None) => {
            let repository = switchboard_deploy::config::Repository::load(&arguments.deploy.config)?;
            let spec = repository.manifest.environments.get(env).with_context(|| format!("no environment {env} in {}", arguments.deploy.config.display()))?;
            vec![context::journal_location(&arguments.deploy, Some(spec))]
        }
        _ => context::known_journals(&arguments.deploy),
    };
    let mut deployments = Vec::new();
    for location in &locations {
        if !location.contains("://") && !std::path::Path::new(location.strip_prefix("sqlite:").unwrap_or(location)).exists() {
            continue;
        }
        let journal = Journal::open(location).await.with_context(|| format!("opening the journal {location}"))?;
        deployments.extend(journal.deployments(arguments.env.as_deref()).await?);
    }
    deployments.sort_by(|left, right| right.created_ms.cmp(&left.created_ms).then_with(|| right.id.as_str().cmp(left.id.as_str())));
    deployments.dedup_by(|left, right| left.id == right.id);
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

/// The journal that holds deployment `id`: `--journal`, else the one of the repository's
/// journals (the environments' own and the default) that knows it.
async fn journal_of(arguments: &crate::args::DeployArgs, id: &DeploymentId) -> anyhow::Result<(String, Journal, switchboard_journal::Deployment)> {
    let locations = context::known_journals(arguments);
    let mut looked = Vec::new();
    for location in locations {
        let journal = Journal::open(&location).await.with_context(|| format!("opening the journal {location}"))?;
        match journal.deployment(id).await {
            Ok(record) => return Ok((location, journal, record)),
            Err(switchboard_journal::JournalError::UnknownDeployment(_)) => looked.push(location),
            Err(error) => return Err(error.into()),
        }
    }
    if looked.is_empty() {
        bail!("deployment {id}: no journal found (looked for the environments' journals and {} under {})", ".switchboard/journal.db", arguments.config.display());
    }
    bail!("deployment {id} is in none of the journals: {}", looked.join(", "))
}

pub async fn rollback(arguments: RollbackArgs, output: OutputFormat) -> anyhow::Result<()> {
    // The deployment says which environment it ran on; its journal is found by its id.
    let id = DeploymentId::from(arguments.id.as_str());
    let (location, journal, record) = journal_of(&arguments.deploy, &id).await?;
    drop(journal);
    let deploy = crate::args::DeployArgs { journal: Some(location), ..arguments.deploy.clone() };
    let context = DeployContext::open(&deploy, &record.summary.env).await?;
    if arguments.break_lease {
        context.journal.break_lease(&switchboard_deploy::record::lease_scope(&record.summary.env)).await?;
    }
    let options = switchboard_deploy::rollback::RollbackOptions {
        holder: format!("rollback pid {}", std::process::id()),
        concurrency: context.repository.manifest.policies.concurrency,
        ..Default::default()
    };
    let report = switchboard_deploy::rollback::rollback_with(&arguments.id, &context.providers, &context.journal, &options).await;
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
