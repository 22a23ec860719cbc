//! `switchboard rollout …`: blue-green and canary IVR releases through a Traffic Cop. The engine
//! is `switchboard_rollout` (pure controller and judge, live driver); this is flags and output.

mod smoke;
mod view;

pub use smoke::EmulatorCalls;
pub use view::event_line;

use crate::args::{RolloutArgs, RolloutCommand, RolloutFlowArgs, RolloutStartArgs};
use crate::commands::flow::source;
use crate::output::OutputFormat;
use crate::target::Target;
use anyhow::Context;
use std::collections::BTreeMap;
use switchboard_journal::Journal;
use switchboard_platform::OrgClient;
use switchboard_rollout::controller::Input;
use switchboard_rollout::live::{Driver, Org, Store, is_finished};
use switchboard_rollout::smoke::SmokeOutcome;
use switchboard_rollout::{Policy, RolloutEvent};

pub async fn run(arguments: RolloutArgs, output: OutputFormat) -> anyhow::Result<()> {
    let flow_args = match &arguments.command {
        RolloutCommand::Init(init) => &init.flow,
        RolloutCommand::Start(start) => &start.flow,
        RolloutCommand::Status(status) => &status.flow,
        RolloutCommand::Abort(abort) => &abort.flow,
        RolloutCommand::Run(flow)
        | RolloutCommand::Promote(flow)
        | RolloutCommand::Pause(flow)
        | RolloutCommand::Resume(flow)
        | RolloutCommand::History(flow) => flow,
    }
    .clone();
    let target = Target::resolve(&flow_args.target).await?;
    let result = dispatch(arguments.command, &flow_args, &target, output).await;
    target.shutdown().await;
    result
}

async fn dispatch(command: RolloutCommand, flow: &RolloutFlowArgs, target: &Target, output: OutputFormat) -> anyhow::Result<()> {
    let client: &OrgClient = target.environment.org(&flow.org)?;
    if let RolloutCommand::Init(init) = &command {
        let report = Org::new(client, &flow.flow)
            .init(init.smoke_did.as_deref(), |line| eprintln!("  {line}"))
            .await
            .with_context(|| format!("rollout init of '{}' in org {}", flow.flow, flow.org))?;
        return output.emit(&report, view::print_init);
    }
    let journal = Journal::open(&flow.journal).await.with_context(|| format!("opening the journal {}", switchboard_journal::Location::parse(&flow.journal).map(|location| format!("{location:?}")).unwrap_or_default()))?;
    let mut driver = Driver::new(Org::new(client, &flow.flow), Store::new(journal, &flow.org, &flow.flow));
    if let RolloutCommand::Start(start) = &command
        && (start.smoke_via_emulator || target.embedded.is_some())
    {
        driver = driver.with_smoke_dialer(smoke::EmulatorCalls::new(std::sync::Arc::new(client.clone()), &flow.org));
    }
    let context = || format!("rollout of '{}' in org {}", flow.flow, flow.org);
    match command {
        RolloutCommand::Init(_) => Ok(()),
        RolloutCommand::Start(start) => {
            let (policy, detach) = (policy(&start)?, start.detach);
            let file = source::read(&start.file, &BTreeMap::new())?;
            let (record, report) = driver.start(&file.definition, &file.path, policy).await.with_context(context)?;
            eprintln!(
                "  published {} to {} (version {}); active {} (version {}); candidate weight {} %",
                file.path, report.candidate.flow_id, report.candidate.version, report.active.flow_id, report.active.version, record.controller.weight()
            );
            for action in &report.actions {
                let state = if action.changed { "now has" } else { "already had" };
                eprintln!("  data action {} (v{}) {state} Cache-Control: no-cache and a Flow_Version input", action.name, action.version);
            }
            match &report.smoke {
                Some(SmokeOutcome::Passed { report }) => eprintln!("  smoke test passed: {report}"),
                Some(SmokeOutcome::NotApplicable { reason }) => eprintln!("  smoke test not applicable: {reason}"),
                None => {}
            }
            if detach {
                return output.emit(&view::Status::of(&record), view::print_status);
            }
            drive(&driver, output).await
        }
        RolloutCommand::Run(_) => drive(&driver, output).await,
        RolloutCommand::Status(status) => {
            loop {
                let record = driver.status().await.with_context(context)?;
                output.emit(&view::Status::of(&record), view::print_status)?;
                if !status.watch || is_finished(&record) {
                    return Ok(());
                }
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
        }
        RolloutCommand::Abort(abort) => command_output(&driver, Input::Abort { reason: abort.reason }, output).await,
        RolloutCommand::Promote(_) => command_output(&driver, Input::Promote, output).await,
        RolloutCommand::Pause(_) => command_output(&driver, Input::Pause, output).await,
        RolloutCommand::Resume(_) => command_output(&driver, Input::Resume, output).await,
        RolloutCommand::History(_) => {
            let events = driver.history().await.with_context(context)?;
            output.emit(&events, |events| {
                for event in events {
                    match serde_json::from_value::<RolloutEvent>(event.clone()) {
                        Ok(event) => println!("{}", view::event_line(&event)),
                        Err(_) => println!("{event}"),
                    }
                }
            })
        }
    }
}

/// Runs the controller to the end, one plain line per interval on stderr.
async fn drive(driver: &Driver<'_, OrgClient>, output: OutputFormat) -> anyhow::Result<()> {
    let holder = format!("switchboard rollout pid {}", std::process::id());
    let record = driver
        .run(&holder, |_, tick| {
            for event in &tick.events {
                eprintln!("  {}", view::event_line(event));
            }
        })
        .await
        .with_context(|| format!("driving the rollout of '{}'", driver.org.flow))?;
    output.emit(&view::Status::of(&record), view::print_status)
}

async fn command_output(driver: &Driver<'_, OrgClient>, input: Input, output: OutputFormat) -> anyhow::Result<()> {
    let (record, _) = driver.command(input).await.with_context(|| format!("rollout of '{}'", driver.org.flow))?;
    output.emit(&view::Status::of(&record), view::print_status)
}

/// The policy: defaults, then the policy file, then flags.
fn policy(arguments: &RolloutStartArgs) -> anyhow::Result<Policy> {
    let mut policy = match &arguments.policy {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
            switchboard_model::load::parse_yaml::<Policy>(&text, &path.display().to_string())?
        }
        None => Policy::default(),
    };
    if let Some(steps) = &arguments.steps {
        policy.steps.clone_from(steps);
    }
    if let Some(seconds) = arguments.interval_seconds {
        anyhow::ensure!(seconds.is_finite() && seconds > 0.0, "--interval-seconds: must be positive");
        policy.interval_ms = (seconds * 1_000.0).round() as u64;
    }
    if let Some(alpha) = arguments.alpha {
        policy.alpha = alpha;
    }
    if let Some(min_calls) = arguments.min_calls {
        policy.min_calls_per_step = min_calls;
    }
    policy.check()?;
    Ok(policy)
}
