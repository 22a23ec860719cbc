//! Fail fast on a target that cannot be reached. A connect failure is retried like any other
//! while nothing has ever reached the server, but only within the connect timeout counted from
//! the call's first attempt: an unreachable or blackholed target (each attempt waiting out the
//! connect timeout, eight attempts, for the token and again for the call) took most of a minute
//! to report. Once the server has answered anything, connect failures get the full retry policy
//! (a platform or an emulator restarting mid-run is worth waiting for).

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::time::Instant;

#[derive(Debug)]
pub(crate) struct Reach {
    reached: AtomicBool,
    window: Duration,
}

impl Reach {
    /// `window`: the connect timeout (`Timeouts::connect`).
    pub(crate) fn new(window: Duration) -> Reach {
        Reach { reached: AtomicBool::new(false), window }
    }

    /// The server answered (any status): from now on it is known to exist.
    pub(crate) fn note_reached(&self) {
        self.reached.store(true, Ordering::Relaxed);
    }

    /// After a connect failure of a call that began at `started`: `Some(message)` when it is time
    /// to stop retrying, the message saying the target could not be reached.
    pub(crate) fn give_up(&self, started: Instant, target: &str, error: &str) -> Option<String> {
        let waited = started.elapsed();
        (!self.reached.load(Ordering::Relaxed) && waited >= self.window).then(|| {
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
        reach.note_reached();
        assert!(reach.give_up(started, "http://x", "refused").is_none(), "a known server gets the full policy");
    }
}
