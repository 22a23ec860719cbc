//! Leases: one holder per scope (`deploy:env/prod`, `rollout:org/flow`) for a time-to-live, by
//! the journal's clock. Taking a lease is one atomic upsert that succeeds only when the scope is
//! free or its lease has expired, so of two processes racing on one database exactly one wins.

use crate::Journal;
use crate::error::{JournalError, JournalResult};
use crate::sql::{int, text};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// A held lease. Renew it before `until_ms`; release it when done. Dropping it without releasing
/// leaves the scope taken until it expires (a killed process behaves the same).
#[derive(Clone)]
pub struct Lease {
    journal: Journal,
    scope: String,
    holder: String,
    token: String,
    until_ms: i64,
}

/// Who holds a scope, for messages and `--output json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaseInfo {
    pub scope: String,
    pub holder: String,
    pub acquired_ms: i64,
    pub until_ms: i64,
}

impl std::fmt::Debug for Lease {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Lease")
            .field("scope", &self.scope)
            .field("holder", &self.holder)
            .field("until_ms", &self.until_ms)
            .finish_non_exhaustive()
    }
}

/// An epoch-ms instant as RFC 3339, for messages.
pub(crate) fn format_ms(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|instant| instant.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_else(|| format!("{ms} ms"))
}

fn ttl_ms(ttl: Duration) -> i64 {
    i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX / 2)
}

impl Journal {
    /// Takes the lease on `scope` for `ttl`, or says who holds it until when. `holder` names the
    /// taker for others' messages (`ci-runner-3 pid 4121`); each lease also carries a private
    /// token, so two takers with the same holder name still exclude each other.
    pub async fn acquire_lease(
        &self,
        scope: &str,
        holder: &str,
        ttl: Duration,
    ) -> JournalResult<Lease> {
        let token = uuid::Uuid::new_v4().to_string();
        // A free scope can become held (and a held one free) between the upsert and the read
        // that explains a refusal; try again a few times.
        for _ in 0..5 {
            let now = self.backend.now_ms().await?;
            let until = now.saturating_add(ttl_ms(ttl));
            let taken = self
                .backend
                .execute(
                    "acquire lease",
                    "INSERT INTO leases (scope, holder, token, acquired_ms, expires_ms) VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (scope) DO UPDATE SET holder = excluded.holder, token = excluded.token, acquired_ms = excluded.acquired_ms, expires_ms = excluded.expires_ms
                     WHERE leases.expires_ms <= $4",
                    vec![text(scope), text(holder), text(&token), int(now), int(until)],
                )
                .await?;
            if taken == 1 {
                return Ok(Lease {
                    journal: self.clone(),
                    scope: scope.to_string(),
                    holder: holder.to_string(),
                    token,
                    until_ms: until,
                });
            }
            if let Some(current) = self.lease_holder(scope).await?
                && current.until_ms > now
            {
                return Err(JournalError::LeaseHeld {
                    scope: scope.to_string(),
                    holder: current.holder,
                    until_ms: current.until_ms,
                });
            }
        }
        Err(JournalError::Backend {
            backend: self.backend.name(),
            operation: format!("acquire lease {scope}"),
            detail: "the lease changed hands on every attempt".to_string(),
        })
    }

    /// Who holds `scope` now (an expired lease still shows until someone takes it over).
    pub async fn lease_holder(&self, scope: &str) -> JournalResult<Option<LeaseInfo>> {
        let rows = self
            .backend
            .query(
                "read lease",
                "SELECT holder, acquired_ms, expires_ms FROM leases WHERE scope = $1",
                vec![text(scope)],
            )
            .await?;
        rows.first()
            .map(|row| {
                Ok(LeaseInfo {
                    scope: scope.to_string(),
                    holder: row.text(0, "leases.holder")?,
                    acquired_ms: row.int(1, "leases.acquired_ms")?,
                    until_ms: row.int(2, "leases.expires_ms")?,
                })
            })
            .transpose()
    }

    /// Removes whatever lease `scope` has (an operator's `--break-lease` after a crashed holder);
    /// `true` when there was one.
    pub async fn break_lease(&self, scope: &str) -> JournalResult<bool> {
        let removed = self
            .backend
            .execute(
                "break lease",
                "DELETE FROM leases WHERE scope = $1",
                vec![text(scope)],
            )
            .await?;
        Ok(removed > 0)
    }
}

impl Lease {
    pub fn scope(&self) -> &str {
        &self.scope
    }

    pub fn holder(&self) -> &str {
        &self.holder
    }

    /// Epoch ms (journal clock) until which the lease is held, as of the last acquire or renew.
    pub fn until_ms(&self) -> i64 {
        self.until_ms
    }

    /// Extends the lease to `ttl` from now; fails with [`JournalError::LeaseLost`] if it expired
    /// and was taken over (or broken) meanwhile.
    pub async fn renew(&mut self, ttl: Duration) -> JournalResult<()> {
        let now = self.journal.backend.now_ms().await?;
        let until = now.saturating_add(ttl_ms(ttl));
        let renewed = self
            .journal
            .backend
            .execute(
                "renew lease",
                "UPDATE leases SET expires_ms = $3 WHERE scope = $1 AND token = $2",
                vec![text(&self.scope), text(&self.token), int(until)],
            )
            .await?;
        if renewed == 0 {
            return Err(self.lost());
        }
        self.until_ms = until;
        Ok(())
    }

    /// Gives the scope up; fails with [`JournalError::LeaseLost`] if someone else has it now.
    pub async fn release(self) -> JournalResult<()> {
        let released = self
            .journal
            .backend
            .execute(
                "release lease",
                "DELETE FROM leases WHERE scope = $1 AND token = $2",
                vec![text(&self.scope), text(&self.token)],
            )
            .await?;
        if released == 0 {
            return Err(self.lost());
        }
        Ok(())
    }

    fn lost(&self) -> JournalError {
        JournalError::LeaseLost {
            scope: self.scope.clone(),
            holder: self.holder.clone(),
        }
    }
}
