//! The one edge where a failed command is reported: its message once (the chain of contexts
//! joined, each cause said once), as the line `error: ...` on stderr, or, under `--output json`,
//! as one JSON document on stdout (`{"error": {"message", "lines"}, "exitCode"}`) so a script
//! reading JSON gets JSON whether the command succeeded or not.

use crate::output::OutputFormat;
use serde::Serialize;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Failure<'a> {
    error: Problem<'a>,
    exit_code: u8,
}

#[derive(Serialize)]
struct Problem<'a> {
    message: &'a str,
    /// The message's lines: a load error names one problem per line (`file:line:col: ...`).
    lines: Vec<&'a str>,
}

/// The chain of contexts joined with `: `, each cause once. An error that displays its source
/// (`#[error("{0}")]`, or `"... : {source}"`) and also returns it from `source()` would
/// otherwise print the source's text twice: every load error did.
pub fn message_of(error: &anyhow::Error) -> String {
    let mut message = String::new();
    for cause in error.chain().map(ToString::to_string) {
        if cause.is_empty() || message.ends_with(&cause) {
            continue;
        }
        if !message.is_empty() {
            message.push_str(": ");
        }
        message.push_str(&cause);
    }
    message
}

/// Reports `message` (when there is one left to say) in the chosen format.
pub fn report(output: OutputFormat, message: Option<&str>, exit_code: u8) {
    let Some(message) = message else { return };
    match output {
        OutputFormat::Text => eprintln!("error: {message}"),
        OutputFormat::Json => {
            let failure = Failure { error: Problem { message, lines: message.lines().collect() }, exit_code };
            match serde_json::to_string_pretty(&failure) {
                Ok(json) => println!("{json}"),
                Err(_) => eprintln!("error: {message}"),
            }
        }
    }
}

#[cfg(test)]
mod tests;
