//! One module per subcommand; `run` dispatches.

mod demo;
mod emulator;
mod flow;
mod orgs;
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
    }
}
