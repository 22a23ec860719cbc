//! The life of an org or a resource step within a deployment, and of a deployment as a whole.

use crate::error::JournalError;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pending,
    InProgress,
    Done,
    Failed,
    RolledBack,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Pending,
        Status::InProgress,
        Status::Done,
        Status::Failed,
        Status::RolledBack,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::InProgress => "in_progress",
            Status::Done => "done",
            Status::Failed => "failed",
            Status::RolledBack => "rolled_back",
        }
    }

    /// Pending or in progress: what `apply --resume` still has to do.
    pub fn is_unfinished(self) -> bool {
        matches!(self, Status::Pending | Status::InProgress)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = JournalError;

    fn from_str(text: &str) -> Result<Status, JournalError> {
        Status::ALL
            .into_iter()
            .find(|status| status.as_str() == text)
            .ok_or_else(|| JournalError::Corrupt {
                what: "status".to_string(),
                detail: format!("unknown status `{text}`"),
            })
    }
}

/// How many orgs of a deployment are in each status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCounts {
    pub pending: u32,
    pub in_progress: u32,
    pub done: u32,
    pub failed: u32,
    pub rolled_back: u32,
}

impl StatusCounts {
    pub fn add(&mut self, status: Status, count: u32) {
        let slot = match status {
            Status::Pending => &mut self.pending,
            Status::InProgress => &mut self.in_progress,
            Status::Done => &mut self.done,
            Status::Failed => &mut self.failed,
            Status::RolledBack => &mut self.rolled_back,
        };
        *slot += count;
    }

    pub fn total(&self) -> u32 {
        self.pending + self.in_progress + self.done + self.failed + self.rolled_back
    }

    /// A deployment's status from its orgs': pending while none has started, in progress while
    /// any is unfinished, then failed if any org failed, rolled back if any was rolled back,
    /// otherwise done (a deployment with no orgs is done).
    pub fn overall(&self) -> Status {
        if self.pending == self.total() && self.total() > 0 {
            Status::Pending
        } else if self.pending + self.in_progress > 0 {
            Status::InProgress
        } else if self.failed > 0 {
            Status::Failed
        } else if self.rolled_back > 0 {
            Status::RolledBack
        } else {
            Status::Done
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_through_text() {
        for status in Status::ALL {
            assert_eq!(status.as_str().parse::<Status>().ok(), Some(status));
            assert_eq!(
                serde_json::to_value(status).ok(),
                Some(serde_json::Value::String(status.as_str().to_string()))
            );
        }
        assert!("finished".parse::<Status>().is_err());
    }

    #[test]
    fn overall_status_follows_the_orgs() {
        let counts = |pairs: &[(Status, u32)]| {
            let mut counts = StatusCounts::default();
            for (status, count) in pairs {
                counts.add(*status, *count);
            }
            counts.overall()
        };
        assert_eq!(counts(&[]), Status::Done);
        assert_eq!(counts(&[(Status::Pending, 3)]), Status::Pending);
        assert_eq!(
            counts(&[(Status::Pending, 2), (Status::Done, 1)]),
            Status::InProgress
        );
        assert_eq!(
            counts(&[(Status::Done, 2), (Status::Failed, 1)]),
            Status::Failed
        );
        assert_eq!(
            counts(&[(Status::Done, 2), (Status::RolledBack, 1)]),
            Status::RolledBack
        );
        assert_eq!(counts(&[(Status::Done, 3)]), Status::Done);
    }
}
