//! The `switchboard` binary: glue between flags, the libraries and exit codes.
//!
//! Errors become one line on stderr and a non-zero exit; nothing here panics on user input.

mod args;
mod commands;
mod exit;
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
    match runtime.block_on(commands::run(arguments)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if error.downcast_ref::<exit::Exit>().is_some() => {
            // The command already printed its report; only the exit code is left to say.
            let code = error.downcast_ref::<exit::Exit>().map_or(1, |exit| exit.code);
            if let Some(message) = error.downcast_ref::<exit::Exit>().and_then(|exit| exit.message.as_deref()) {
                eprintln!("error: {message}");
            }
            ExitCode::from(code)
        }
        Err(error) => {
            // One line: the chain of contexts joined, the way a user reads it.
            let chain: Vec<String> = error.chain().map(ToString::to_string).collect();
            eprintln!("error: {}", chain.join(": "));
            ExitCode::from(1)
        }
    }
}

fn init_tracing(verbose: bool, variable: &str) {
    let default_level = if verbose { "info" } else { "warn" };
    let filter = tracing_subscriber::EnvFilter::try_from_env(variable)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}
