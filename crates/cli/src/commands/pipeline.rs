//! `switchboard pipeline`: seed 001's quality gate as one command. validate (the review's static
//! check, offline) → deploy to the sandbox (publish through Architect jobs) → review the sandbox
//! (every check) → approval (`--approve`, or a yes on a terminal) → deploy to production. Stops at
//! the first stage that fails, printing that stage's report; exit codes as `review`.

use crate::args::PipelineArgs;
use crate::commands::flow::{publish, source};
use crate::commands::review;
use crate::exit::Exit;
use crate::output::OutputFormat;
use crate::target::Target;
use anyhow::Context;
use serde::Serialize;
use switchboard_review::{Check, Outcome, report};

#[derive(Debug, Serialize)]
pub struct StageResult {
    pub stage: &'static str,
    pub status: &'static str,
    pub detail: String,
}

pub async fn run(arguments: PipelineArgs, output: OutputFormat) -> anyhow::Result<()> {
    let values = source::substitutions(&arguments.substitution)?;
    let names: Vec<String> = arguments.flows.iter().map(|path| path.display().to_string()).collect();
    let target = Target::resolve(&arguments.target).await?;
    let result = stages(&arguments, &target, &names, &values, output).await;
    target.shutdown().await;
    let (stages, failure) = result?;
    if let Some(directory) = &arguments.report_dir {
        std::fs::create_dir_all(directory).with_context(|| format!("creating {}", directory.display()))?;
        let path = directory.join("pipeline.json");
        std::fs::write(&path, serde_json::to_string_pretty(&stages)?).with_context(|| format!("writing {}", path.display()))?;
    }
    output.emit(&stages, |stages| {
        for stage in stages {
            println!("{:<16} {:<8} {}", stage.stage, stage.status, stage.detail);
        }
    })?;
    match failure {
        None => Ok(()),
        Some(code) => Err(Exit { code, message: None }.into()),
    }
}

/// Runs the stages in order; the second value is the exit code of the stage that stopped it.
async fn stages(
    arguments: &PipelineArgs,
    target: &Target,
    names: &[String],
    values: &std::collections::BTreeMap<String, String>,
    output: OutputFormat,
) -> anyhow::Result<(Vec<StageResult>, Option<u8>)> {
    let mut results = Vec::new();
    let progress = |stage: &str| eprintln!("pipeline: {stage}");
    let text = output == OutputFormat::Text;

    // 1. validate: the static check alone, against the sandbox's catalogue.
    progress("validate");
    let refs = review::flow_refs(names, values)?;
    let mut validate_policy = arguments.policy.clone();
    validate_policy.checks = vec![Check::StaticValidation.name().to_string()];
    let validation = review::review(target, &arguments.sandbox, refs.clone(), &validate_policy).await?;
    if let Some(stop) = stop("validate", &validation, arguments, text, &mut results)? {
        return Ok((results, Some(stop)));
    }

    // 2. deploy to the sandbox.
    progress("deploy sandbox");
    let deployed = deploy(target, &arguments.sandbox, &arguments.flows, values).await;
    match deployed {
        Ok(detail) => results.push(StageResult { stage: "deploy_sandbox", status: "passed", detail }),
        Err(error) => {
            results.push(StageResult { stage: "deploy_sandbox", status: "failed", detail: format!("{error:#}") });
            return Ok((results, Some(1)));
        }
    }

    // 3. the full review of the sandbox.
    progress("review sandbox");
    let reviewed = review::review(target, &arguments.sandbox, refs, &arguments.policy).await?;
    if let Some(stop) = stop("review", &reviewed, arguments, text, &mut results)? {
        return Ok((results, Some(stop)));
    }

    // 4. approval.
    progress("approval");
    let approved = arguments.approve || crate::progress::confirm(&format!("promote {} flow(s) to {}?", names.len(), arguments.production));
    if !approved {
        results.push(StageResult { stage: "approval", status: "stopped", detail: "not approved (pass --approve, or answer yes on a terminal)".into() });
        return Ok((results, Some(1)));
    }
    results.push(StageResult {
        stage: "approval",
        status: "passed",
        detail: if arguments.approve { "--approve".into() } else { "approved on the terminal".into() },
    });

    // 5. deploy to production.
    progress("deploy production");
    match deploy(target, &arguments.production, &arguments.flows, values).await {
        Ok(detail) => results.push(StageResult { stage: "deploy_production", status: "passed", detail }),
        Err(error) => {
            results.push(StageResult { stage: "deploy_production", status: "failed", detail: format!("{error:#}") });
            return Ok((results, Some(1)));
        }
    }
    Ok((results, None))
}

/// Records a review stage; on anything but a pass, prints its report and returns the exit code.
fn stop(
    stage: &'static str,
    review: &switchboard_review::Review,
    arguments: &PipelineArgs,
    text: bool,
    results: &mut Vec<StageResult>,
) -> anyhow::Result<Option<u8>> {
    let detail = format!("{} errors, {} warnings", review.errors(), review.warnings());
    if review.outcome == Outcome::Pass {
        results.push(StageResult { stage, status: "passed", detail });
        return Ok(None);
    }
    if let Some(directory) = &arguments.report_dir {
        report::write_all(review, directory).with_context(|| format!("writing reports to {}", directory.display()))?;
    }
    if text {
        print!("{}", report::table(review));
    }
    results.push(StageResult { stage, status: "failed", detail });
    Ok(Some(review.outcome.exit_code() as u8))
}

/// Publishes every flow file to `environment` through Architect jobs.
async fn deploy(
    target: &Target,
    environment: &str,
    files: &[std::path::PathBuf],
    values: &std::collections::BTreeMap<String, String>,
) -> anyhow::Result<String> {
    let mut published = Vec::new();
    for path in files {
        let file = source::read(path, values)?;
        let report = publish::publish_file(target, environment, &file).await?;
        published.push(format!("{} ({})", report.flow_name, report.flow_id));
    }
    Ok(format!("published to {environment}: {}", published.join(", ")))
}
