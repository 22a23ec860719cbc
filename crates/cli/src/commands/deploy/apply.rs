//! `switchboard apply [PLAN] [--env E] [--resume ID]`.


use anyhow::{Context as _, bail};
use switchboard_deploy::apply::{ApplyOptions, ApplyReport};
use switchboard_deploy::canary::{CanaryClock, CanaryReport, CanarySettings, GenesysMetrics, apply_with_canary};
use switchboard_deploy::plan::Plan;

use super::context::DeployContext;
use super::{progress, table};
use crate::args::ApplyArgs;
use crate::output::OutputFormat;

fn holder() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "localhost".into());
    format!("{host} pid {}", std::process::id())
}

pub async fn run(arguments: ApplyArgs, output: OutputFormat) -> anyhow::Result<()> {
    let saved: Option<Plan> = match &arguments.plan {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
            Some(serde_json::from_str(&text).with_context(|| format!("{}: not a plan saved by `switchboard plan --out`", path.display()))?)
        }
        None => None,
    };
    let environment = match (&saved, &arguments.env, &arguments.resume) {
        (Some(plan), _, _) => plan.environment.clone(),
        (None, Some(env), _) => env.clone(),
        (None, None, Some(_)) => bail!("--resume needs --env (the environment the deployment ran on)"),
        (None, None, None) => bail!("give a saved plan or --env"),
    };
    let context = DeployContext::open(&arguments.deploy, &environment).await?;
    if arguments.canary.is_some() {
        let outcome = canary(&context, &arguments, saved).await;
        context.close().await;
        let report = outcome?;
        output.emit(&report, table::print_canary)?;
        let deployments = report.steps.iter().map(|step| step.apply.deployment.as_str()).collect::<Vec<_>>().join(", ");
        return match report.decision.as_str() {
            "expanded" => Ok(()),
            "held" => bail!("canary inconclusive: too few calls to judge; {} keep the change (deployments {deployments}), the rest were not applied", report.changed_orgs().join(", ")),
            "rolled_back" => bail!("canary regressed: every changed org rolled back from its snapshots (deployments {deployments}); the rest were not applied"),
            _ => bail!("a canary step's apply failed and its orgs were restored (deployments {deployments}); nothing more was applied"),
        };
    }
    let outcome = apply(&context, &arguments, saved).await;
    context.close().await;
    let report = outcome?;
    output.emit(&report, table::print_report)?;
    if report.failed() > 0 {
        bail!("{} org(s) failed and were restored from their snapshots; resume with `switchboard apply --resume {} --env {environment}`", report.failed(), report.deployment);
    }
    Ok(())
}

fn options(context: &DeployContext, arguments: &ApplyArgs) -> ApplyOptions {
    ApplyOptions {
        force: arguments.force,
        fail_fast: arguments.fail_fast,
        approve: arguments.approve,
        concurrency: context.repository.manifest.policies.concurrency,
        holder: holder(),
        orgs: arguments.orgs.clone(),
        progress: progress::for_stderr(),
        ..ApplyOptions::default()
    }
}

async fn canary(context: &DeployContext, arguments: &ApplyArgs, saved: Option<Plan>) -> anyhow::Result<CanaryReport> {
    let percent = arguments.canary.as_deref().filter(|text| !text.is_empty());
    if arguments.break_lease {
        context.journal.break_lease(&switchboard_deploy::record::lease_scope(&context.desired.environment)).await?;
    }
    let settings = CanarySettings::from_policy(&context.repository.manifest.policies.canary, percent, arguments.window.as_deref())?;
    let plan = match saved {
        Some(plan) => plan,
        None => super::plan::make_plan(context, arguments.prune, &arguments.orgs).await?,
    };
    let metrics = GenesysMetrics::new(super::context::platforms(&context.target, &context.desired)?);
    let mut options = options(context, arguments);
    options.approve = options.approve || approved_on_terminal(&plan);
    Ok(apply_with_canary(&plan, &context.providers, &context.journal, &options, &settings, &metrics, CanaryClock::default()).await?)
}

async fn apply(context: &DeployContext, arguments: &ApplyArgs, saved: Option<Plan>) -> anyhow::Result<ApplyReport> {
    let options = options(context, arguments);
    if arguments.break_lease {
        context.journal.break_lease(&switchboard_deploy::record::lease_scope(&context.desired.environment)).await?;
    }
    if let Some(id) = &arguments.resume {
        return Ok(switchboard_deploy::apply::resume(id, &context.providers, &context.journal, &options).await?);
    }
    let plan = match saved {
        Some(plan) => plan,
        None => super::plan::make_plan(context, arguments.prune, &arguments.orgs).await?,
    };
    if !plan.has_changes() {
        eprintln!("no changes");
    }
    let mut options = options;
    options.approve = options.approve || approved_on_terminal(&plan);
    Ok(switchboard_deploy::apply::apply(&plan, &context.providers, &context.journal, &options).await?)
}

/// Changes flagged for approval, shown and confirmed by a person at a terminal. Without a
/// terminal (CI) this is `false` and apply refuses them unless `--approve` was given.
fn approved_on_terminal(plan: &Plan) -> bool {
    let flagged: Vec<String> = plan
        .orgs
        .iter()
        .flat_map(|org| org.changes.iter().filter(|change| change.action.writes() && !change.approval.is_empty()).map(move |change| format!("  {} {}: {}", org.org, change.key, change.approval.join("; "))))
        .collect();
    if flagged.is_empty() || !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        return false;
    }
    eprintln!("{} change(s) need approval:\n{}", flagged.len(), flagged.join("\n"));
    crate::progress::confirm("apply them?")
}
