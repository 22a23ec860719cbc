//! Fail fast on a target that cannot be reached. A connect failure is retried like any other
//! while nothing has ever reached the server, but only within the connect timeout counted from
//! the client's first failed connection (so once it has given up, every later call of the
//! client gives up at its first connect failure too): an unreachable or blackholed target (each attempt waiting out the
//! connect timeout, eight attempts, for the token and again for the call) took most of a minute
//! to report. Once the server has answered anything, connect failures get the full retry policy
//! (a platform or an emulator restarting mid-run is worth waiting for).

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::time::Instant;

#[derive(Debug)]
pub(crate) struct Reach {
    reached: AtomicBool,
    /// When a connection of this client first failed (while it had never reached the server).
    first_failure: Mutex<Option<Instant>>,
    window: Duration,
}

impl Reach {
    /// `window`: the connect timeout (`Timeouts::connect`).
    pub(crate) fn new(window: Duration) -> Reach {
        Reach { reached: AtomicBool::new(false), first_failure: Mutex::new(None), window }
    }

    /// The server answered (any status): from now on it is known to exist.
    pub(crate) fn note_reached(&self) {
        self.reached.store(true, Ordering::Relaxed);
    }

    /// A retry's sleep, cut to end with the window while the server has never answered (a full
    /// backoff could otherwise sleep seconds past it before the attempt that gives up).
    pub(crate) fn cap_delay(&self, delay: Duration) -> Duration {
        if self.reached.load(Ordering::Relaxed) {
            return delay;
        }
        match *self.first_failure.lock().unwrap_or_else(std::sync::PoisonError::into_inner) {
            Some(first) => delay.min(self.window.saturating_sub(first.elapsed())),
            None => delay,
        }
    }

    /// After a connect failure of an attempt that began at `started`: `Some(message)` when it is
    /// time to stop retrying, the message saying the target could not be reached.
    pub(crate) fn give_up(&self, started: Instant, target: &str, error: &str) -> Option<String> {
        if self.reached.load(Ordering::Relaxed) {
            return None;
        }
        let first = *self.first_failure.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get_or_insert(started);
        let waited = first.elapsed();
        (waited >= self.window).then(|| {
            format!("cannot connect to {target} (gave up after {:.1} s; connect timeout {} s): {error}", waited.as_secs_f64(), self.window.as_secs_f64())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Reach;
    use std::time::Duration;
    use tokio::time::Instant;

    #[tokio::test(start_paused = true)]
    async fn connect_failures_stop_after_the_window_until_the_server_has_answered() {
        let reach = Reach::new(Duration::from_secs(5));
        let started = Instant::now();
        assert!(reach.give_up(started, "http://x", "refused").is_none(), "within the window");
        tokio::time::advance(Duration::from_secs(5)).await;
        let message = reach.give_up(started, "http://x", "refused").expect("past the window");
        assert!(message.starts_with("cannot connect to http://x"), "{message}");
        // A later call of the same client gives up at its first failure.
        assert!(reach.give_up(Instant::now(), "http://x", "refused").is_some());
        assert_eq!(reach.cap_delay(Duration::from_secs(3)), Duration::ZERO, "no sleeping past the window");
        reach.note_reached();
        assert!(reach.give_up(started, "http://x", "refused").is_none(), "a known server gets the full policy");
        assert_eq!(reach.cap_delay(Duration::from_secs(3)), Duration::from_secs(3));
    }
}
