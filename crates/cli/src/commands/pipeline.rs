//! `switchboard pipeline`: seed 001's quality gate as one command over a config repository.
//! validate (render the sandbox environment, plan it, the review's static check on every flow it
//! deploys) → deploy to the sandbox (the deploy engine's plan + apply) → review the sandbox (every
//! check, on the flows as deployed) → approval (`--approve`, or a yes on a terminal) → deploy to
//! production (plan + apply). Stops at the first stage that fails, printing that stage's report;
//! exit codes as `review`.

use crate::args::PipelineArgs;
use crate::commands::deploy::context::DeployContext;
use crate::commands::deploy::plan::make_plan;
use crate::commands::review;
use crate::exit::Exit;
use crate::output::OutputFormat;
use anyhow::Context;
use serde::Serialize;
use std::path::PathBuf;
use switchboard_deploy::apply::ApplyOptions;
use switchboard_deploy::plan::Plan;
use switchboard_review::static_checks::FlowText;
use switchboard_review::{Check, FlowRef, Outcome, Review, report};

#[derive(Debug, Serialize)]
pub struct StageResult {
    pub stage: &'static str,
    pub status: &'static str,
    pub detail: String,
}

/// What a stage left: carry on, or stop with this exit code.
type Stop = Option<u8>;

pub async fn run(arguments: PipelineArgs, output: OutputFormat) -> anyhow::Result<()> {
    let (stages, failure) = stages(&arguments, output).await?;
    if let Some(directory) = &arguments.report_dir {
        std::fs::create_dir_all(directory).with_context(|| format!("creating {}", directory.display()))?;
        let path = directory.join("pipeline.json");
        std::fs::write(&path, serde_json::to_string_pretty(&stages)?).with_context(|| format!("writing {}", path.display()))?;
    }
    output.emit(&stages, |stages| {
        for stage in stages {
            println!("{:<18} {:<8} {}", stage.stage, stage.status, stage.detail);
        }
    })?;
    match failure {
        None => Ok(()),
        Some(code) => Err(Exit { code, message: None }.into()),
    }
}

/// Runs the stages in order; the second value is the exit code of the stage that stopped it.
async fn stages(arguments: &PipelineArgs, output: OutputFormat) -> anyhow::Result<(Vec<StageResult>, Stop)> {
    let mut results = Vec::new();
    let text = output == OutputFormat::Text;

    // 1–3 on the sandbox, whose target (an embedded emulator lives as long as it) stays open from
    // the deploy through the review.
    progress("validate");
    let sandbox = match DeployContext::open(&arguments.deploy, &arguments.sandbox).await {
        Ok(context) => context,
        Err(error) => {
            results.push(failed("validate", format!("{error:#}")));
            return Ok((results, Some(1)));
        }
    };
    let outcome = sandbox_stages(&sandbox, arguments, text, &mut results).await;
    sandbox.close().await;
    if let Some(code) = outcome? {
        return Ok((results, Some(code)));
    }

    // 4. approval.
    progress("approval");
    let approved = arguments.approve || crate::progress::confirm(&format!("promote to {}?", arguments.production));
    if !approved {
        results.push(StageResult { stage: "approval", status: "stopped", detail: "not approved (pass --approve, or answer yes on a terminal)".into() });
        return Ok((results, Some(1)));
    }
    results.push(StageResult {
        stage: "approval",
        status: "passed",
        detail: if arguments.approve { "--approve".into() } else { "approved on the terminal".into() },
    });

    // 5. deploy to production: its own plan against its own live state.
    progress("deploy production");
    let production = match DeployContext::open(&arguments.deploy, &arguments.production).await {
        Ok(context) => context,
        Err(error) => {
            results.push(failed("deploy_production", format!("{error:#}")));
            return Ok((results, Some(1)));
        }
    };
    let deployed = match plan(&production).await {
        Ok(plan) => deploy(&production, &plan).await,
        Err(error) => Err(error),
    };
    production.close().await;
    match deployed {
        Ok(detail) => results.push(StageResult { stage: "deploy_production", status: "passed", detail }),
        Err(error) => {
            results.push(failed("deploy_production", format!("{error:#}")));
            return Ok((results, Some(1)));
        }
    }
    Ok((results, None))
}

