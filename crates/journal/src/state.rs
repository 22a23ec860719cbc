//! Generic controller state for rollout (and anything else that drives a state machine across
//! restarts): a JSON value per (namespace, key) changed only by compare-and-swap on its revision,
//! and an append-only event log per key.

use crate::Journal;
use crate::error::{JournalError, JournalResult};
use crate::sql::{int, json_text, text};
use serde::{Deserialize, Serialize};

/// One entry of a key's event log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Increases with every event in the journal (not dense per key).
    pub seq: i64,
    pub at_ms: i64,
    pub value: serde_json::Value,
}

fn revision(value: i64, what: &str) -> JournalResult<u64> {
    u64::try_from(value).map_err(|_| JournalError::Corrupt {
        what: what.to_string(),
        detail: format!("revision {value} is negative"),
    })
}

impl Journal {
    /// The value stored under (namespace, key) and its revision (1 for the first put).
    pub async fn get_state(
        &self,
        namespace: &str,
        key: &str,
    ) -> JournalResult<Option<(serde_json::Value, u64)>> {
        let rows = self
            .backend
            .query(
                "read state",
                "SELECT value_json, revision FROM controller_state WHERE namespace = $1 AND state_key = $2",
                vec![text(namespace), text(key)],
            )
            .await?;
        rows.first()
            .map(|row| {
                Ok((
                    row.json(0, "controller_state.value_json")?,
                    revision(
                        row.int(1, "controller_state.revision")?,
                        "controller_state.revision",
                    )?,
                ))
            })
            .transpose()
    }

    /// Stores `value` if the current revision is `expected_revision` (`None`: the key must not
    /// exist yet) and returns the new revision; otherwise [`JournalError::Conflict`] with the
    /// revision found, and nothing changes.
    pub async fn put_state(
        &self,
        namespace: &str,
        key: &str,
        value: &serde_json::Value,
        expected_revision: Option<u64>,
    ) -> JournalResult<u64> {
        let now = chrono::Utc::now().timestamp_millis();
        let (changed, new_revision) = match expected_revision {
            None => {
                let changed = self
                    .backend
                    .execute(
                        "create state",
                        "INSERT INTO controller_state (namespace, state_key, value_json, revision, updated_ms) VALUES ($1, $2, $3, 1, $4)
                         ON CONFLICT (namespace, state_key) DO NOTHING",
                        vec![text(namespace), text(key), json_text(value), int(now)],
                    )
                    .await?;
                (changed, 1)
            }
            Some(expected) => {
                let expected_int = i64::try_from(expected).unwrap_or(i64::MAX);
                let next = expected_int.saturating_add(1);
                let changed = self
                    .backend
                    .execute(
                        "update state",
                        "UPDATE controller_state SET value_json = $3, revision = $5, updated_ms = $6 WHERE namespace = $1 AND state_key = $2 AND revision = $4",
                        vec![text(namespace), text(key), json_text(value), int(expected_int), int(next), int(now)],
                    )
                    .await?;
                (changed, expected.saturating_add(1))
            }
        };
        if changed == 1 {
            return Ok(new_revision);
        }
        let found = self
            .get_state(namespace, key)
            .await?
            .map(|(_, revision)| revision);
        Err(JournalError::Conflict {
            namespace: namespace.to_string(),
            key: key.to_string(),
            expected: expected_revision,
            found,
        })
    }

    /// Removes (namespace, key) if its revision is still `expected_revision`; otherwise
    /// [`JournalError::Conflict`]. Its event log stays (the history of a finished rollout).
    pub async fn delete_state(
        &self,
        namespace: &str,
        key: &str,
        expected_revision: u64,
    ) -> JournalResult<()> {
        let expected = i64::try_from(expected_revision).unwrap_or(i64::MAX);
        let removed = self
            .backend
            .execute(
                "delete state",
                "DELETE FROM controller_state WHERE namespace = $1 AND state_key = $2 AND revision = $3",
                vec![text(namespace), text(key), int(expected)],
            )
            .await?;
        if removed == 1 {
            return Ok(());
        }
        let found = self
            .get_state(namespace, key)
            .await?
            .map(|(_, revision)| revision);
        Err(JournalError::Conflict {
            namespace: namespace.to_string(),
            key: key.to_string(),
            expected: Some(expected_revision),
            found,
        })
    }

    /// The keys with state in `namespace`, sorted (a restarted controller finds its work).
    pub async fn state_keys(&self, namespace: &str) -> JournalResult<Vec<String>> {
        let rows = self
            .backend
            .query(
                "list state keys",
                "SELECT state_key FROM controller_state WHERE namespace = $1 ORDER BY state_key",
                vec![text(namespace)],
            )
            .await?;
        rows.iter()
            .map(|row| row.text(0, "controller_state.state_key"))
            .collect()
    }

    /// Appends an event to the log of (namespace, key); returns its sequence number.
    pub async fn append_event(
        &self,
        namespace: &str,
        key: &str,
        value: &serde_json::Value,
    ) -> JournalResult<i64> {
        let rows = self
            .backend
            .query(
                "append event",
                "INSERT INTO controller_events (namespace, state_key, at_ms, value_json) VALUES ($1, $2, $3, $4) RETURNING id",
                vec![text(namespace), text(key), int(chrono::Utc::now().timestamp_millis()), json_text(value)],
            )
            .await?;
        rows.first()
            .ok_or_else(|| JournalError::Corrupt {
                what: "controller_events.id".to_string(),
                detail: "the insert returned no id".to_string(),
            })?
            .int(0, "controller_events.id")
    }

    /// The events of (namespace, key), oldest first.
    pub async fn events(&self, namespace: &str, key: &str) -> JournalResult<Vec<Event>> {
        let rows = self
            .backend
            .query(
                "read events",
                "SELECT id, at_ms, value_json FROM controller_events WHERE namespace = $1 AND state_key = $2 ORDER BY id",
                vec![text(namespace), text(key)],
            )
            .await?;
        rows.iter()
            .map(|row| {
                Ok(Event {
                    seq: row.int(0, "controller_events.id")?,
                    at_ms: row.int(1, "controller_events.at_ms")?,
                    value: row.json(2, "controller_events.value_json")?,
                })
            })
            .collect()
    }
}
