//! The `switchboard` binary: glue between flags, the libraries and exit codes.
//!
//! Errors become one line on stderr and a non-zero exit; nothing here panics on user input.

mod args;
mod commands;
mod exit;
mod failure;
mod output;
mod progress;
mod target;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let arguments = args::Arguments::parse();
    // The bridge is a server: it logs at info by default, under its own variable.
    let log_variable = if matches!(arguments.command, args::Command::Bridge(_)) { "BRIDGE_LOG" } else { "SWITCHBOARD_LOG" };
    init_tracing(arguments.verbose || log_variable == "BRIDGE_LOG", log_variable);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::from(1);
        }
    };
    let output = arguments.output;
    match runtime.block_on(commands::run(arguments)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // An `Exit` carries its code; its report was printed by the command, and only its
            // one-line reason (if any) is left to say. Any other error is exit 1.
            let (code, message) = match error.downcast_ref::<exit::Exit>() {
                Some(exit) => (exit.code, exit.message.clone()),
                None => (1, Some(failure::message_of(&error))),
            };
            failure::report(output, message.as_deref(), code);
            ExitCode::from(code)
        }
    }
}

fn init_tracing(verbose: bool, variable: &str) {
    let default_level = if verbose { "info" } else { "warn" };
    let filter = tracing_subscriber::EnvFilter::try_from_env(variable)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}
