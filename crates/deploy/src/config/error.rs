//! Config problems, each with the file and line it is about; loading reports all of them.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: String,
    /// 1-based; 0 when the problem is about the file as a whole.
    pub line: usize,
    pub message: String,
}

impl Diagnostic {
    pub fn new(file: impl Into<String>, line: usize, message: impl Into<String>) -> Self {
        Self { file: file.into(), line, message: message.into() }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 { write!(formatter, "{}: {}", self.file, self.message) } else { write!(formatter, "{}:{}: {}", self.file, self.line, self.message) }
    }
}

/// Every problem found; displays one per line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<String> = self.diagnostics.iter().map(ToString::to_string).collect();
        write!(formatter, "{}", lines.join("\n"))
    }
}

impl From<Diagnostic> for ConfigError {
    fn from(diagnostic: Diagnostic) -> Self {
        Self { diagnostics: vec![diagnostic] }
    }
}

/// A `model::load` error as a diagnostic.
pub(crate) fn from_load(error: switchboard_model::load::LoadError) -> Diagnostic {
    Diagnostic::new(error.file, error.line.unwrap_or(0) as usize, error.message)
}
