//! The error edge says each cause once.

use super::message_of;
use std::fmt;

/// An error that displays its source and also returns it, like `#[error("{0}")] X(#[from] Y)`.
#[derive(Debug)]
struct Transparent(Inner);

#[derive(Debug)]
struct Inner;

impl fmt::Display for Inner {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a.yaml:1:2: bad\na.yaml:3:4: worse")
    }
}

impl std::error::Error for Inner {}

impl fmt::Display for Transparent {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(formatter)
    }
}

impl std::error::Error for Transparent {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

#[test]
fn a_wrapper_that_displays_its_source_is_said_once() {
    let error = anyhow::Error::new(Transparent(Inner)).context("loading flows");
    assert_eq!(message_of(&error), "loading flows: a.yaml:1:2: bad\na.yaml:3:4: worse");
}

#[test]
fn distinct_contexts_are_all_kept() {
    let error = anyhow::anyhow!("connection refused").context("org lab").context("listing queues");
    assert_eq!(message_of(&error), "listing queues: org lab: connection refused");
}
