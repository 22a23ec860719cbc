//! `switchboard review --env E [--flow NAME|FILE ...] [--report-dir DIR]`: the reliability review
//! (crates/review) against one org of the target. Prints the table (or the JSON), writes the
//! reports, and exits 0 pass, 1 fail, 2 could not run; Ctrl-C stops the live checks and still
//! releases the flow locks.

use crate::args::{ReviewArgs, ReviewPolicyArgs};
use crate::commands::flow::source;
use crate::exit::Exit;
use crate::output::OutputFormat;
use crate::target::Target;
use anyhow::{Context, bail};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use switchboard_review::live::LivePolicy;
use switchboard_review::static_checks::FlowText;
use switchboard_review::{Check, FlowRef, Outcome, Review, ReviewConfig, report};

pub async fn run(arguments: ReviewArgs, output: OutputFormat) -> anyhow::Result<()> {
    let values = source::substitutions(&arguments.substitution)?;
    let flows = flow_refs(&arguments.flows, &values)?;
    let target = Target::resolve(&arguments.target).await?;
    let result = review(&target, &arguments.environment, flows, &arguments.policy).await;
    target.shutdown().await;
    let review = result?;
    finish(&review, arguments.report_dir.as_deref(), output)
}

/// Runs one review against `environment` of `target`, Ctrl-C cancelling the live checks.
pub async fn review(target: &Target, environment: &str, flows: Vec<FlowRef>, policy: &ReviewPolicyArgs) -> anyhow::Result<Review> {
    let client = target.environment.org(environment)?;
    let mut config = config(environment, flows, policy)?;
    config.own_client_id = Some(client.config().client_id.clone());
    for org in shared_orgs(target, environment, &policy.shared_orgs)? {
        config.shared_orgs.push(std::sync::Arc::new(target.environment.org(&org)?.clone()));
    }
    if let Some(parity) = &policy.parity_env {
        config.live.parity_with = Some(std::sync::Arc::new(target.environment.org(parity)?.clone()));
    }
    // An emulator target (it answers `/_emulator/faults` to the control credential the target
    // was given) runs the fault drills on live calls; a real org has no way to place one, so
    // there they run in virtual time.
    if config.checks.contains(&Check::FailureModes) {
        config.live.live_calls = switchboard_review::drills::LiveCalls::detect(std::sync::Arc::new(client.clone()), &target.base_url).await;
    }
    let cancel = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
        eprintln!("interrupted: releasing flow locks");
    };
    Ok(switchboard_review::run(client, &config, cancel).await)
}

/// The orgs whose objects `environment`'s flows may name: those asked for, then its ancestors
/// as far as the target knows them (hub-and-spoke), each once and never the org itself.
fn shared_orgs(target: &Target, environment: &str, asked: &[String]) -> anyhow::Result<Vec<String>> {
    let own = target.environment.id_of(environment).map(str::to_string);
    let mut orgs: Vec<String> = Vec::new();
    for org in asked {
        target.environment.org(org).with_context(|| format!("--shared-org {org}"))?;
        orgs.push(org.clone());
    }
    let mut current = own.clone();
    // Bounded by the number of known orgs, so a parent cycle in a credentials file cannot loop.
    for _ in 0..target.known_parents.len() {
        let Some(parent) = current.as_ref().and_then(|id| target.known_parents.get(id)).cloned().flatten() else { break };
        if target.environment.org(&parent).is_ok() && !orgs.contains(&parent) && Some(&parent) != own.as_ref() {
            orgs.push(parent.clone());
        }
        current = Some(parent);
    }
    Ok(orgs)
}

/// Prints the review, writes its reports, and turns its outcome into the exit code.
pub fn finish(review: &Review, report_dir: Option<&Path>, output: OutputFormat) -> anyhow::Result<()> {
    if let Some(directory) = report_dir {
        let written = report::write_all(review, directory).with_context(|| format!("writing reports to {}", directory.display()))?;
        for path in written {
            eprintln!("wrote {}", path.display());
        }
    }
    output.emit(review, |review| print!("{}", report::table(review)))?;
    match review.outcome {
        Outcome::Pass => Ok(()),
        outcome => Err(Exit { code: outcome.exit_code() as u8, message: None }.into()),
    }
}

/// Each `--flow`: an existing file is read (substituted), anything else names a flow in the org.
pub fn flow_refs(flows: &[String], values: &BTreeMap<String, String>) -> anyhow::Result<Vec<FlowRef>> {
    flows
        .iter()
        .map(|flow| {
            let path = Path::new(flow);
            if path.is_file() {
                let (origin, text, _) = source::read_text(path, values)?;
                Ok(FlowRef::Text(FlowText { origin, text }))
            } else {
                Ok(FlowRef::Org(flow.clone()))
            }
        })
        .collect()
}

/// The review's configuration from the policy flags.
pub fn config(environment: &str, flows: Vec<FlowRef>, policy: &ReviewPolicyArgs) -> anyhow::Result<ReviewConfig> {
    let mut config = ReviewConfig::new(environment, flows);
    if !policy.checks.is_empty() {
        let mut checks = BTreeSet::new();
        for name in &policy.checks {
            let Some(check) = Check::from_name(name) else {
                let known: Vec<&str> = Check::ALL.iter().map(|check| check.name()).collect();
                bail!("--check {name}: unknown check (one of {})", known.join(", "));
            };
            checks.insert(check);
        }
        config.checks = checks;
    }
    config.static_policy.latency_sla_ms = Some(policy.sla_ms);
    config.live = LivePolicy {
        sla_ms: policy.sla_ms,
        integration_sla_ms: pairs("--integration-sla", &policy.integration_sla)?,
        probes: policy.probes.max(1),
        expected_status: policy.expected_status,
        min_headroom_percent: policy.min_headroom_percent,
        projected_peak: pairs("--projected-peak", &policy.projected_peak)?,
        budget_ms: policy.budget_ms,
        ..LivePolicy::default()
    };
    Ok(config)
}

/// `NAME=NUMBER` pairs.
fn pairs<T: std::str::FromStr>(flag: &str, values: &[String]) -> anyhow::Result<BTreeMap<String, T>> {
    let mut map = BTreeMap::new();
    for value in values {
        let Some((name, number)) = value.rsplit_once('=') else {
            bail!("{flag} {value}: expected NAME=NUMBER");
        };
        let Ok(number) = number.trim().parse::<T>() else {
            bail!("{flag} {value}: `{number}` is not a number");
        };
        map.insert(name.trim().to_string(), number);
    }
    Ok(map)
}
