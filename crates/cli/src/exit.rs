//! An exit code other than 1 for commands whose codes mean something (review: 0 pass, 1 fail,
//! 2 could not run). Returned as an error so `main` stays the one place that exits.

#[derive(Debug)]
pub struct Exit {
    pub code: u8,
    /// A one-line reason for stderr; `None` when the report already said it.
    pub message: Option<String>,
}

impl std::fmt::Display for Exit {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "exit {}", self.code)?;
        if let Some(message) = &self.message {
            write!(formatter, ": {message}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Exit {}