/// validate → deploy_sandbox → review, on one open sandbox context.
async fn sandbox_stages(context: &DeployContext, arguments: &PipelineArgs, text: bool, results: &mut Vec<StageResult>) -> anyhow::Result<Stop> {
    // 1. validate: the plan's pre-flight problems, then the static check of every flow the
    // environment deploys (offline: the queues and integrations it names may be in this deploy).
    let plan = match plan(context).await {
        Ok(plan) => plan,
        Err(error) => {
            results.push(failed("validate", format!("{error:#}")));
            return Ok(Some(1));
        }
    };
    let flows = flows_by_org(context);
    let all: Vec<FlowRef> = flows.iter().flat_map(|(_, _, texts)| texts.iter().cloned().map(FlowRef::Text)).collect();
    let Some(client) = context.desired.orgs.first().and_then(|org| context.target.environment.org(&org.target_org).ok()) else {
        results.push(failed("validate", format!("environment {} has no org on its target", arguments.sandbox)));
        return Ok(Some(1));
    };
    let mut config = review::config(&arguments.sandbox, all, &arguments.policy)?;
    config.checks = [Check::StaticValidation].into_iter().collect();
    config.check_references = false;
    let validation = switchboard_review::run(client, &config, std::future::pending::<()>()).await;
    if let Some(code) = stop("validate", &validation, arguments.report_dir.as_ref().map(|dir| dir.join("validate")), text, results)? {
        return Ok(Some(code));
    }

    // 2. deploy to the sandbox.
    progress("deploy sandbox");
    match deploy(context, &plan).await {
        Ok(detail) => results.push(StageResult { stage: "deploy_sandbox", status: "passed", detail }),
        Err(error) => {
            results.push(failed("deploy_sandbox", format!("{error:#}")));
            return Ok(Some(1));
        }
    }

    // 3. review every org that got flows, on the flows as deployed (exported back from the org).
    for (org, target_org, texts) in &flows {
        progress(&format!("review sandbox org {org}"));
        let names: Vec<FlowRef> = texts.iter().filter_map(|text| flow_name(&text.text)).map(FlowRef::Org).collect();
        let reviewed = review::review(&context.target, target_org, names, &arguments.policy).await?;
        let directory = arguments.report_dir.as_ref().map(|dir| dir.join(org));
        if let Some(code) = stop("review", &reviewed, directory, text, results)? {
            return Ok(Some(code));
        }
    }
    Ok(None)
}

async fn plan(context: &DeployContext) -> anyhow::Result<Plan> {
    let plan = make_plan(context, false, &[]).await?;
    if !plan.problems.is_empty() {
        let problems: Vec<String> = plan.problems.iter().map(ToString::to_string).collect();
        anyhow::bail!("{} pre-flight problem(s): {}", problems.len(), problems.join("; "));
    }
    Ok(plan)
}

/// Applies `plan` with the deploy engine. The pipeline's approval stage is the gate, so the
/// engine's own approval policy is granted here.
async fn deploy(context: &DeployContext, plan: &Plan) -> anyhow::Result<String> {
    let options = ApplyOptions {
        approve: true,
        concurrency: context.repository.manifest.policies.concurrency,
        holder: format!("switchboard pipeline pid {}", std::process::id()),
        ..ApplyOptions::default()
    };
    let report = switchboard_deploy::apply::apply(plan, &context.providers, &context.journal, &options).await?;
    if report.failed() > 0 {
        let errors: Vec<String> =
            report.orgs.iter().filter_map(|org| org.error.as_ref().map(|error| format!("{}: {error}", org.org))).collect();
        anyhow::bail!("{} org(s) failed and were restored from their snapshots (deployment {}): {}", report.failed(), report.deployment, errors.join("; "));
    }
    Ok(format!("deployment {} to {}: {} written", report.deployment, report.environment, report.written()))
}

/// Per org of the environment that deploys flows: (org, its name on the target, the flows' Archy
/// YAML as rendered, with the file and line that declared each).
fn flows_by_org(context: &DeployContext) -> Vec<(String, String, Vec<FlowText>)> {
    context
        .desired
        .orgs
        .iter()
        .map(|org| {
            let texts = org
                .resources
                .iter()
                .filter(|resource| resource.key.kind == "flow")
                .filter_map(|resource| {
                    let yaml = resource.body.get("yaml")?.as_str()?;
                    Some(FlowText { origin: resource.source.to_string(), text: yaml.to_string() })
                })
                .collect::<Vec<_>>();
            (org.org.clone(), org.target_org.clone(), texts)
        })
        .filter(|(_, _, texts)| !texts.is_empty())
        .collect()
}

/// The flow's name as the org knows it (Archy's `name` of the flow type, or our format's `name`).
fn flow_name(text: &str) -> Option<String> {
    switchboard_model::load::load_flow(text, "flow").ok().map(|flow| flow.name)
}

/// Records a review stage and writes its reports; on anything but a pass prints its report and
/// returns the exit code.
fn stop(stage: &'static str, review: &Review, directory: Option<PathBuf>, text: bool, results: &mut Vec<StageResult>) -> anyhow::Result<Stop> {
    let detail = format!("{}: {} errors, {} warnings", review.environment, review.errors(), review.warnings());
    if let Some(directory) = directory {
        report::write_all(review, &directory).with_context(|| format!("writing reports to {}", directory.display()))?;
    }
    if review.outcome == Outcome::Pass {
        results.push(StageResult { stage, status: "passed", detail });
        return Ok(None);
    }
    if text {
        print!("{}", report::table(review));
    }
    results.push(StageResult { stage, status: "failed", detail });
    Ok(Some(review.outcome.exit_code() as u8))
}

fn failed(stage: &'static str, detail: String) -> StageResult {
    StageResult { stage, status: "failed", detail }
}

fn progress(stage: &str) {
    eprintln!("pipeline: {stage}");
}
