//! Archy diagnostics: every problem an import found, each with file, line, column and YAML path.

/// One problem, displayed as `file:line:col: path: message` (no path for YAML syntax errors).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchyDiagnostic {
    pub file: String,
    /// 1-based.
    pub line: usize,
    /// 1-based.
    pub column: usize,
    /// The YAML path of the construct, e.g. `inboundCall.tasks[2].actions[5].callData`.
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for ArchyDiagnostic {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{}:{}:{}: ", self.file, self.line, self.column)?;
        if !self.path.is_empty() {
            write!(formatter, "{}: ", self.path)?;
        }
        formatter.write_str(&self.message)
    }
}

/// All problems found (not just the first); Display is one line per diagnostic.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ArchyError {
    pub diagnostics: Vec<ArchyDiagnostic>,
}

impl std::fmt::Display for ArchyError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (index, diagnostic) in self.diagnostics.iter().enumerate() {
            if index > 0 {
                writeln!(formatter)?;
            }
            write!(formatter, "{diagnostic}")?;
        }
        Ok(())
    }
}

impl ArchyError {
    pub(crate) fn single(file: &str, line: usize, column: usize, path: &str, message: impl Into<String>) -> ArchyError {
        ArchyError {
            diagnostics: vec![ArchyDiagnostic {
                file: file.to_string(),
                line,
                column,
                path: path.to_string(),
                message: message.into(),
            }],
        }
    }
}
