//! One module per subcommand; `run` dispatches.

mod bridge;
mod demo;
pub(crate) mod deploy;
mod emulator;
mod flow;
mod gateway;
mod orgs;
mod pipeline;
mod review;
mod rollout;
mod simulate;

use crate::args::{Arguments, Command};

pub async fn run(arguments: Arguments) -> anyhow::Result<()> {
    let output = arguments.output;
    match arguments.command {
        Command::Emulator(emulator_arguments) => emulator::run(emulator_arguments, output).await,
        Command::Orgs(target) => orgs::run(target, output).await,
        Command::Simulate(simulate_arguments) => simulate::run(simulate_arguments, output),
        Command::Demo(demo_arguments) => demo::run(demo_arguments, output).await,
        Command::Flow(flow_arguments) => flow::run(flow_arguments, output).await,
        Command::Gateway(gateway_arguments) => gateway::run(gateway_arguments, output).await,
        Command::Bridge(bridge_arguments) => bridge::run(bridge_arguments).await,
        Command::Plan(plan_arguments) => deploy::plan::run(plan_arguments, output).await,
        Command::Apply(apply_arguments) => deploy::apply::run(apply_arguments, output).await,
        Command::Rollback(rollback_arguments) => deploy::history::rollback(rollback_arguments, output).await,
        Command::History(history_arguments) => deploy::history::history(history_arguments, output).await,
        Command::Export(export_arguments) => deploy::export::run(export_arguments, output).await,
        Command::Drift(drift_arguments) => deploy::plan::drift(drift_arguments, output).await,
        Command::Rollout(rollout_arguments) => rollout::run(rollout_arguments, output).await,
        Command::Review(review_arguments) => review::run(review_arguments, output).await,
        Command::Pipeline(pipeline_arguments) => pipeline::run(pipeline_arguments, output).await,
    }
}
