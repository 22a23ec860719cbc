//! `--output text|json`: every command prints either a human view or one JSON document.

use clap::ValueEnum;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum OutputFormat {
    #[default]
    Text,
    Json,
}

impl OutputFormat {
    /// Prints `value` as pretty JSON, or calls `text` to print the human view.
    pub fn emit<T: Serialize>(self, value: &T, text: impl FnOnce(&T)) -> anyhow::Result<()> {
        match self {
            OutputFormat::Json => {
                println!("{}", serde_json::to_string_pretty(value)?);
            }
            OutputFormat::Text => text(value),
        }
        Ok(())
    }
}
