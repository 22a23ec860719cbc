//! The emulator's one clock. Everything that times or stamps something — token expiry, rate
//! windows, notification channels (expiry, heartbeats), the contact center (call and queue times,
//! the traffic curve's hour), Architect jobs — reads a `Clock` handle from `AppState` instead of
//! `std::time::Instant` or the system's UTC time.
//!
//! Monotonic time is tokio's (`tokio::time::Instant`), so a test on paused tokio time
//! (`#[tokio::test(start_paused = true)]`, `tokio::time::advance`) moves every deadline without
//! sleeping. UTC time is the UTC time at the clock's creation plus the monotonic time since, so it
//! moves with paused time too; on a live emulator it drifts from the system clock only if the
//! system clock is stepped while it runs.

use std::time::Duration;
use tokio::time::Instant;

#[derive(Debug, Clone, Copy)]
pub struct Clock {
    origin: Instant,
    origin_utc_ms: i64,
}

impl Clock {
    /// A clock that starts now (tokio's now: a paused test's virtual now).
    pub fn new() -> Clock {
        Clock { origin: Instant::now(), origin_utc_ms: chrono::Utc::now().timestamp_millis() }
    }

    /// Monotonic now, for deadlines and durations.
    pub fn now(&self) -> Instant {
        Instant::now()
    }

    /// Time since `earlier` (zero if `earlier` is in the future).
    pub fn since(&self, earlier: Instant) -> Duration {
        self.now().saturating_duration_since(earlier)
    }

    /// UTC now in Unix milliseconds.
    pub fn utc_ms(&self) -> i64 {
        let elapsed = i64::try_from(self.since(self.origin).as_millis()).unwrap_or(i64::MAX);
        self.origin_utc_ms.saturating_add(elapsed)
    }

    /// UTC now.
    pub fn utc(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::from_timestamp_millis(self.utc_ms()).unwrap_or_else(chrono::Utc::now)
    }

    /// UTC now as the platform writes it (`2026-11-29T07:30:00.000Z`).
    pub fn rfc3339(&self) -> String {
        self.utc().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn utc_and_monotonic_time_move_together_on_paused_time() {
        let clock = Clock::new();
        let (start, start_utc) = (clock.now(), clock.utc_ms());
        tokio::time::advance(Duration::from_secs(90)).await;
        assert_eq!(clock.since(start), Duration::from_secs(90));
        assert_eq!(clock.utc_ms() - start_utc, 90_000);
        assert!(clock.rfc3339().ends_with('Z'));
    }
}
