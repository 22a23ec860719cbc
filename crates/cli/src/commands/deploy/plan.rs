//! `switchboard plan --env E` and `switchboard drift --env E`.

use anyhow::Context as _;
use switchboard_deploy::plan::{Plan, PlanOptions};

use super::context::DeployContext;
use super::table;
use crate::args::{DriftArgs, PlanArgs};
use crate::exit::Exit;
use crate::output::OutputFormat;

/// Plans `environment` with the repository's policies.
pub async fn make_plan(context: &DeployContext, prune: bool, orgs: &[String]) -> anyhow::Result<Plan> {
    let policies = &context.repository.manifest.policies;
    let options = PlanOptions { prune, orgs: orgs.to_vec(), approval: policies.approval.clone(), concurrency: policies.concurrency };
    let names = context.desired.orgs.iter().map(|org| org.org.as_str());
    let last = switchboard_deploy::record::last_applied(&context.journal, &context.desired.environment, names).await?;
    Ok(switchboard_deploy::plan::plan(&context.desired, &context.providers, &last, &options).await?)
}

pub async fn run(arguments: PlanArgs, output: OutputFormat) -> anyhow::Result<()> {
    let context = DeployContext::open(&arguments.deploy, &arguments.env).await?;
    let plan = make_plan(&context, arguments.prune, &arguments.orgs).await;
    context.close().await;
    let plan = plan?;
    if let Some(path) = &arguments.out {
        let text = serde_json::to_string_pretty(&plan)?;
        std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
        eprintln!("plan saved to {} (apply it with `switchboard apply {}`)", path.display(), path.display());
    }
    output.emit(&plan, |plan| print!("{}", table::plan_text(plan, arguments.show_unchanged)))?;
    if !plan.problems.is_empty() {
        anyhow::bail!("{} pre-flight problem(s): apply would refuse this plan", plan.problems.len());
    }
    if arguments.detailed_exitcode && plan.has_changes() {
        return Err(Exit { code: 2, message: None }.into());
    }
    Ok(())
}

pub async fn drift(arguments: DriftArgs, output: OutputFormat) -> anyhow::Result<()> {
    let context = DeployContext::open(&arguments.deploy, &arguments.env).await?;
    let names: Vec<&str> = context.desired.orgs.iter().map(|org| org.org.as_str()).collect();
    let last = switchboard_deploy::record::last_applied(&context.journal, &arguments.env, names.iter().copied()).await;
    let plan = make_plan(&context, false, &[]).await;
    context.close().await;
    let found = switchboard_deploy::drift::drift(&plan?, &last?);
    output.emit(&found, |found| {
        for drift in found {
            let who = drift.modified_by.as_deref().map(|who| format!(" by {who}")).unwrap_or_default();
            let when = drift.modified_at.as_deref().map(|when| format!(" at {when}")).unwrap_or_default();
            println!("{} {} {}: applied {}, live {}{who}{when}", drift.org, drift.resource, drift.field, show(&drift.applied), show(&drift.live));
        }
        println!("{} out-of-band change(s)", found.len());
    })?;
    if found.is_empty() { Ok(()) } else { Err(Exit { code: 3, message: None }.into()) }
}

fn show(value: &Option<serde_json::Value>) -> String {
    value.as_ref().map(ToString::to_string).unwrap_or_else(|| "none".into()).chars().take(60).collect()
}
